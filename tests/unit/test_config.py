"""Settings from environment variables."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from orders_common.config import Settings


def test_settings_come_from_upper_case_variables() -> None:
    settings = Settings.from_environ(
        {"TABLE_NAME": "orders", "STATIC_PRICES": "btc=68500, ETH=3500.5", "MAX_SLIPPAGE_BPS": "7", "UNRELATED": "x"}
    )

    assert settings.table_name == "orders"
    assert settings.static_prices == {"BTC": Decimal("68500"), "ETH": Decimal("3500.5")}
    assert settings.max_slippage_bps == Decimal(7)
    assert settings.price_source == "static"


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"TABLE_NAME": ""},
        {"TABLE_NAME": "t", "STATIC_PRICES": "BTC"},
        {"TABLE_NAME": "t", "STATIC_PRICES": "BTC=abc"},
        {"TABLE_NAME": "t", "STATIC_PRICES": "BTC=-1"},
        {"TABLE_NAME": "t", "PRICE_SOURCE": "binance"},
        {"TABLE_NAME": "t", "PENDING_INDEX_SHARDS": "0"},
        {"TABLE_NAME": "t", "AUTH_ENABLED": "no"},  # neither true nor false: refused, not read as off
        {"TABLE_NAME": "t", "AUTH_ENABLED": ""},
    ],
)
def test_bad_configuration_fails_loudly(environ: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Settings.from_environ(environ)


def test_ownership_checks_fail_closed() -> None:
    # A function deployed without AUTH_ENABLED enforces ownership; only an explicit false turns it off.
    assert Settings.from_environ({"TABLE_NAME": "t"}).auth_enabled is True
    assert Settings.from_environ({"TABLE_NAME": "t", "AUTH_ENABLED": "TRUE"}).auth_enabled is True
    assert Settings.from_environ({"TABLE_NAME": "t", "AUTH_ENABLED": "False"}).auth_enabled is False
