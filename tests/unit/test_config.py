"""Settings from environment variables."""

from __future__ import annotations

from datetime import timedelta
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


SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hyperliquid-AbCdEf"


def test_the_venue_defaults_to_paper_on_testnet_with_an_order_limit() -> None:
    settings = Settings.from_environ({"TABLE_NAME": "t", "HYPERLIQUID_SECRET_ARN": ""})

    assert (settings.exchange, settings.hyperliquid_network) == ("paper", "testnet")
    assert settings.hyperliquid_secret_arn is None  # the template's empty parameter is "not given"
    # A missing MAX_ORDER_NOTIONAL keeps a limit: it never turns the check off.
    assert settings.max_order_notional == Decimal(1_000_000)


def test_the_venue_is_configured_by_its_variables() -> None:
    settings = Settings.from_environ(
        {
            "TABLE_NAME": "t",
            "EXCHANGE": "hyperliquid",
            "HYPERLIQUID_NETWORK": "mainnet",
            "HYPERLIQUID_MAINNET_CONFIRMED": "true",
            "HYPERLIQUID_SECRET_ARN": SECRET,
            "MAX_ORDER_NOTIONAL": "2500.5",
        }
    )

    assert (settings.exchange, settings.hyperliquid_network) == ("hyperliquid", "mainnet")
    assert settings.hyperliquid_secret_arn == SECRET
    assert settings.max_order_notional == Decimal("2500.5")


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        ({}, "https://api.hyperliquid-testnet.xyz"),
        ({"HYPERLIQUID_API_URL": ""}, "https://api.hyperliquid-testnet.xyz"),
        ({"HYPERLIQUID_API_URL": "http://127.0.0.1:8123/"}, "http://127.0.0.1:8123"),
        ({"HYPERLIQUID_NETWORK": "mainnet", "HYPERLIQUID_MAINNET_CONFIRMED": "true"}, "https://api.hyperliquid.xyz"),
        (
            {
                "HYPERLIQUID_NETWORK": "mainnet",
                "HYPERLIQUID_MAINNET_CONFIRMED": "true",
                "HYPERLIQUID_API_URL": "https://api.hyperliquid.xyz/",
            },
            "https://api.hyperliquid.xyz",  # exactly the SDK's constant: it signs for mainnet only on that string
        ),
    ],
)
def test_the_venue_url_is_the_networks_or_a_local_stand_in(environ: dict[str, str], url: str) -> None:
    from orders_common.exchange.hyperliquid_venue import base_url_for

    assert base_url_for(Settings.from_environ({"TABLE_NAME": "t", **environ})) == url


@pytest.mark.parametrize(
    "venue",
    [
        {"EXCHANGE": "hyperliquid"},  # no secret: refused, never run without a key
        {"EXCHANGE": "hyperliquid", "HYPERLIQUID_SECRET_ARN": ""},
        {"EXCHANGE": "hyperliquid", "HYPERLIQUID_SECRET_ARN": "0xabc"},  # a key, not the ARN of a secret
        {"EXCHANGE": "binance", "HYPERLIQUID_SECRET_ARN": SECRET},
        {"EXCHANGE": "hyperliquid", "HYPERLIQUID_SECRET_ARN": SECRET, "HYPERLIQUID_NETWORK": "devnet"},
        # Mainnet without its confirmation, or with one that is not an explicit true.
        {"EXCHANGE": "hyperliquid", "HYPERLIQUID_SECRET_ARN": SECRET, "HYPERLIQUID_NETWORK": "mainnet"},
        {"HYPERLIQUID_NETWORK": "mainnet", "HYPERLIQUID_MAINNET_CONFIRMED": "yes"},
        # Mainnet's URL is not a way onto mainnet around the network and its confirmation (any spelling) ...
        {"HYPERLIQUID_API_URL": "https://api.hyperliquid.xyz"},
        {"HYPERLIQUID_API_URL": "HTTPS://API.hyperliquid.xyz/"},
        # ... and confirmed mainnet is never pointed elsewhere.
        {"HYPERLIQUID_NETWORK": "mainnet", "HYPERLIQUID_MAINNET_CONFIRMED": "true", "HYPERLIQUID_API_URL": "http://x"},
        {"MAX_ORDER_NOTIONAL": "0"},  # there is no "no limit"
        {"MAX_ORDER_NOTIONAL": "-5"},
        {"MAX_ORDER_NOTIONAL": ""},
        {"MAX_ORDER_NOTIONAL": "Infinity"},
    ],
)
def test_an_incomplete_or_unknown_venue_is_refused(venue: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Settings.from_environ({"TABLE_NAME": "t", **venue})


def test_health_checks_fail_closed_without_their_variables() -> None:
    settings = Settings.from_environ({"TABLE_NAME": "t"})

    assert settings.stale_pending_minutes == 15
    assert settings.process_all_schedule_enabled is True  # the schedule is expected to run
    assert settings.process_all_period == timedelta(minutes=1)
    assert settings.execution_dead_letter_queue_url is None  # health then says the DLQ is unreadable


@pytest.mark.parametrize(
    ("expression", "period"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(2 hours)", timedelta(hours=2)),
        ("cron(0/5 * * * ? *)", timedelta(days=1)),  # no single period: a stopped schedule is still caught
    ],
)
def test_the_schedule_period_comes_from_its_expression(expression: str, period: timedelta) -> None:
    assert Settings.from_environ({"TABLE_NAME": "t", "PROCESS_ALL_SCHEDULE": expression}).process_all_period == period


@pytest.mark.parametrize(
    "environ",
    [
        {"STALE_PENDING_MINUTES": "0"},
        {"STALE_PENDING_MINUTES": "soon"},
        {"PROCESS_ALL_SCHEDULE_ENABLED": "off"},  # only an explicit false turns the schedule's check off
    ],
)
def test_bad_health_settings_are_refused(environ: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Settings.from_environ({"TABLE_NAME": "t", **environ})
