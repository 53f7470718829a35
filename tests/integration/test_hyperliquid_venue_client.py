"""The venue client against the local Hyperliquid stand-in, as the adapter will use it: credentials from a
(moto) Secrets Manager secret, every action signed by the SDK with the configured API wallet (the stand-in
verifies each signature as the venue does), and each way a request can fail mapped to what the engine needs
to know: certainly not sent (ExchangeUnavailable) or possibly acted on (AmbiguousOutcome). No network."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from localdev.fake_hyperliquid_exchange import FakeExchange, fake_hyperliquid_venue
from localdev.hyperliquid_signing import recover_l1_signer
from orders_common.config import Settings
from orders_common.errors import ExchangeUnavailable
from orders_common.exchange.base import AmbiguousOutcome
from orders_common.exchange.hyperliquid_answers import Filled, Resting, VenueFill, VenueRejected
from orders_common.exchange.hyperliquid_rules import cloid_for
from orders_common.exchange.hyperliquid_venue import VenueClient, connect
from tests.support.venue_secrets import AGENT_KEY, USER, store_secret

AGENT = Account.from_key(AGENT_KEY)
STRANGER_KEY = "0x" + "22" * 32
STEP = Decimal("6.85")  # 1 bp of the BTC mid of 68500: the stand-in's levels are this far apart


@pytest.fixture
def venue() -> Iterator[tuple[str, FakeExchange]]:
    with fake_hyperliquid_venue({AGENT.address: USER}) as served:
        yield served


def venue_settings(url: str, arn: str, timeout: float = 0.5) -> Settings:
    return Settings.from_environ(
        {
            "TABLE_NAME": "t",
            "EXCHANGE": "hyperliquid",
            "HYPERLIQUID_SECRET_ARN": arn,
            "HYPERLIQUID_API_URL": url,
            "PRICE_TIMEOUT_SECONDS": str(timeout),
        }
    )


@pytest.fixture
def client(
    venue: tuple[str, FakeExchange], venue_secrets: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> VenueClient:
    monkeypatch.setattr(sys, "path", list(sys.path))  # connect appends the venue layer's directory
    url, _ = venue
    built = connect(venue_settings(url, store_secret(venue_secrets, "hyperliquid")), venue_packages=str(tmp_path))
    assert sys.path[-1] == str(tmp_path)  # appended, after everything already there (the common layer)
    return built


def test_the_listings_are_fetched_once_per_container_and_the_sdk_asks_for_nothing(
    venue: tuple[str, FakeExchange], venue_secrets: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    url, fake = venue
    asked: list[str] = []
    answer = fake.info
    monkeypatch.setattr(fake, "info", lambda request: asked.append(request["type"]) or answer(request))
    settings = venue_settings(url, store_secret(venue_secrets, "hyperliquid"))

    first, second = connect(settings), connect(settings)
    first.place("ETH", True, Decimal(1), Decimal(3400), "Gtc", False, cloid_for(30))

    # One meta for both clients; no spotMeta (the SDK would ask for it unless given), none on an order.
    assert asked == ["meta"] and second is not first
    assert sys.path.count("/opt/venue") == 1  # the venue layer's directory, by default, and once however often


def test_an_ioc_buy_fills_at_the_books_levels(client: VenueClient, venue: tuple[str, FakeExchange]) -> None:
    _, fake = venue
    cloid = cloid_for(7)

    placed = client.place("BTC", True, Decimal("2.5"), Decimal("68600.9"), "Ioc", False, cloid)

    prices = [Decimal(68500) + STEP * n for n in (1, 2, 3)]
    assert isinstance(placed, Filled)
    assert placed.total_size == Decimal("2.5")
    assert placed.average_price == (prices[0] + prices[1] + prices[2] / 2) / Decimal("2.5")
    assert fake.requests[-1]["action"]["orders"][0]["p"] == "68600"  # a buy's limit rounded down onto the tick
    fills = client.fills(cloid)
    assert [(fill.price, fill.size, fill.crossed) for fill in fills] == [
        (prices[0], Decimal(1), True),
        (prices[1], Decimal(1), True),
        (prices[2], Decimal("0.5"), True),
    ]
    assert {fill.oid for fill in fills} == {placed.oid} and len({fill.tid for fill in fills}) == 3
    assert fills[0].fee == round(prices[0] * Decimal("0.00045"), 6)
    status = client.order_status(cloid)
    assert status is not None and (status.state, status.filled_size, status.oid) == ("filled", 2.5, placed.oid)


def test_a_gtc_sell_rests_then_fills_when_the_mid_crosses(client: VenueClient, venue: tuple[str, FakeExchange]) -> None:
    _, fake = venue
    cloid = cloid_for(8)

    placed = client.place("BTC", False, Decimal("0.500009"), Decimal("69000.2"), "Gtc", False, cloid)
    resting = client.order_status(cloid)
    fake.venue.set_mids({"BTC": "69001"})
    filled = client.order_status(cloid)

    assert isinstance(placed, Resting)
    sent = fake.requests[-1]["action"]["orders"][0]
    assert (sent["s"], sent["p"]) == ("0.5", "69001")  # less size, and a sell's limit rounded up, never down
    assert resting is not None and (resting.state, resting.remaining_size, resting.oid) == ("open", 0.5, placed.oid)
    assert filled is not None and (filled.state, filled.venue_status, filled.remaining_size) == ("filled", "filled", 0)
    [fill] = client.fills(cloid)
    assert fill == VenueFill(
        price=Decimal(69001), size=Decimal("0.5"), fee=Decimal(69001) * Decimal("0.5") * Decimal("0.00015"),
        fee_token="USDC", time=fill.time, tid=fill.tid, oid=placed.oid, crossed=False,
    )  # fmt: skip
    assert client.fills(cloid_for(999), oid=placed.oid) == [fill]  # found by oid as well


def test_cancel_by_cloid(client: VenueClient, venue: tuple[str, FakeExchange]) -> None:
    _, fake = venue
    cloid = cloid_for(9)
    client.place("ETH", True, Decimal(1), Decimal(3400), "Gtc", False, cloid)

    assert client.cancel("ETH", cloid) is True
    assert client.cancel("ETH", cloid) is False  # no longer resting
    assert client.cancel("ETH", cloid_for(10)) is False  # never placed
    fake.venue.set_mids({"ETH": "3300"})
    status = client.order_status(cloid)
    assert status is not None and (status.state, status.remaining_size) == ("canceled", 1)
    assert client.fills(cloid) == []


def test_a_rejection_says_why(client: VenueClient, venue: tuple[str, FakeExchange]) -> None:
    _, fake = venue
    fake.reject_next("Insufficient margin to place order.")

    refused = client.place("BTC", True, Decimal("0.1"), Decimal(68600), "Ioc", False, cloid_for(11))
    unmatched = client.place("BTC", True, Decimal("0.1"), Decimal(68000), "Ioc", False, cloid_for(12))
    unlisted = client.place("DOGE", True, Decimal(1), Decimal(1), "Ioc", False, cloid_for(13))
    too_small = client.place("BTC", True, Decimal("0.000001"), Decimal(68600), "Ioc", False, cloid_for(14))

    assert refused == VenueRejected("Insufficient margin to place order.")
    assert unmatched == VenueRejected("Order could not immediately match against any resting orders. asset=0")
    status = client.order_status(cloid_for(12))
    assert status is not None and (status.state, status.venue_status) == ("rejected", "iocCancelRejected")
    assert isinstance(unlisted, VenueRejected) and isinstance(too_small, VenueRejected)
    assert len(fake.requests) == 2  # the unlisted coin and the size below one lot were never sent


def test_a_timeout_after_the_venue_took_the_order_is_ambiguous(
    client: VenueClient, venue: tuple[str, FakeExchange]
) -> None:
    _, fake = venue
    fake.timeout_next(1.5)

    with pytest.raises(AmbiguousOutcome):
        client.place("BTC", True, Decimal("0.1"), Decimal(60000), "Gtc", False, cloid_for(15))

    status = client.order_status(cloid_for(15))
    assert status is not None and status.state == "open"


def test_a_dropped_answer_is_ambiguous(client: VenueClient, venue: tuple[str, FakeExchange]) -> None:
    _, fake = venue
    fake.drop_next()

    with pytest.raises(AmbiguousOutcome):
        client.place("BTC", True, Decimal(1), Decimal(68600), "Ioc", False, cloid_for(16))

    status = client.order_status(cloid_for(16))
    assert status is not None and status.state == "filled"
    assert sum(fill.size for fill in client.fills(cloid_for(16))) == 1


def test_a_server_error_leaves_the_venue_unavailable_and_a_gateway_timeout_ambiguous(
    client: VenueClient, venue: tuple[str, FakeExchange]
) -> None:
    _, fake = venue
    fake.fail_next(502)
    with pytest.raises(ExchangeUnavailable, match="HTTP 502"):
        client.place("BTC", True, Decimal("0.1"), Decimal(60000), "Gtc", False, cloid_for(17))
    fake.fail_next(504)
    with pytest.raises(AmbiguousOutcome, match="504"):
        client.place("BTC", True, Decimal("0.1"), Decimal(60000), "Gtc", False, cloid_for(18))

    fake.fail_next(429)  # rate limited: refused before it was looked at
    with pytest.raises(ExchangeUnavailable, match="HTTP 429"):
        client.cancel("BTC", cloid_for(18))

    assert client.order_status(cloid_for(17)) is None


def test_an_unreachable_venue_is_unavailable(
    venue_secrets: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    with fake_hyperliquid_venue({AGENT.address: USER}) as (url, _):
        client = connect(venue_settings(url, store_secret(venue_secrets, "hyperliquid")), venue_packages=str(tmp_path))
    # The server is gone: its port refuses connections, so the order certainly was not sent.

    with pytest.raises(ExchangeUnavailable, match="not sent"):
        client.place("BTC", True, Decimal("0.1"), Decimal(60000), "Gtc", False, cloid_for(19))
    with pytest.raises(ExchangeUnavailable):
        client.cancel("BTC", cloid_for(19))


def test_every_action_is_signed_by_the_configured_api_wallet(
    client: VenueClient, venue: tuple[str, FakeExchange]
) -> None:
    _, fake = venue
    cloids = [cloid_for(n) for n in range(100, 108)]
    outcomes: list[Any] = []

    # Eight at once, as a process-all run sends them: each needs a nonce of its own from one signer.
    threads = [
        threading.Thread(
            target=lambda c=c: outcomes.append(client.place("SOL", True, Decimal(1), Decimal(140), "Gtc", False, c))
        )
        for c in cloids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.cancel("SOL", cloids[0])

    assert len(outcomes) == 8 and all(isinstance(outcome, Resting) for outcome in outcomes)
    assert len(fake.requests) == 9 and len({request["nonce"] for request in fake.requests}) == 9
    for request in fake.requests:
        signer = recover_l1_signer(
            request["action"], request["signature"], nonce=request["nonce"], vault_address=None,
            expires_after=None, mainnet=False,
        )  # fmt: skip
        assert signer.lower() == AGENT.address.lower()


def test_actions_within_one_millisecond_get_nonces_of_their_own(
    client: VenueClient, venue: tuple[str, FakeExchange], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, fake = venue
    frozen = time.time()
    monkeypatch.setattr(client, "_clock", lambda: frozen)  # every action signed in the same millisecond

    placed = [client.place("SOL", True, Decimal(1), Decimal(140), "Gtc", False, cloid_for(n)) for n in (40, 41)]

    assert all(isinstance(outcome, Resting) for outcome in placed) and client.cancel("SOL", cloid_for(40))
    assert [request["nonce"] for request in fake.requests] == [int(frozen * 1000) + n for n in (0, 1, 2)]


def test_a_key_the_venue_does_not_know_is_refused_whole(
    venue: tuple[str, FakeExchange], venue_secrets: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    url, fake = venue
    client = connect(
        venue_settings(url, store_secret(venue_secrets, "stranger", key=STRANGER_KEY)), venue_packages=str(tmp_path)
    )

    with pytest.raises(ExchangeUnavailable, match="does not exist"):
        client.place("BTC", True, Decimal("0.1"), Decimal(60000), "Gtc", False, cloid_for(20))

    assert fake.venue.orders == []


def test_no_log_line_holds_the_key(
    venue: tuple[str, FakeExchange],
    venue_secrets: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    url, fake = venue
    arn = store_secret(venue_secrets, "hyperliquid")  # storing it is the test's doing, not the client's: not captured
    caplog.set_level("DEBUG")  # botocore, the SDK and urllib3 log their requests at DEBUG: those too
    client = connect(venue_settings(url, arn), venue_packages=str(tmp_path))
    cloid = cloid_for(21)

    client.place("BTC", True, Decimal("0.1"), Decimal(60000), "Gtc", False, cloid)
    client.order_status(cloid)
    client.cancel("BTC", cloid)
    client.fills(cloid)
    fake.fail_next(502)
    with pytest.raises(ExchangeUnavailable):
        client.place("BTC", True, Decimal("0.1"), Decimal(60000), "Gtc", False, cloid_for(22))

    captured = capfd.readouterr()
    written = (caplog.text + captured.out + captured.err + repr(client.__dict__)).lower()
    assert "hyperliquid order placed" in written  # the logs were captured, and are searched below
    assert AGENT_KEY.removeprefix("0x") not in written
