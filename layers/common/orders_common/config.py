"""Runtime configuration, read from environment variables once per container.

Every setting is an environment variable named after the field in upper case (``TABLE_NAME``,
``PRICE_SOURCE`` ...). The template sets them on Lambda; ``make run`` and the tests set them locally.
Reading happens on first use, never at import, so a module can be imported without any configuration.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


def _parse_price_table(value: object) -> object:
    """Accept ``"BTC=68500,ETH=3500.5"`` (the form an environment variable can carry) or a mapping."""
    if not isinstance(value, str):
        return value
    table: dict[str, Decimal] = {}
    for entry in filter(None, (part.strip() for part in value.split(","))):
        symbol, separator, price = entry.partition("=")
        if not separator:
            raise ValueError(f"price entry {entry!r} is not SYMBOL=PRICE")
        try:
            table[symbol.strip().upper()] = Decimal(price.strip())
        except InvalidOperation as error:
            raise ValueError(f"price for {symbol.strip()!r} is not a number") from error
    return table


PriceTable = Annotated[
    dict[str, Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]], BeforeValidator(_parse_price_table)
]


def _parse_decimals_table(value: object) -> object:
    """Accept ``"BTC=5,ETH=4"`` (decimal places per symbol) or a mapping."""
    if not isinstance(value, str):
        return value
    table: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in value.split(","))):
        symbol, separator, places = entry.partition("=")
        if not separator:
            raise ValueError(f"entry {entry!r} is not SYMBOL=PLACES")
        table[symbol.strip().upper()] = places.strip()
    return table


DecimalsTable = Annotated[dict[str, Annotated[int, Field(ge=0, le=8)]], BeforeValidator(_parse_decimals_table)]


def _parse_flag(value: object) -> object:
    """``true`` or ``false`` (any case); anything else is refused rather than read as either."""
    if not isinstance(value, str):
        return value
    flag = value.strip().lower()
    if flag not in ("true", "false"):
        raise ValueError(f"expected true or false, not {value!r}")
    return flag == "true"


def _empty_as_none(value: object) -> object:
    """The template passes an empty parameter as an empty string: that is "not given"."""
    return None if isinstance(value, str) and not value.strip() else value


SecretArn = Annotated[
    Annotated[str, Field(pattern=r"^arn:[a-z-]+:secretsmanager:.+$")] | None, BeforeValidator(_empty_as_none)
]


_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class Settings(BaseModel):
    """What a function needs to know about its environment."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    table_name: str = Field(min_length=1, description="The DynamoDB table holding orders, accounts and counters.")
    execution_queue_url: str | None = Field(default=None, description="SQS queue the executor Lambda drains.")
    execution_queue_visibility_seconds: int = Field(
        default=180, ge=1, le=43200, description="The queue's visibility timeout: how long a sent order is not resent."
    )
    # No default: the publisher refuses to run without its bus rather than publish nowhere.
    event_bus_name: str | None = Field(
        default=None, min_length=1, description="EventBridge bus the order events are published to."
    )

    price_source: Literal["static", "hyperliquid"] = "static"
    static_prices: PriceTable = Field(default_factory=dict, description="Prices for the static source.")
    hyperliquid_info_url: str = "https://api.hyperliquid.xyz/info"
    price_timeout_seconds: float = Field(default=2.0, gt=0, le=10)
    price_max_attempts: int = Field(default=3, ge=1, le=5)
    price_cache_seconds: float = Field(default=5.0, ge=0, le=60)

    # Where orders execute. Paper (the default) fills against the price source's book; the venue is a
    # real exchange, so choosing it needs its key (the secret) and, for mainnet, a second yes.
    exchange: Literal["paper", "hyperliquid"] = "paper"
    hyperliquid_network: Literal["testnet", "mainnet"] = "testnet"
    # The ARN of the secret holding the API wallet's key, never the key: it is read at run time.
    hyperliquid_secret_arn: SecretArn = None
    # The venue's base URL on testnet; unset: Hyperliquid's testnet. Set for the local stand-in. Mainnet always
    # uses Hyperliquid's own URL, and that URL is refused here on testnet: the SDK signs for mainnet exactly when
    # its base URL is mainnet's, so this setting must not be a way onto mainnet.
    hyperliquid_api_url: Annotated[str | None, BeforeValidator(_empty_as_none)] = None
    # Mainnet moves real money: refused unless this says so too (the template's ConfirmMainnet).
    hyperliquid_mainnet_confirmed: Annotated[bool, BeforeValidator(_parse_flag)] = False
    # A fat-finger guard at create. Fails closed: without MAX_ORDER_NOTIONAL the default limit holds,
    # and there is no value meaning "no limit" (a very large one is the explicit way).
    max_order_notional: Decimal = Field(default=Decimal(1_000_000), gt=0, le=10**15, allow_inf_nan=False)

    static_book_levels: int = Field(default=10, ge=1, le=50, description="Levels per side of the synthetic book.")
    static_book_level_size: Decimal = Field(default=Decimal(1), gt=0, le=10**9, allow_inf_nan=False)
    static_book_step_bps: Decimal = Field(default=Decimal(1), gt=0, le=1000, allow_inf_nan=False)
    max_slippage_bps: Decimal = Field(default=Decimal(50), ge=0, le=5000, allow_inf_nan=False)
    max_quote_age_seconds: float = Field(default=10.0, gt=0, le=300)
    commission_rate: Decimal = Field(default=Decimal("0.001"), ge=0, lt=1, allow_inf_nan=False)
    commission_minimum: Decimal = Field(default=Decimal(0), ge=0, allow_inf_nan=False)
    market_buy_buffer_bps: Decimal = Field(default=Decimal(100), ge=0, le=5000, allow_inf_nan=False)

    pending_index_shards: int = Field(default=4, ge=1, le=64)
    order_id_block_size: int = Field(default=1, ge=1, le=1000)

    process_all_time_budget_seconds: float = Field(default=20.0, gt=0, le=25)
    process_all_concurrency: int = Field(default=8, ge=1, le=64)

    # Admin health's thresholds. Every one fails closed: a function without the variable keeps the
    # check on at its default, and there is no value that turns a check off except an explicit
    # PROCESS_ALL_SCHEDULE_ENABLED=false (the template's ProcessAllScheduleEnabled) for the schedule's.
    stale_pending_minutes: int = Field(
        default=15, ge=1, le=7 * 24 * 60, description="Health is degraded when the oldest pending order is older."
    )
    process_all_schedule: str = Field(
        default="rate(1 minute)", min_length=1, description="The process-all schedule's expression (its period)."
    )
    process_all_schedule_enabled: Annotated[bool, BeforeValidator(_parse_flag)] = True
    # Unset: health cannot read the DLQ's depth and says so (degraded), rather than leave the check out.
    execution_dead_letter_queue_url: Annotated[str | None, BeforeValidator(_empty_as_none)] = None

    quantity_decimals: DecimalsTable = Field(
        default_factory=dict, description="Decimal places a quantity may have, per symbol (others: 8)."
    )
    price_decimals: DecimalsTable = Field(
        default_factory=dict, description="Decimal places a limit price may have, per symbol (others: 8)."
    )
    idempotency_ttl_seconds: int = Field(default=86400, ge=60, le=7 * 86400)

    # Fails closed: a function deployed without AUTH_ENABLED enforces ownership; only an explicit
    # "false" (local runs, tests) turns the checks off.
    auth_enabled: Annotated[bool, BeforeValidator(_parse_flag)] = Field(
        default=True, description="Enforce ownership from the JWT claims API Gateway passes (AUTH_ENABLED)."
    )
    user_id_claim: str = Field(default="user_id", min_length=1)
    admin_scope: str = Field(default="orders/admin", min_length=1)
    admin_group: str = Field(default="admin", min_length=1)

    # X-Ray (Tracing=Active sets it to false). Without the variable tracing stays off: the Tracer and the
    # X-Ray SDK are then never imported (orders_common.tracing).
    powertools_trace_disabled: Annotated[bool, BeforeValidator(_parse_flag)] = True

    @model_validator(mode="after")
    def _venue_is_complete(self) -> Settings:
        if self.exchange == "hyperliquid" and self.hyperliquid_secret_arn is None:
            raise ValueError("EXCHANGE=hyperliquid needs HYPERLIQUID_SECRET_ARN (the API wallet's secret)")
        if self.hyperliquid_network == "mainnet" and not self.hyperliquid_mainnet_confirmed:
            raise ValueError("HYPERLIQUID_NETWORK=mainnet needs HYPERLIQUID_MAINNET_CONFIRMED=true")
        url = (self.hyperliquid_api_url or "").strip().rstrip("/").lower()
        if url == "https://api.hyperliquid.xyz" and self.hyperliquid_network != "mainnet":
            raise ValueError("HYPERLIQUID_API_URL is mainnet's: use HYPERLIQUID_NETWORK=mainnet, and its confirmation")
        if url and self.hyperliquid_network == "mainnet" and url != "https://api.hyperliquid.xyz":
            raise ValueError("HYPERLIQUID_NETWORK=mainnet uses Hyperliquid's own URL: unset HYPERLIQUID_API_URL")
        return self

    @property
    def process_all_period(self) -> timedelta:
        """The schedule's period, from a ``rate(N unit)`` expression. A ``cron(...)`` expression has no
        single period: one day is assumed (the check still catches a schedule that stopped)."""
        found = _RATE.match(self.process_all_schedule.strip())
        if found is None:
            return timedelta(days=1)
        return timedelta(seconds=int(found.group(1)) * _UNIT_SECONDS[found.group(2).rstrip("s")])

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        names = {name.upper(): name for name in cls.model_fields}
        return cls.model_validate({names[key]: value for key, value in environ.items() if key in names})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_environ(os.environ)
