"""Fills against the book at unit speed: an order filled level by level, partially filled and still
open, completed later; ioc and fok with partial depth; every step leaving the ledger and the balances
in agreement (the audit use case checks them)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders_common.auth import Caller
from orders_common.errors import Forbidden, InvalidRequest
from orders_common.logic.audit import AuditAccount
from orders_common.logic.fills import ListAccountFills, ListOrderFills
from orders_common.logic.ports.values import FillFilters
from orders_common.models.order import OrderStatus
from orders_common.models.order_actions import AmendOrderRequest
from orders_common.models.paging import OrderFilters, PageRequest
from tests.unit.logic.conftest import Desk, shallow_desk
from tests.unit.logic.test_create_order import request

ANYONE = Caller.anyone()
# make run's book around BTC 68500, in levels of 0.01 BTC (the demo account holds 100,000):
# asks 68506.85, 68513.7, 68520.55, 68527.4 ...; ETH around 3500: bids 3499.65, 3499.3, 3498.95 ...
ASKS = [Decimal("68506.85"), Decimal("68513.7"), Decimal("68520.55"), Decimal("68527.4")]
LEVEL = Decimal("0.01")


@pytest.fixture
def desk() -> Desk:
    return shallow_desk(LEVEL)


def audited(desk: Desk, account_id: int = 1) -> None:
    report = AuditAccount(desk.store, desk.store, desk.store)(account_id, ANYONE)
    assert report.matches, report.mismatches


def test_a_market_buy_fills_at_four_levels_with_a_record_each(desk: Desk) -> None:
    order = desk.create(request(quantity="0.035"), ANYONE).order

    result = desk.engine.execute(order)

    filled = desk.order(order.id)
    assert (result.execution_status.value, filled.status) == ("filled", OrderStatus.FILLED)
    fills = ListOrderFills(desk.store, desk.store)(order.id, PageRequest(), ANYONE).items
    assert [(fill.fill_id, fill.liquidity_level) for fill in fills] == [(f"{order.id}-{n}", n) for n in range(1, 5)]
    assert [(part.liquidity_level, part.price, part.quantity) for part in fills] == [
        (1, ASKS[0], LEVEL), (2, ASKS[1], LEVEL), (3, ASKS[2], LEVEL), (4, ASKS[3], Decimal("0.005")),
    ]  # fmt: skip
    assert filled.filled_price == Decimal("68515.65714286")  # 2398.048 / 0.035
    assert (filled.filled_quantity, filled.remaining_quantity, filled.fills_count) == (Decimal("0.035"), 0, 4)
    account = desk.store.get_account(1)
    assert account is not None and account.reserved_cash == 0
    commissions = sum(p.commission for p in desk.store.fills[order.id])
    assert account.cash == Decimal(100000) - Decimal("2398.048") - commissions
    audited(desk)


def test_a_gtc_limit_larger_than_the_depth_stays_open_and_completes_when_the_market_moves(desk: Desk) -> None:
    order = desk.create(request(order_type="limit", price="68520.5", quantity="0.05"), ANYONE).order
    reserved = order.reserved_cash  # 0.05 x 68520.5 + 0.1%

    first = desk.engine.execute(order)

    partial = desk.order(order.id)
    assert (first.execution_status.value, partial.status) == ("partially_filled", OrderStatus.PARTIALLY_FILLED)
    assert (partial.filled_quantity, partial.remaining_quantity, partial.fills_count) == (
        Decimal("0.02"), Decimal("0.03"), 2
    )  # fmt: skip
    assert partial.reserved_cash == (reserved * 3 / 5).quantize(Decimal("0.00000001"), rounding="ROUND_CEILING")
    assert partial.is_open and partial.executed_at is None and partial.last_fill_at is not None
    assert [o.id for o in desk.store.list_pending_orders(PageRequest(), OrderFilters()).items] == [order.id]
    audited(desk)

    desk.prices.prices["BTC"] = Decimal(68000)  # the asks move under the limit
    second = desk.engine.execute(partial)

    done = desk.order(order.id)
    assert (second.execution_status.value, done.status) == ("filled", OrderStatus.FILLED)
    assert (done.filled_quantity, done.fills_count, done.reserved_cash) == (Decimal("0.05"), 5, 0)
    assert done.filled_price < Decimal("68520.5")
    account = desk.store.get_account(1)
    assert account is not None and account.reserved_cash == 0
    audited(desk)


def test_an_ioc_takes_what_the_book_has_and_releases_the_rest(desk: Desk) -> None:
    order = desk.create(
        request(order_type="limit", price="68520.6", quantity="0.05", time_in_force="ioc"), ANYONE
    ).order

    result = desk.engine.execute(order)

    done = desk.order(order.id)
    assert (result.execution_status.value, done.status, done.filled_quantity) == (
        "filled",
        OrderStatus.FILLED,
        Decimal("0.03"),
    )
    assert done.reserved_cash == 0
    account = desk.store.get_account(1)
    assert account is not None and account.reserved_cash == 0
    audited(desk)


def test_a_fok_the_book_cannot_fill_whole_expires_untouched(desk: Desk) -> None:
    order = desk.create(
        request(order_type="limit", price="68520.6", quantity="0.05", time_in_force="fok"), ANYONE
    ).order

    result = desk.engine.execute(order)

    assert (result.execution_status.value, desk.order(order.id).filled_quantity) == ("expired", 0)
    assert order.id not in desk.store.fills
    audited(desk)


def test_a_partially_filled_sale_keeps_the_rest_reserved_and_a_cancel_releases_it(desk: Desk) -> None:
    sale = desk.create(request(symbol="ETH", side="sell", order_type="limit", price="3499.3", quantity="0.04"), ANYONE)
    # the limit takes the two best bids

    desk.engine.execute(sale.order)

    partial = desk.order(sale.order.id)
    assert (partial.status, partial.filled_quantity, partial.reserved_quantity) == (
        OrderStatus.PARTIALLY_FILLED, Decimal("0.02"), Decimal("0.02")
    )  # fmt: skip
    held = desk.store.get_position(1, "ETH")
    assert held is not None and (held.position.quantity, held.position.reserved_quantity) == (
        Decimal("9.98"), Decimal("0.02")
    )  # fmt: skip
    audited(desk)

    desk.cancel(sale.order.id, ANYONE)

    cancelled = desk.order(sale.order.id)
    assert (cancelled.status, cancelled.filled_quantity, cancelled.reserved_quantity) == (
        OrderStatus.CANCELLED, Decimal("0.02"), 0
    )  # fmt: skip
    held = desk.store.get_position(1, "ETH")
    assert held is not None and (held.position.available_quantity, held.position.reserved_quantity) == (
        Decimal("9.98"), 0
    )  # fmt: skip
    audited(desk)


def test_a_partially_filled_order_is_amendable_down_to_what_it_filled(desk: Desk) -> None:
    order = desk.create(request(order_type="limit", price="68513.7", quantity="0.04"), ANYONE).order
    desk.engine.execute(order)  # fills 0.02
    partial = desk.order(order.id)

    with pytest.raises(InvalidRequest):
        desk.amend(order.id, AmendOrderRequest(quantity=Decimal("0.02")), ANYONE, if_match=None)
    amended = desk.amend(order.id, AmendOrderRequest(quantity=Decimal("0.03")), ANYONE, if_match=None)

    assert (amended.status, amended.remaining_quantity) == (OrderStatus.PARTIALLY_FILLED, Decimal("0.01"))
    assert amended.reserved_cash < partial.reserved_cash  # now only for the one left
    audited(desk)


def test_an_accounts_fills_are_listed_newest_first_and_filtered(desk: Desk) -> None:
    first = desk.create(request(quantity="0.02"), ANYONE).order
    desk.engine.execute(first)
    second = desk.create(request(symbol="ETH", quantity="0.01"), ANYONE).order
    desk.engine.execute(second)
    listing = ListAccountFills(desk.store, desk.store)

    page = listing(1, PageRequest(limit=2), FillFilters(), ANYONE)
    rest = listing(1, PageRequest(limit=2, after=page.next_cursor), FillFilters(), ANYONE)
    btc = listing(1, PageRequest(), FillFilters(symbol="BTC"), ANYONE)

    assert [fill.fill_id for fill in page.items + rest.items] == [f"{second.id}-1", f"{first.id}-2", f"{first.id}-1"]
    assert rest.next_cursor is None
    assert [fill.symbol for fill in btc.items] == ["BTC", "BTC"]
    assert listing(1, PageRequest(), FillFilters(), Caller(user_id=99, is_admin=True)).items == page.items + rest.items
    with pytest.raises(Forbidden):
        listing(1, PageRequest(), FillFilters(), Caller(user_id=2, is_admin=False))


def test_an_orders_fills_are_paged_oldest_first_for_its_owner_or_an_admin(desk: Desk) -> None:
    order = desk.create(request(quantity="0.035"), ANYONE).order
    desk.engine.execute(order)
    listing = ListOrderFills(desk.store, desk.store)

    page = listing(order.id, PageRequest(limit=3), ANYONE)
    rest = listing(order.id, PageRequest(limit=3, after=page.next_cursor), ANYONE)

    assert [fill.fill_id for fill in page.items] == [f"{order.id}-1", f"{order.id}-2", f"{order.id}-3"]
    assert ([fill.fill_id for fill in rest.items], rest.next_cursor) == ([f"{order.id}-4"], None)
    assert listing(order.id, PageRequest(), Caller(user_id=1, is_admin=False)).items == page.items + rest.items
    assert listing(order.id, PageRequest(), Caller(user_id=99, is_admin=True)).items == page.items + rest.items
    with pytest.raises(Forbidden):
        listing(order.id, PageRequest(), Caller(user_id=2, is_admin=False))
