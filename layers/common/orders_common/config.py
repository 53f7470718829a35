"""Runtime configuration, read from environment variables once per container.

Every setting is an environment variable named after the field in upper case (``TABLE_NAME``,
``PRICE_SOURCE`` ...). The template sets them on Lambda; ``make run`` and the tests set them locally.
Reading happens on first use, never at import, so a module can be imported without any configuration.

``Settings`` is a plain class, not a pydantic model: building its pydantic schema cost 6-7 ms of every cold start
(measured; the largest item of the layer's own import). Fields declare type, default and rules, read as pydantic's lax
mode read them; a bad environment raises one ``SettingsError`` naming every wrong variable: the log says what to fix.
"""

from __future__ import annotations

import operator
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial
from types import EllipsisType
from typing import Any, Literal, TypeVar, cast


class SettingsError(ValueError):
    """The settings are wrong: ``problems`` lists every one, each naming its variable (``TABLE_NAME: required``)."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid settings: " + "; ".join(self.problems))


# Unicode White_Space: what pydantic-core trims around a number (str.strip() would also take \x1c-\x1f).
_BLANK = "".join(map(chr, [*range(9, 14), 32, 133, 160, 5760, *range(8192, 8203), 8232, 8233, 8239, 8287, 12288]))
# Compiled on first use (re's cache). An int as pydantic-core reads one: "1_000", "007", "7.0"; not "2.5", "1__0".
_INTEGER = r"[+-]?(?:(?:0[0_]*)?[1-9][0-9]*(?:_[0-9]+)*|0(?:[0_]*0)?)(?:\.0+)?"
_FLOAT = r"(?ai)[+-]?(?:inf(?:inity)?|nan|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?)"
_SECRET_ARN = r"arn:[a-z-]+:secretsmanager:.+"  # noqa: S105 (a pattern, not a secret)
_RATE = r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)"
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
T = TypeVar("T")


# One conversion per kind: the value, or ValueError saying what was expected.
def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"must be a string, not {raw!r}")
    return raw


def _integer(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and re.fullmatch(_INTEGER, text := raw.strip(_BLANK)) and len(text) <= 4300:
        return int(text.partition(".")[0].replace("_", ""))  # int() reads up to 4300 digits
    raise ValueError(f"must be an integer, not {raw!r}")


def _number(raw: object) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    text = raw.strip(_BLANK) if isinstance(raw, str) else ""
    if isinstance(raw, str) and not re.fullmatch(_FLOAT, text) and raw[:1] != "_" != raw[-1:] and "__" not in raw:
        text = raw.replace("_", "")  # "1_000.5", as pydantic-core: only between characters, not trimmed
    if re.fullmatch(_FLOAT, text):
        return float(text)
    raise ValueError(f"must be a number, not {raw!r}")


def _decimal(raw: object) -> Decimal:  # finite: infinity and NaN are refused
    try:
        value = Decimal(raw if isinstance(raw, str | int | Decimal) and not isinstance(raw, bool) else "?")
    except InvalidOperation:
        raise ValueError(f"must be a number, not {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"must be a finite number, not {raw!r}")
    return value


def _flag(raw: object) -> bool:
    """``true`` or ``false`` (any case); anything else is refused rather than read as either."""
    flag = str(raw).lower() if isinstance(raw, bool) else raw.strip().lower() if isinstance(raw, str) else None
    if flag not in ("true", "false"):
        raise ValueError(f"expected true or false, not {raw!r}")
    return flag == "true"


_RULES: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "ge": (operator.ge, "must be >= {0}, not {1!r}"),  # a NaN float breaks every bound
    "gt": (operator.gt, "must be > {0}, not {1!r}"),
    "le": (operator.le, "must be <= {0}, not {1!r}"),
    "lt": (operator.lt, "must be < {0}, not {1!r}"),
    "min_length": (lambda value, length: len(value) >= length, "must have at least {0} character(s), not {1!r}"),
    "choices": (lambda value, choices: value in choices, "must be one of {0}, not {1!r}"),
    # Not echoed: a secret ARN's setting is where a key put by mistake must not reach the log.
    "pattern": (lambda value, pattern: re.fullmatch(pattern, value) is not None, "must match {0} (value not shown)"),
}


class _Field:
    """A setting: ``convert``, then ``_RULES`` (``ge=1`` ...); ``default`` if not given (``...``: required). ``None``
    is taken where it is the default, and with ``empty_as_none`` a blank string (the template's empty parameter)."""

    def __init__(self, convert: Callable[[object], object], default: object, rules: dict[str, Any]) -> None:
        self.convert, self.default, self.empty_as_none = convert, default, rules.pop("empty_as_none", False)
        self.rules = rules

    def read(self, raw: object) -> object:
        if (raw is None and self.default is None) or (self.empty_as_none and isinstance(raw, str) and not raw.strip()):
            return None
        value = self.convert(raw)
        for rule, limit in self.rules.items():
            holds, problem = _RULES[rule]
            if not holds(value, limit):
                raise ValueError(problem.format(limit, raw))
        return value


def _table(raw: object, label: str, entry: _Field) -> dict[str, Any]:
    """``"BTC=68500,ETH=3500.5"`` (the form an environment variable can carry; symbols upper-cased) or a mapping.
    Every entry is checked as it comes; a later entry for the same symbol replaces an earlier one."""
    if isinstance(raw, str):
        parts = [part.strip().partition("=") for part in raw.split(",") if part.strip()]
        if missing := [symbol for symbol, separator, _ in parts if not separator]:
            raise ValueError(f"entry {missing[0]!r} is not SYMBOL={label}")
        entries: list[tuple[Any, object]] = [(symbol.strip().upper(), value.strip()) for symbol, _, value in parts]
    elif isinstance(raw, Mapping):
        entries = list(raw.items())
    else:
        raise ValueError(f"must be SYMBOL={label},..., not {raw!r}")
    table: dict[str, Any] = {}
    problems: list[str] = []
    for symbol, value in entries:
        try:
            table[symbol] = entry.read(value)
        except ValueError as error:
            problems.append(f"{label.lower()} for {symbol!r} {error}")
    if problems:
        raise ValueError(*problems)
    return table


_prices = partial(_table, label="PRICE", entry=_Field(_decimal, ..., {"gt": 0}))
_places = partial(_table, label="PLACES", entry=_Field(_integer, ..., {"ge": 0, "le": 8}))  # decimal places


def _field(convert: Callable[[object], T], default: T | EllipsisType = ..., **rules: object) -> T:
    """A setting, typed as its value for mypy (like ``dataclasses.field``); see ``_Field``."""
    return cast("T", _Field(convert, default, rules))


def _choice(*choices: T) -> T:
    """A setting taking one of ``choices``, the first by default."""
    return cast("T", _Field(_text, choices[0], {"choices": choices}))


class Settings:
    """What a function needs to know about its environment; immutable. Invalid values raise ``SettingsError``."""

    table_name: str = _field(_text, min_length=1)  # The DynamoDB table holding orders, accounts and counters.
    execution_queue_url: str | None = _field(_text, None)  # SQS queue the executor Lambda drains.
    # The queue's visibility timeout: how long a sent order is not resent.
    execution_queue_visibility_seconds: int = _field(_integer, 180, ge=1, le=43200)
    # EventBridge bus the order events are published to. No default: the publisher refuses to run without its
    # bus rather than publish nowhere.
    event_bus_name: str | None = _field(_text, None, min_length=1)

    price_source: Literal["static", "hyperliquid"] = _choice("static", "hyperliquid")
    static_prices: dict[str, Decimal] = _field(_prices, {})  # Prices for the static source.
    hyperliquid_info_url: str = _field(_text, "https://api.hyperliquid.xyz/info")
    price_timeout_seconds: float = _field(_number, 2.0, gt=0, le=10)
    price_max_attempts: int = _field(_integer, 3, ge=1, le=5)
    price_cache_seconds: float = _field(_number, 5.0, ge=0, le=60)

    # Where orders execute. Paper (the default) fills against the price source's book; the venue is a
    # real exchange, so choosing it needs its key (the secret) and, for mainnet, a second yes.
    exchange: Literal["paper", "hyperliquid"] = _choice("paper", "hyperliquid")
    hyperliquid_network: Literal["testnet", "mainnet"] = _choice("testnet", "mainnet")
    # The ARN of the secret holding the API wallet's key, never the key: it is read at run time.
    hyperliquid_secret_arn: str | None = _field(_text, None, empty_as_none=True, pattern=_SECRET_ARN)
    # The venue's base URL on testnet; unset: Hyperliquid's testnet. Set for the local stand-in. Mainnet always
    # uses Hyperliquid's own URL, and that URL is refused here on testnet: the SDK signs for mainnet exactly when
    # its base URL is mainnet's, so this setting must not be a way onto mainnet.
    hyperliquid_api_url: str | None = _field(_text, None, empty_as_none=True)
    # Mainnet moves real money: refused unless this says so too (the template's ConfirmMainnet).
    hyperliquid_mainnet_confirmed: bool = _field(_flag, False)
    # A fat-finger guard at create. Fails closed: without MAX_ORDER_NOTIONAL the default limit holds,
    # and there is no value meaning "no limit" (a very large one is the explicit way).
    max_order_notional: Decimal = _field(_decimal, Decimal(1_000_000), gt=0, le=10**15)

    static_book_levels: int = _field(_integer, 10, ge=1, le=50)  # Levels per side of the synthetic book.
    static_book_level_size: Decimal = _field(_decimal, Decimal(1), gt=0, le=10**9)
    static_book_step_bps: Decimal = _field(_decimal, Decimal(1), gt=0, le=1000)
    max_slippage_bps: Decimal = _field(_decimal, Decimal(50), ge=0, le=5000)
    max_quote_age_seconds: float = _field(_number, 10.0, gt=0, le=300)
    commission_rate: Decimal = _field(_decimal, Decimal("0.001"), ge=0, lt=1)
    commission_minimum: Decimal = _field(_decimal, Decimal(0), ge=0)
    market_buy_buffer_bps: Decimal = _field(_decimal, Decimal(100), ge=0, le=5000)

    pending_index_shards: int = _field(_integer, 4, ge=1, le=64)
    order_id_block_size: int = _field(_integer, 1, ge=1, le=1000)

    process_all_time_budget_seconds: float = _field(_number, 20.0, gt=0, le=25)
    process_all_concurrency: int = _field(_integer, 8, ge=1, le=64)

    # Admin health's thresholds. Every one fails closed: a function without the variable keeps the
    # check on at its default, and there is no value that turns a check off except an explicit
    # PROCESS_ALL_SCHEDULE_ENABLED=false (the template's ProcessAllScheduleEnabled) for the schedule's.
    # Health is degraded when the oldest pending order is older.
    stale_pending_minutes: int = _field(_integer, 15, ge=1, le=7 * 24 * 60)
    process_all_schedule: str = _field(_text, "rate(1 minute)", min_length=1)  # The schedule's expression (its period).
    process_all_schedule_enabled: bool = _field(_flag, True)
    # Unset: health cannot read the DLQ's depth and says so (degraded), rather than leave the check out.
    execution_dead_letter_queue_url: str | None = _field(_text, None, empty_as_none=True)

    # Decimal places a quantity, and a limit price, may have, per symbol (others: 8).
    quantity_decimals: dict[str, int] = _field(_places, {})
    price_decimals: dict[str, int] = _field(_places, {})
    idempotency_ttl_seconds: int = _field(_integer, 86400, ge=60, le=7 * 86400)

    # Enforce ownership from the JWT claims API Gateway passes. Fails closed: a function deployed without
    # AUTH_ENABLED enforces ownership; only an explicit "false" (local runs, tests) turns the checks off.
    auth_enabled: bool = _field(_flag, True)
    user_id_claim: str = _field(_text, "user_id", min_length=1)
    admin_scope: str = _field(_text, "orders/admin", min_length=1)
    admin_group: str = _field(_text, "admin", min_length=1)

    # X-Ray (Tracing=Active sets it to false). Without the variable tracing stays off: the Tracer and the
    # X-Ray SDK are then never imported (orders_common.tracing).
    powertools_trace_disabled: bool = _field(_flag, True)

    def __init__(self, **values: object) -> None:
        parsed: dict[str, object] = {}
        problems: list[str] = []
        for name, field in _FIELDS.items():
            if name in values:
                try:
                    parsed[name] = field.read(values[name])
                except ValueError as error:
                    problems += (f"{name.upper()}: {problem}" for problem in error.args)
            elif field.default is ...:
                problems.append(f"{name.upper()}: required")
            else:
                parsed[name] = self.default(name)
        self.__dict__.update(parsed)
        if parsed.keys() >= _VENUE_FIELDS:  # its rules need their fields valid
            problems += self._venue_problems()
        if problems:
            raise SettingsError(problems)

    def _venue_problems(self) -> Iterator[str]:
        if self.exchange == "hyperliquid" and self.hyperliquid_secret_arn is None:
            yield "EXCHANGE=hyperliquid needs HYPERLIQUID_SECRET_ARN (the API wallet's secret)"
        if self.hyperliquid_network == "mainnet" and not self.hyperliquid_mainnet_confirmed:
            yield "HYPERLIQUID_NETWORK=mainnet needs HYPERLIQUID_MAINNET_CONFIRMED=true"
        url = (self.hyperliquid_api_url or "").strip().rstrip("/").lower()
        if url == "https://api.hyperliquid.xyz" and self.hyperliquid_network != "mainnet":
            yield "HYPERLIQUID_API_URL is mainnet's: use HYPERLIQUID_NETWORK=mainnet, and its confirmation"
        if url and self.hyperliquid_network == "mainnet" and url != "https://api.hyperliquid.xyz":
            yield "HYPERLIQUID_NETWORK=mainnet uses Hyperliquid's own URL: unset HYPERLIQUID_API_URL"

    def __setattr__(self, name: str, *value: object) -> None:
        raise AttributeError(f"Settings are immutable: cannot change {name}")

    __delattr__ = __setattr__

    def __repr__(self) -> str:
        return f"Settings({', '.join(f'{name}={getattr(self, name)!r}' for name in _FIELDS)})"

    @property
    def process_all_period(self) -> timedelta:
        """The schedule's period, from a ``rate(N unit)`` expression. A ``cron(...)`` expression has no
        single period: one day is assumed (the check still catches a schedule that stopped)."""
        if found := re.fullmatch(_RATE, self.process_all_schedule.strip()):
            return timedelta(seconds=int(found.group(1)) * _UNIT_SECONDS[found.group(2).rstrip("s")])
        return timedelta(days=1)

    @classmethod
    def default(cls, name: str) -> Any:
        """The field's default (a fresh copy of a table's); ``KeyError`` for an unknown or required field."""
        if (default := _FIELDS[name].default) is ...:
            raise KeyError(f"{name} is required: it has no default")
        return dict(default) if isinstance(default, dict) else default

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """From the variables named after the fields in upper case; any other variable is ignored."""
        return cls(**{name: environ[name.upper()] for name in _FIELDS if name.upper() in environ})


# The declarations, in order (kept on the class too, where every instance's own values shadow them).
_FIELDS = {name: field for name, field in vars(Settings).items() if isinstance(field, _Field)}
_VENUE_FIELDS = {name for name in _FIELDS if name == "exchange" or name.startswith("hyperliquid_")}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_environ(os.environ)
