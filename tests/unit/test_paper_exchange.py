"""The paper exchange's prices, marketability and commission."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders_common.domain.fees import FeeSchedule
from orders_common.exchange.base import Fill, NotMarketable
from orders_common.exchange.paper import PaperExchange
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, OrderType, Side

EXCHANGE = PaperExchange(slippage_bps=Decimal(10), fees=FeeSchedule(rate=Decimal("0.001"), minimum=Decimal("1")))


def order(side: Side, order_type: OrderType = OrderType.MARKET, price: str | None = None, quantity: str = "2") -> Order:
    now = utc_now()
    return Order(
        id=1,
        account_id=1,
        user_id=1,
        symbol="BTC",
        name="t",
        side=side,
        order_type=order_type,
        price=Decimal(price) if price else None,
        quantity=Decimal(quantity),
        status=OrderStatus.PENDING,
        created_at=now,
        updated_at=now,
    )


def fill(decision: object) -> Fill:
    assert isinstance(decision, Fill)
    return decision


def test_market_buy_pays_the_slippage() -> None:
    result = fill(EXCHANGE.execute(order(Side.BUY), Decimal("100"), "c-1"))

    assert result.price == Decimal("100.1")
    assert result.quantity == Decimal("2")
    assert result.commission == Decimal("1")  # 0.2002 is below the minimum
    assert (result.exchange, result.exchange_order_id) == ("paper", "c-1")


def test_market_sell_gives_the_slippage() -> None:
    assert fill(EXCHANGE.execute(order(Side.SELL), Decimal("100"), "c")).price == Decimal("99.9")


def test_commission_is_the_rate_above_the_minimum() -> None:
    result = fill(EXCHANGE.execute(order(Side.BUY, quantity="20"), Decimal("100"), "c"))

    assert result.commission == Decimal("2.002")


@pytest.mark.parametrize(("side", "limit", "market"), [(Side.BUY, "99", "100"), (Side.SELL, "101", "100")])
def test_limit_orders_the_market_has_not_reached_stay_open(side: Side, limit: str, market: str) -> None:
    assert isinstance(EXCHANGE.execute(order(side, OrderType.LIMIT, limit), Decimal(market), "c"), NotMarketable)


@pytest.mark.parametrize(
    ("side", "limit", "market", "price"),
    [
        (Side.BUY, "100", "100", "100"),  # marketable at the limit: slippage never crosses it
        (Side.BUY, "105", "100", "100.1"),
        (Side.SELL, "100", "100", "100"),
        (Side.SELL, "95", "100", "99.9"),
    ],
)
def test_marketable_limit_orders_fill_no_worse_than_the_limit(side: Side, limit: str, market: str, price: str) -> None:
    assert fill(EXCHANGE.execute(order(side, OrderType.LIMIT, limit), Decimal(market), "c")).price == Decimal(price)


def test_prices_are_rounded_against_the_client_to_eight_places() -> None:
    exchange = PaperExchange(slippage_bps=Decimal(1), fees=FeeSchedule(rate=Decimal(0)))

    assert fill(exchange.execute(order(Side.BUY), Decimal("0.123456789"), "c")).price == Decimal("0.12346914")
    assert fill(exchange.execute(order(Side.SELL), Decimal("0.123456789"), "c")).price == Decimal("0.12344444")
