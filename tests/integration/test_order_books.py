"""Order books: Hyperliquid's l2Book against a local server playing its answers (once per symbol per
invocation, retried, an outage remembered), and the static source's synthetic book."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from localdev.fake_hyperliquid import Reply, Script, fake_hyperliquid
from orders_common.errors import ExchangeUnavailable, UnknownSymbol
from orders_common.exchange.books import StaticBookSource
from orders_common.exchange.hyperliquid_books import HyperliquidBookSource
from orders_common.exchange.hyperliquid_info import InfoClient
from orders_common.exchange.prices import StaticPriceSource


@pytest.fixture
def hyperliquid() -> Iterator[tuple[str, Script]]:
    with fake_hyperliquid() as served:
        yield served


def books(url: str, **options: float) -> HyperliquidBookSource:
    info = InfoClient(url, timeout_seconds=0.5, max_attempts=int(options.pop("max_attempts", 3)), sleep=lambda _: None)
    return HyperliquidBookSource(info, **options)


def test_a_book_is_read_exactly_best_levels_first(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid
    script.replies.append(
        Reply.book(
            "BTC",
            bids=[("68499.5", "0.25"), ("68500.0", "1.5")],  # out of order on purpose
            asks=[("68501.0", "2"), ("68502.5", "0.00001")],
            millis=1_796_400_000_123,
        )
    )

    book = books(url).get_book("btc")

    assert [(level.price, level.size) for level in book.bids] == [
        (Decimal("68500.0"), Decimal("1.5")),
        (Decimal("68499.5"), Decimal("0.25")),
    ]
    assert [(level.price, level.size) for level in book.asks] == [
        (Decimal("68501.0"), Decimal(2)),
        (Decimal("68502.5"), Decimal("0.00001")),
    ]
    assert book.quoted_at == datetime(2026, 12, 4, 16, 0, 0, 123000, tzinfo=UTC)
    assert script.requests == [{"type": "l2Book", "coin": "BTC"}]


def test_the_sides_are_told_apart_by_price_not_by_position(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid
    script.replies.append(Reply.book("ETH", bids=[("3501", "1")], asks=[("3499", "2")]))  # swapped

    book = books(url).get_book("ETH")

    assert (book.bids[0].price, book.asks[0].price) == (Decimal(3499), Decimal(3501))


def test_one_request_per_symbol_per_invocation(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid
    source = books(url)

    for symbol in ("BTC", "ETH", "BTC", "ETH", "BTC"):
        source.get_book(symbol)
    assert [request["coin"] for request in script.requests] == ["BTC", "ETH"]

    source.clear_cache()
    source.get_book("BTC")
    assert len(script.requests) == 3


def test_failures_are_retried_and_an_outage_is_remembered_per_symbol(hyperliquid: tuple[str, Script]) -> None:
    url, script = hyperliquid
    script.replies += [Reply(503), Reply(200, b"{not json")]
    source = books(url)

    assert source.get_book("BTC").asks  # the third attempt
    script.replies += [Reply(503)] * 3
    with pytest.raises(ExchangeUnavailable, match="the SOL book"):
        source.get_book("SOL")
    sent = len(script.requests)
    with pytest.raises(ExchangeUnavailable):
        source.get_book("SOL")
    assert len(script.requests) == sent  # no second wait for the same venue outage
    assert source.get_book("ETH").bids


@pytest.mark.parametrize(
    "body",
    [
        b'{"coin": "BTC", "time": 1, "levels": [[{"px": "x", "sz": "1"}], []]}',
        b'{"coin": "BTC", "time": 1, "levels": [[{"px": "1", "sz": "-1"}], []]}',
        b'{"coin": "BTC", "time": 1, "levels": [[]]}',
        b'{"coin": "BTC", "levels": [[], []]}',
        b"[]",
    ],
)
def test_malformed_books_are_not_traded_on(hyperliquid: tuple[str, Script], body: bytes) -> None:
    url, script = hyperliquid
    script.replies += [Reply(200, body)] * 3

    with pytest.raises(ExchangeUnavailable):
        books(url).get_book("BTC")


def test_a_coin_hyperliquid_does_not_list_is_unknown(hyperliquid: tuple[str, Script]) -> None:
    url, _ = hyperliquid

    with pytest.raises(UnknownSymbol):
        books(url).get_book("NOPE")


def test_the_static_book_follows_the_static_price() -> None:
    prices = StaticPriceSource({"BTC": Decimal(68500)})
    at = datetime(2026, 12, 4, tzinfo=UTC)
    source = StaticBookSource(prices, levels=3, level_size=Decimal(2), step_bps=Decimal(10), clock=lambda: at)

    book = source.get_book("btc")

    assert [level.price for level in book.asks] == [Decimal("68568.5"), Decimal("68637"), Decimal("68705.5")]
    assert [level.price for level in book.bids] == [Decimal("68431.5"), Decimal("68363"), Decimal("68294.5")]
    assert {level.size for level in (*book.asks, *book.bids)} == {Decimal(2)}
    assert (book.symbol, book.quoted_at) == ("BTC", at)
    with pytest.raises(UnknownSymbol):
        source.get_book("DOGE")
