"""The paper exchange against a book: level by level, bounded by the limit or the slippage, fill or
kill all or nothing, commission per part, notional buys by cash, stale quotes refused."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from orders_common.domain.book import Level, OrderBook
from orders_common.domain.fees import FeeSchedule
from orders_common.errors import ExchangeUnavailable
from orders_common.exchange.base import Fill, NotMarketable, Rejected
from orders_common.exchange.paper import PaperExchange
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, OrderType, Side, TimeInForce


class Books:
    def __init__(self, book: OrderBook) -> None:
        self.book = book

    def get_book(self, symbol: str) -> OrderBook:
        return self.book


def book(age: timedelta = timedelta(0)) -> OrderBook:
    """Mid 100: asks 100.5 x 1, 101 x 2, 103 x 5; bids 99.5 x 1, 99 x 2, 97 x 5."""
    return OrderBook(
        "BTC",
        bids=(Level(Decimal("99.5"), Decimal(1)), Level(Decimal(99), Decimal(2)), Level(Decimal(97), Decimal(5))),
        asks=(Level(Decimal("100.5"), Decimal(1)), Level(Decimal(101), Decimal(2)), Level(Decimal(103), Decimal(5))),
        quoted_at=utc_now() - age,
    )


def exchange(age: timedelta = timedelta(0), minimum: str = "0") -> PaperExchange:
    return PaperExchange(
        books=Books(book(age)),
        fees=FeeSchedule(rate=Decimal("0.001"), minimum=Decimal(minimum)),
        max_slippage_bps=Decimal(250),  # 2.5%: up to 102.5 for a buy, down to 97.5 for a sell
        max_quote_age=timedelta(seconds=10),
        lot_places=lambda _: 4,
    )


def order(side: Side, order_type: OrderType = OrderType.MARKET, **fields: object) -> Order:
    now = utc_now()
    values: dict[str, object] = {
        "id": 1, "account_id": 1, "user_id": 1, "symbol": "BTC", "name": "t", "side": side,
        "order_type": order_type, "quantity": Decimal(2), "status": OrderStatus.PENDING,
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    values.update(fields)
    return Order(**values)  # type: ignore[arg-type]


def fill(decision: object) -> Fill:
    assert isinstance(decision, Fill), decision
    return decision


def test_a_market_buy_takes_levels_at_their_own_prices_with_a_commission_each() -> None:
    result = fill(exchange().execute(order(Side.BUY, quantity=Decimal("2.5")), Decimal(100), "c-1"))

    assert [(p.level, p.price, p.quantity, p.commission) for p in result.parts] == [
        (1, Decimal("100.5"), Decimal(1), Decimal("0.1005")),
        (2, Decimal(101), Decimal("1.5"), Decimal("0.1515")),
    ]
    assert (result.quantity, result.price, result.commission) == (Decimal("2.5"), Decimal("100.8"), Decimal("0.252"))
    assert (result.exchange, result.exchange_order_id) == ("paper", "c-1")


def test_slippage_bounds_a_market_order_and_the_rest_is_left() -> None:
    buy = fill(exchange().execute(order(Side.BUY, quantity=Decimal(10)), Decimal(100), "c"))
    sell = fill(exchange().execute(order(Side.SELL, quantity=Decimal(10)), Decimal(100), "c"))
    tight = exchange().execute(order(Side.BUY, max_slippage_bps=Decimal(10)), Decimal(100), "c")

    assert buy.quantity == 3 and max(p.price for p in buy.parts) == 101  # 103 is beyond 102.5
    assert sell.quantity == 3 and min(p.price for p in sell.parts) == 99
    assert isinstance(tight, NotMarketable)  # 100.5 is beyond 100.1


def test_a_partially_filled_order_takes_only_what_it_has_left() -> None:
    result = fill(exchange().execute(order(Side.BUY, filled_quantity=Decimal("1.5")), Decimal(100), "c"))

    assert [(p.price, p.quantity) for p in result.parts] == [(Decimal("100.5"), Decimal("0.5"))]


@pytest.mark.parametrize(("side", "limit"), [(Side.BUY, "100"), (Side.SELL, "100")])
def test_a_limit_the_book_has_not_reached_takes_nothing(side: Side, limit: str) -> None:
    decision = exchange().execute(order(side, OrderType.LIMIT, price=Decimal(limit)), Decimal(100), "c")

    assert isinstance(decision, NotMarketable)


def test_a_limit_fills_no_worse_than_its_limit() -> None:
    result = fill(
        exchange().execute(order(Side.SELL, OrderType.LIMIT, price=Decimal(99), quantity=Decimal(5)), Decimal(100), "c")
    )

    assert [(p.price, p.quantity) for p in result.parts] == [(Decimal("99.5"), Decimal(1)), (Decimal(99), Decimal(2))]


def test_fill_or_kill_takes_all_or_nothing() -> None:
    fok = {"time_in_force": TimeInForce.FOK}
    assert isinstance(exchange().execute(order(Side.BUY, quantity=Decimal(4), **fok), Decimal(100), "c"), NotMarketable)
    assert fill(exchange().execute(order(Side.BUY, quantity=Decimal(3), **fok), Decimal(100), "c")).quantity == 3


def test_a_notional_buy_spends_its_cash_level_by_level_in_whole_lots() -> None:
    notional = order(Side.BUY, quantity=None, quote_quantity=Decimal(200))

    result = fill(exchange().execute(notional, Decimal(100), "c"))

    # 100.5 x 1, then 99.5 left buys 0.9851 at 101 (lots of 0.0001)
    assert [(p.price, p.quantity) for p in result.parts] == [
        (Decimal("100.5"), Decimal(1)),
        (Decimal(101), Decimal("0.9851")),
    ]
    assert isinstance(
        exchange().execute(order(Side.BUY, quantity=None, quote_quantity=Decimal("0.001")), Decimal(100), "c"), Rejected
    )


def test_the_minimum_commission_applies_to_each_part() -> None:
    result = fill(exchange(minimum="1").execute(order(Side.BUY, quantity=Decimal("1.5")), Decimal(100), "c"))

    assert [p.commission for p in result.parts] == [Decimal(1), Decimal(1)]


def test_a_market_order_is_not_filled_on_a_stale_quote_but_a_limit_is() -> None:
    stale = exchange(age=timedelta(seconds=11))

    with pytest.raises(ExchangeUnavailable, match="older than 10 s"):
        stale.execute(order(Side.BUY), Decimal(100), "c")
    assert fill(stale.execute(order(Side.BUY, OrderType.LIMIT, price=Decimal(101)), Decimal(100), "c")).quantity == 2
