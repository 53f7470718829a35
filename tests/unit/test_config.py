"""Settings from environment variables."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from orders_common.config import Settings, SettingsError, get_settings


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
    with pytest.raises(SettingsError):
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
    with pytest.raises(SettingsError):
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
    with pytest.raises(SettingsError):
        Settings.from_environ({"TABLE_NAME": "t", **environ})


# The defaults of every field, as the pydantic model had them (captured from it before it was replaced).
PYDANTIC_DEFAULTS = {
    "table_name": "t",  # required: the only one given
    "execution_queue_url": None,
    "execution_queue_visibility_seconds": 180,
    "event_bus_name": None,
    "price_source": "static",
    "static_prices": {},
    "hyperliquid_info_url": "https://api.hyperliquid.xyz/info",
    "price_timeout_seconds": 2.0,
    "price_max_attempts": 3,
    "price_cache_seconds": 5.0,
    "exchange": "paper",
    "hyperliquid_network": "testnet",
    "hyperliquid_secret_arn": None,
    "hyperliquid_api_url": None,
    "hyperliquid_mainnet_confirmed": False,
    "max_order_notional": Decimal("1000000"),
    "static_book_levels": 10,
    "static_book_level_size": Decimal("1"),
    "static_book_step_bps": Decimal("1"),
    "max_slippage_bps": Decimal("50"),
    "max_quote_age_seconds": 10.0,
    "commission_rate": Decimal("0.001"),
    "commission_minimum": Decimal("0"),
    "market_buy_buffer_bps": Decimal("100"),
    "pending_index_shards": 4,
    "order_id_block_size": 1,
    "process_all_time_budget_seconds": 20.0,
    "process_all_concurrency": 8,
    "stale_pending_minutes": 15,
    "process_all_schedule": "rate(1 minute)",
    "process_all_schedule_enabled": True,
    "execution_dead_letter_queue_url": None,
    "quantity_decimals": {},
    "price_decimals": {},
    "idempotency_ttl_seconds": 86400,
    "auth_enabled": True,
    "user_id_claim": "user_id",
    "admin_scope": "orders/admin",
    "admin_group": "admin",
    "powertools_trace_disabled": True,
}


def test_given_only_the_table_every_other_field_has_the_pydantic_models_default() -> None:
    settings = Settings.from_environ({"TABLE_NAME": "t"})

    # Every field, none more (an instance holds exactly its fields), with the same values and types.
    assert vars(settings) == PYDANTIC_DEFAULTS
    assert {name: type(value) for name, value in vars(settings).items()} == {
        name: type(value) for name, value in PYDANTIC_DEFAULTS.items()
    }
    assert {name: Settings.default(name) for name in PYDANTIC_DEFAULTS if name != "table_name"} == {
        name: value for name, value in PYDANTIC_DEFAULTS.items() if name != "table_name"
    }


def test_a_required_field_has_no_default_and_tables_are_not_shared() -> None:
    with pytest.raises(KeyError):
        Settings.default("table_name")

    # Each instance gets its own (empty) table: one cannot leak into another.
    first, second = Settings.from_environ({"TABLE_NAME": "t"}), Settings.from_environ({"TABLE_NAME": "t"})
    assert first.static_prices is not second.static_prices


def test_unrelated_variables_are_ignored() -> None:
    environ = {"TABLE_NAME": "t", "PATH": "/usr/bin", "table_name": "lower case is not the variable", "AWS_REGION": "x"}

    assert Settings.from_environ(environ).table_name == "t"


@pytest.mark.parametrize(
    ("variable", "given", "expected"),
    [
        # Ints as pydantic's lax mode read them: spaces, a sign, underscores, a ".0" fraction.
        ("PENDING_INDEX_SHARDS", "1", 1),
        ("PENDING_INDEX_SHARDS", "64", 64),
        ("PENDING_INDEX_SHARDS", " 8 ", 8),
        ("PENDING_INDEX_SHARDS", "+8", 8),
        ("PENDING_INDEX_SHARDS", "08", 8),
        ("PENDING_INDEX_SHARDS", "8.0", 8),
        ("ORDER_ID_BLOCK_SIZE", "1_000", 1000),
        ("IDEMPOTENCY_TTL_SECONDS", "60", 60),
        # Floats: an int is a float; the upper bound is inclusive.
        ("PRICE_TIMEOUT_SECONDS", "10", 10.0),
        ("PRICE_TIMEOUT_SECONDS", "2", 2.0),
        ("PRICE_TIMEOUT_SECONDS", "0.5", 0.5),
        ("PRICE_TIMEOUT_SECONDS", "1e-1", 0.1),
        ("PRICE_CACHE_SECONDS", "0", 0.0),
        # Decimals keep their digits.
        ("COMMISSION_RATE", "0", Decimal(0)),
        ("COMMISSION_RATE", "0.999", Decimal("0.999")),
        ("MAX_SLIPPAGE_BPS", "5000", Decimal(5000)),
        ("MAX_ORDER_NOTIONAL", "1e15", Decimal("1e15")),
        # Tables: symbols upper-cased, entries trimmed, empty entries skipped, the last of a symbol kept.
        ("STATIC_PRICES", "", {}),
        ("STATIC_PRICES", " btc = 1 ,, eth=2.5,", {"BTC": Decimal(1), "ETH": Decimal("2.5")}),
        ("STATIC_PRICES", "BTC=1,BTC=2", {"BTC": Decimal(2)}),
        ("QUANTITY_DECIMALS", "btc=5", {"BTC": 5}),
        ("PRICE_DECIMALS", "BTC=0, ETH=8", {"BTC": 0, "ETH": 8}),
        # Flags: true or false in any case, spaces around allowed.
        ("HYPERLIQUID_MAINNET_CONFIRMED", " True ", True),
        ("PROCESS_ALL_SCHEDULE_ENABLED", "FALSE", False),
        # A blank optional is "not given"; any other value is kept as it is.
        ("HYPERLIQUID_SECRET_ARN", "  ", None),
        ("HYPERLIQUID_API_URL", " ", None),
        ("EXECUTION_DEAD_LETTER_QUEUE_URL", "", None),
        ("EXECUTION_QUEUE_URL", "", ""),  # not one of the blank-is-unset settings
        ("EVENT_BUS_NAME", " ", " "),
        ("HYPERLIQUID_INFO_URL", "http://127.0.0.1:8123/info", "http://127.0.0.1:8123/info"),
        ("PRICE_SOURCE", "hyperliquid", "hyperliquid"),
    ],
)
def test_given_a_value_at_or_inside_its_rules_then_it_is_read(variable: str, given: str, expected: object) -> None:
    settings = Settings.from_environ({"TABLE_NAME": "t", variable: given})

    value = getattr(settings, variable.lower())
    assert value == expected
    assert type(value) is type(expected)


def test_given_no_optional_variables_then_they_are_none() -> None:
    settings = Settings.from_environ({"TABLE_NAME": "t"})

    assert settings.execution_queue_url is None
    assert settings.event_bus_name is None
    assert settings.hyperliquid_secret_arn is None


@pytest.mark.parametrize(
    ("variable", "given"),
    [
        ("PENDING_INDEX_SHARDS", "65"),  # ge=1, le=64
        ("PENDING_INDEX_SHARDS", "-1"),
        ("PENDING_INDEX_SHARDS", "4.5"),
        ("PENDING_INDEX_SHARDS", "1e1"),
        ("PENDING_INDEX_SHARDS", "1__0"),
        ("PENDING_INDEX_SHARDS", "0x10"),
        ("PENDING_INDEX_SHARDS", ""),
        ("ORDER_ID_BLOCK_SIZE", "2.5"),  # an int is not read from a fraction
        ("ORDER_ID_BLOCK_SIZE", "1001"),
        ("EXECUTION_QUEUE_VISIBILITY_SECONDS", "43201"),
        ("IDEMPOTENCY_TTL_SECONDS", "59"),
        ("PRICE_TIMEOUT_SECONDS", "0"),  # gt=0
        ("PRICE_TIMEOUT_SECONDS", "10.001"),
        ("PRICE_TIMEOUT_SECONDS", "nan"),
        ("PRICE_TIMEOUT_SECONDS", "inf"),
        ("PRICE_TIMEOUT_SECONDS", "soon"),
        ("PRICE_CACHE_SECONDS", "-0.1"),
        ("PRICE_CACHE_SECONDS", "nan"),  # NaN is within no bounds
        ("COMMISSION_RATE", "1"),  # lt=1
        ("COMMISSION_RATE", "-0.001"),
        ("MAX_SLIPPAGE_BPS", "NaN"),  # a Decimal must be finite
        ("MAX_SLIPPAGE_BPS", "-Infinity"),
        ("MAX_SLIPPAGE_BPS", "5000.01"),
        ("MAX_SLIPPAGE_BPS", "seven"),
        ("STATIC_BOOK_LEVEL_SIZE", "0"),
        ("STATIC_PRICES", "BTC=0"),  # a price is > 0 ...
        ("STATIC_PRICES", "BTC=NaN"),  # ... and finite
        ("STATIC_PRICES", "BTC=1,ETH"),
        ("STATIC_PRICES", "BTC=-1,BTC=1"),  # every entry is checked, even one a later entry replaces
        ("QUANTITY_DECIMALS", "BTC=9"),  # 0 to 8 places
        ("QUANTITY_DECIMALS", "BTC=-1"),
        ("QUANTITY_DECIMALS", "BTC=2.5"),
        ("PRICE_DECIMALS", "BTC"),
        ("PRICE_DECIMALS", "BTC="),
        ("EXCHANGE", "Hyperliquid"),  # choices are exact
        ("HYPERLIQUID_NETWORK", " testnet"),
        ("HYPERLIQUID_MAINNET_CONFIRMED", "1"),
        ("POWERTOOLS_TRACE_DISABLED", ""),
        ("HYPERLIQUID_SECRET_ARN", f"{SECRET}\n"),
        ("HYPERLIQUID_SECRET_ARN", f" {SECRET}"),
        ("HYPERLIQUID_SECRET_ARN", "arn:aws:ssm:us-east-1:123456789012:parameter/key"),
        ("EVENT_BUS_NAME", ""),  # min_length=1
        ("USER_ID_CLAIM", ""),
        ("PROCESS_ALL_SCHEDULE", ""),
    ],
)
def test_given_a_value_outside_its_rules_then_its_variable_is_named(variable: str, given: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_environ({"TABLE_NAME": "t", variable: given})

    assert [problem.partition(":")[0] for problem in refused.value.problems] == [variable]


def test_an_error_lists_every_problem_each_with_its_variable() -> None:
    environ = {"PENDING_INDEX_SHARDS": "0", "STATIC_PRICES": "BTC=0,ETH=x", "AUTH_ENABLED": "no", "EXCHANGE": "ftx"}

    with pytest.raises(SettingsError) as refused:
        Settings.from_environ(environ)

    assert refused.value.problems == (
        "TABLE_NAME: required",
        "STATIC_PRICES: price for 'BTC' must be > 0, not '0'",
        "STATIC_PRICES: price for 'ETH' must be a number, not 'x'",
        "EXCHANGE: must be one of ('paper', 'hyperliquid'), not 'ftx'",
        "PENDING_INDEX_SHARDS: must be >= 1, not '0'",
        "AUTH_ENABLED: expected true or false, not 'no'",
    )
    assert str(refused.value).startswith("invalid settings: TABLE_NAME: required; STATIC_PRICES: ")
    assert isinstance(refused.value, ValueError)  # what runtime's _tracing_on catches


def test_every_venue_rule_broken_is_listed() -> None:
    environ = {"TABLE_NAME": "t", "EXCHANGE": "hyperliquid", "HYPERLIQUID_NETWORK": "mainnet"}

    with pytest.raises(SettingsError) as refused:
        Settings.from_environ(environ)

    assert refused.value.problems == (
        "EXCHANGE=hyperliquid needs HYPERLIQUID_SECRET_ARN (the API wallet's secret)",
        "HYPERLIQUID_NETWORK=mainnet needs HYPERLIQUID_MAINNET_CONFIRMED=true",
    )


def test_a_value_given_as_the_secret_arn_is_never_shown() -> None:
    key = "0x" + "ab" * 32  # a key pasted where its secret's ARN belongs

    with pytest.raises(SettingsError) as refused:
        Settings.from_environ({"TABLE_NAME": "t", "HYPERLIQUID_SECRET_ARN": key})

    assert "HYPERLIQUID_SECRET_ARN: " in str(refused.value)
    assert key not in str(refused.value)


def test_settings_cannot_be_changed() -> None:
    settings = Settings.from_environ({"TABLE_NAME": "t"})

    with pytest.raises(AttributeError):
        settings.table_name = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del settings.table_name
    assert settings.table_name == "t"


def test_settings_are_built_from_python_values_with_the_same_rules() -> None:
    settings = Settings(table_name="t", static_prices={"BTC": Decimal(1)}, price_timeout_seconds=3, auth_enabled=False)

    assert settings.static_prices == {"BTC": Decimal(1)}
    assert settings.price_timeout_seconds == 3.0
    assert settings.auth_enabled is False
    with pytest.raises(SettingsError, match="PENDING_INDEX_SHARDS"):
        Settings(table_name="t", pending_index_shards=0)
    assert not hasattr(Settings(table_name="t", no_such_field=1), "no_such_field")  # ignored, as by from_environ


def test_the_repr_names_every_field() -> None:
    shown = repr(Settings.from_environ({"TABLE_NAME": "orders", "HYPERLIQUID_SECRET_ARN": SECRET}))

    assert shown.startswith("Settings(table_name='orders', execution_queue_url=None, ")
    assert f"hyperliquid_secret_arn={SECRET!r}" in shown  # an ARN, not a secret
    assert shown.endswith("powertools_trace_disabled=True)")


def test_get_settings_reads_the_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    monkeypatch.setenv("TABLE_NAME", "first")
    try:
        first = get_settings()
        monkeypatch.setenv("TABLE_NAME", "second")

        assert get_settings() is first
        get_settings.cache_clear()
        assert get_settings().table_name == "second"
    finally:
        get_settings.cache_clear()
