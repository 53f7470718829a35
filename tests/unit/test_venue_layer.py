"""layers/venue: what the venue layer ships, and where; and what a stack asking for the venue is wired with."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

from orders_common.config import Settings
from orders_common.exchange.hyperliquid import HyperliquidPriceSource
from orders_common.exchange.hyperliquid_exchange import HyperliquidExchange
from orders_common.observability import logger
from orders_common.wiring import Services

ROOT = Path(__file__).resolve().parents[2]
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")
# Provided by the common layer (its pinned versions) or by the runtime's boto3.
LEFT_OUT = {"pydantic", "pydantic-core", "typing-extensions", "annotated-types", "typing-inspection", "urllib3"}


def requirements(layer: str) -> dict[str, str]:
    lines = (ROOT / "layers" / layer / "requirements.txt").read_text().splitlines()
    pins = {}
    for line in (line.strip() for line in lines):
        if line and not line.startswith("#"):
            match = PINNED.match(line)
            assert match, f"{layer}: {line!r} is not pinned with =="
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


def test_the_venue_layer_pins_the_official_sdk_and_what_it_needs() -> None:
    venue = requirements("venue")

    assert "hyperliquid-python-sdk" in venue
    assert {"eth-account", "msgpack", "requests", "certifi"} <= set(venue)  # signing, wire format, HTTP
    assert "ccxt" not in venue


def test_the_venue_layer_repeats_nothing_the_common_layer_or_the_runtime_provides() -> None:
    venue = set(requirements("venue"))

    assert not venue & set(requirements("common"))
    assert not venue & LEFT_OUT
    assert not venue & {"boto3", "botocore", "s3transfer", "jmespath"}


def test_the_venue_layer_is_installed_off_the_default_path() -> None:
    # /opt/python is on every function's sys.path; /opt/venue only once the venue adapter adds it.
    makefile = (ROOT / "layers" / "venue" / "Makefile").read_text()

    assert '--target "$(ARTIFACTS_DIR)/venue"' in makefile
    assert "$(ARTIFACTS_DIR)/python" not in makefile
    assert "--no-deps" in makefile  # only the pinned set, never an unpinned dependency


def test_the_venue_is_the_exchange_and_its_own_mids_the_prices_and_building_them_connects_to_nothing() -> None:
    settings = Settings.from_environ(
        {
            "TABLE_NAME": "t",
            "EXCHANGE": "hyperliquid",
            "HYPERLIQUID_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:hl-AbCdEf",
            "PRICE_SOURCE": "static",  # trading on the venue, its mids price orders whatever this says
        }
    )
    wired = Services(settings)

    exchange = wired.exchange

    assert (exchange.name, exchange.is_external) == ("hyperliquid-testnet", True)
    assert isinstance(exchange, HyperliquidExchange) and exchange._client is None  # no secret read, no request
    prices = wired.prices
    assert isinstance(prices, HyperliquidPriceSource)
    assert prices.info.url == "https://api.hyperliquid-testnet.xyz/info"
    assert Services(Settings.from_environ({"TABLE_NAME": "t"})).exchange.name == "paper"


def test_every_log_line_of_a_stack_on_the_venue_names_it() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hl-AbCdEf"
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        Services(Settings.from_environ({"TABLE_NAME": "t", "EXCHANGE": "hyperliquid", "HYPERLIQUID_SECRET_ARN": arn}))
        logger.info("any line")
    finally:
        logger._logger.removeHandler(handler)
        logger.remove_keys(["exchange"])
    assert json.loads(written.getvalue().splitlines()[-1])["exchange"] == "hyperliquid-testnet"
