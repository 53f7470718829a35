"""The Hyperliquid price source against a local server playing Hyperliquid's responses."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from localdev.fake_hyperliquid import Reply, Script, fake_hyperliquid
from orders_common.errors import ExchangeUnavailable, UnknownSymbol
from orders_common.exchange.hyperliquid import HyperliquidPriceSource
from orders_common.timing import deadline_in
from orders_common.wiring import reset_services
from tests.support.api import assert_error
from tests.support.prices import hyperliquid_prices
from tests.support.stack import Deployed


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def hyperliquid() -> Iterator[tuple[str, Script]]:
    with fake_hyperliquid() as served:
        yield served


def source(url: str, sleeps: Sleeps | None = None, **options: float) -> HyperliquidPriceSource:
    return HyperliquidPriceSource(
        url,
        timeout_seconds=options.pop("timeout_seconds", 0.5),
        max_attempts=int(options.pop("max_attempts", 3)),
        sleep=sleeps or Sleeps(),
        **options,
    )


def test_mid_prices_are_read_exactly(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid

    prices = source(url)

    assert prices.get_price("ETH") == Decimal("3500.5")
    assert prices.get_price("btc") == Decimal("68500")
    assert script.requests == [{"type": "allMids"}]


def test_one_request_serves_every_symbol_until_the_invocation_ends(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid
    prices = source(url)

    for symbol in ("BTC", "ETH", "SOL", "BTC"):
        prices.get_price(symbol)
    assert len(script.requests) == 1

    prices.clear_cache()
    prices.get_price("BTC")
    assert len(script.requests) == 2


def test_cached_prices_expire(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid
    now = [0.0]
    prices = HyperliquidPriceSource(url, cache_seconds=5, clock=lambda: now[0])

    prices.get_price("BTC")
    now[0] = 6.0
    prices.get_price("BTC")

    assert len(script.requests) == 2


def test_an_unlisted_symbol_is_unknown(hyperliquid: tuple[str, Script]) -> None:
    url, _ = hyperliquid

    with pytest.raises(UnknownSymbol):
        source(url).get_price("DOGE")


@pytest.mark.parametrize(
    "failure",
    [
        Reply(500, b'{"error": "internal"}'),
        Reply(503, b""),
        Reply(429, b"slow down"),
        Reply(200, b"<html>gateway</html>"),
        Reply(200, b'["not", "a", "map"]'),
        Reply(200, b"{}"),
        Reply.mids({"BTC": "1"}, delay=2.0),  # slower than the timeout
    ],
    ids=["500", "503", "429", "html", "array", "empty", "slow"],
)
def test_transient_failures_are_retried_with_backoff(hyperliquid: tuple[str, Script], failure: Reply) -> None:
    url, script = hyperliquid
    script.replies = [failure]
    sleeps = Sleeps()

    price = source(url, sleeps).get_price("BTC")

    assert price == Decimal("68500")
    assert len(script.requests) == 2
    assert len(sleeps.waits) == 1


def test_when_every_attempt_fails_prices_are_unavailable(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid
    script.replies = [Reply(502, b"")] * 3
    sleeps = Sleeps()

    with pytest.raises(ExchangeUnavailable):
        source(url, sleeps).get_price("BTC")

    assert len(script.requests) == 3
    assert sleeps.waits[1] > sleeps.waits[0] * 1.0  # exponential: the second wait is the longer
    assert all(wait > 0 for wait in sleeps.waits)


def test_an_outage_is_remembered_until_the_next_invocation(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid
    script.replies = [Reply(502, b"")] * 3
    prices = source(url)

    for symbol in ("BTC", "ETH", "SOL"):  # a batch of orders: only the first waits for the venue
        with pytest.raises(ExchangeUnavailable):
            prices.get_price(symbol)
    assert len(script.requests) == 3

    prices.clear_cache()  # the next invocation asks again
    assert prices.get_price("BTC") == Decimal("68500")
    assert len(script.requests) == 4


def test_no_attempt_or_wait_outlasts_the_invocation(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid
    script.replies = [Reply(502, b"")] * 3
    sleeps = Sleeps()

    # 1.2 s before the answer is due, less the margin kept for it: not enough for a 0.5 s attempt
    with deadline_in(1.2), pytest.raises(ExchangeUnavailable, match="no time left"):
        source(url, sleeps, timeout_seconds=0.5).get_price("BTC")

    assert (script.requests, sleeps.waits) == ([], [])


def test_a_client_error_is_not_retried(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid
    script.replies = [Reply(400, b'{"error": "bad request"}')]

    with pytest.raises(ExchangeUnavailable):
        source(url).get_price("BTC")

    assert len(script.requests) == 1


def test_one_malformed_price_only_makes_that_symbol_unknown(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid
    script.default = Reply.mids({"BTC": "68500", "ETH": "NaN", "SOL": "abc", "XRP": "-1"})

    prices = source(url)

    assert prices.get_price("BTC") == Decimal("68500")
    for symbol in ("ETH", "SOL", "XRP"):
        with pytest.raises(UnknownSymbol):
            prices.get_price(symbol)


def test_nothing_listening_is_unavailable() -> None:
    with pytest.raises(ExchangeUnavailable):
        source("http://127.0.0.1:9/info", max_attempts=2).get_price("BTC")


@pytest.fixture
def live_prices_stack(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Deployed, Script]]:
    with hyperliquid_prices(monkeypatch, max_attempts=2, timeout_seconds=0.5) as script:
        yield stack, script


def test_orders_fill_at_hyperliquid_prices(live_prices_stack: tuple[Deployed, Script]) -> None:
    stack, _ = live_prices_stack
    order = stack.create_order(symbol="ETH", quantity=Decimal("1"))

    body = stack.post(f"/api/orders/execute/{order['id']}").json()

    assert body["market_price"] == Decimal("3500.5")
    assert body["execution_status"] == "filled"


def test_hyperliquid_outage_answers_503_and_leaves_the_order_pending(
    live_prices_stack: tuple[Deployed, Script],
) -> None:
    stack, script = live_prices_stack
    order = stack.create_order()
    before = stack.account(1)
    script.replies = [Reply(500, b""), Reply(500, b"")]

    response = stack.post(f"/api/orders/execute/{order['id']}")

    assert_error(response, 503, "EXCHANGE_UNAVAILABLE")
    assert stack.get(f"/api/orders/order/{order['id']}").json()["status"] == "pending"
    assert stack.account(1) == before


def test_a_symbol_hyperliquid_does_not_list_is_refused_at_create(live_prices_stack: tuple[Deployed, Script]) -> None:
    stack, _ = live_prices_stack

    response = stack.post(
        "/api/orders/create",
        json={"account_id": 1, "symbol": "NOPE", "name": "x", "side": "buy", "order_type": "market", "quantity": 1},
    )

    assert_error(response, 422, "UNKNOWN_SYMBOL")


def test_an_execute_asks_for_prices_and_the_book_once_and_process_all_once_for_all_its_orders(
    live_prices_stack: tuple[Deployed, Script],
) -> None:
    stack, script = live_prices_stack
    order = stack.create_order()
    before = len(script.requests)
    assert stack.post(f"/api/orders/execute/{order['id']}").json()["execution_status"] == "filled"
    assert script.requests[before:] == [{"type": "allMids"}, {"type": "l2Book", "coin": "BTC"}]

    for _ in range(20):
        stack.create_order(quantity=Decimal("0.001"))
    before = len(script.requests)
    result = stack.post("/api/orders/process-all").json()

    assert result["succeeded"] == 20
    assert sorted(request["type"] for request in script.requests[before:]) == ["allMids", "l2Book"]


def test_a_batch_of_prices_is_one_request_and_leaves_out_unlisted_symbols(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid

    found = source(url).get_prices(["eth", "BTC", "NOPE"])

    assert found == {"ETH": Decimal("3500.5"), "BTC": Decimal("68500")}
    assert script.requests == [{"type": "allMids"}]


def test_an_account_is_valued_at_hyperliquid_mids_and_answers_without_them_in_an_outage(
    live_prices_stack: tuple[Deployed, Script],
) -> None:
    stack, script = live_prices_stack
    before = len(script.requests)

    valued = stack.get("/api/accounts/1").json()

    eth = next(p for p in valued["positions"] if p["symbol"] == "ETH")
    assert (eth["current_price"], eth["market_value"]) == (Decimal("3500.5"), Decimal(35005))
    assert script.requests[before:] == [{"type": "allMids"}]
    script.replies = [Reply(502, b"")] * 2
    reset_services()

    degraded = stack.get("/api/accounts/1")

    assert degraded.status == 200
    assert degraded.json()["equity"] is None
    assert degraded.json()["valuation_error"].startswith("Prices are unavailable")
