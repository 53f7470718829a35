"""Amend, cancel-all and the dead man's switch at unit speed, on the in-memory store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from orders_common.auth import Caller
from orders_common.errors import (
    AccountNotFound,
    Forbidden,
    InsufficientFunds,
    InvalidRequest,
    OrderNotPending,
    OrderTooLarge,
    OrderTriggered,
    VersionMismatch,
)
from orders_common.logic.cancel_all import groups
from orders_common.logic.ports.values import BulkClose, OpenOrder
from orders_common.models.numbers import utc_now
from orders_common.models.order import OrderStatus, Side
from orders_common.models.order_actions import AmendOrderRequest
from tests.support.fakes import InMemoryStore
from tests.unit.logic.conftest import Desk
from tests.unit.logic.test_create_order import request

ANYONE = Caller.anyone()


def amend(**fields: object) -> AmendOrderRequest:
    return AmendOrderRequest.model_validate(fields)


def cash(desk: Desk, account_id: int = 1) -> tuple[Decimal, Decimal]:
    account = desk.store.get_account(account_id)
    assert account is not None
    return account.available_cash, account.reserved_cash


def test_raising_a_limit_buy_reserves_exactly_the_difference(desk: Desk) -> None:
    order = desk.create(request(order_type="limit", price="60000", quantity="0.1"), ANYONE).order  # 6006 held
    before = cash(desk)

    amended = desk.amend(order.id, amend(price=65000), ANYONE, if_match=order.version)

    assert (amended.price, amended.reserved_cash, amended.version) == (Decimal(65000), Decimal("6506.5"), 2)
    assert cash(desk) == (before[0] - Decimal("500.5"), before[1] + Decimal("500.5"))
    assert desk.store.calls.count("amend") == 1


def test_an_amend_the_account_cannot_cover_changes_nothing(desk: Desk) -> None:
    order = desk.create(request(account_id=2, order_type="limit", price="40000", quantity="1"), ANYONE).order
    before = cash(desk, 2)

    with pytest.raises(InsufficientFunds):
        desk.amend(order.id, amend(quantity=2), ANYONE, if_match=None)

    assert desk.order(order.id) == order
    assert cash(desk, 2) == before


@pytest.mark.parametrize(
    ("create", "change", "notional"),
    [
        ({"order_type": "limit", "price": "50000", "quantity": "0.1"}, {"price": 50001}, Decimal("5000.1")),
        ({"order_type": "limit", "price": "50000", "quantity": "0.1"}, {"quantity": Decimal("0.11")}, Decimal(5500)),
        ({"order_type": "stop_market", "side": "sell", "trigger_price": 40000, "quantity": "0.1"},
         {"trigger_price": 60000}, Decimal(6000)),
    ],
)  # fmt: skip
def test_an_amend_over_the_maximum_notional_is_refused_and_changes_nothing(
    desk: Desk, create: dict[str, object], change: dict[str, object], notional: Decimal
) -> None:
    desk.max_order_notional = Decimal(5000)
    order = desk.create(request(**create), ANYONE).order
    before = cash(desk)

    with pytest.raises(OrderTooLarge) as refused:
        desk.amend(order.id, amend(**change), ANYONE, if_match=None)

    assert refused.value.details == {"notional": notional, "max_order_notional": Decimal(5000)}
    assert desk.order(order.id) == order
    assert cash(desk) == before
    assert desk.amend(order.id, amend(name="renamed"), ANYONE, if_match=None).name == "renamed"  # no reserving change


def test_if_match_names_the_version_the_change_depends_on(desk: Desk) -> None:
    order = desk.create(request(order_type="limit", price="60000"), ANYONE).order
    desk.amend(order.id, amend(name="first"), ANYONE, if_match=1)

    with pytest.raises(VersionMismatch) as stale:
        desk.amend(order.id, amend(price=61000), ANYONE, if_match=1)
    with pytest.raises(VersionMismatch):
        desk.cancel(order.id, ANYONE, if_match=1)

    assert (stale.value.details, desk.order(order.id).price) == (
        {"order_id": order.id, "expected_version": 1, "version": 2},
        Decimal(60000),
    )
    assert desk.cancel(order.id, ANYONE, if_match=2).status == "ok"
    assert desk.order(order.id).status is OrderStatus.CANCELLED


@pytest.mark.parametrize(
    ("placed", "change"),
    [
        ({}, {"price": 1}),  # a market order has no limit price
        ({"order_type": "limit", "price": "60000"}, {"trigger_price": 1}),
        ({"order_type": "limit", "price": "60000"}, {"trail_percent": 1}),
        ({"order_type": "limit", "price": "60000"}, {"expire_at": utc_now() + timedelta(days=1)}),
        ({"order_type": "limit", "price": "60000"}, {"price": Decimal("60000.05")}),  # BTC prices have one decimal here
    ],
)
def test_an_amend_of_what_the_order_does_not_have_is_refused(
    desk: Desk, placed: dict[str, str], change: dict[str, object]
) -> None:
    order = desk.create(request(**placed), ANYONE).order

    with pytest.raises(InvalidRequest):
        desk.amend(order.id, amend(**change), ANYONE, if_match=None)
    assert desk.order(order.id) == order


def test_a_triggered_order_keeps_its_trigger_and_a_closed_one_cannot_change(desk: Desk) -> None:
    stop = desk.create(request(side="sell", order_type="stop_limit", trigger_price=69000, price="70000"), ANYONE).order
    desk.prices.prices["BTC"] = Decimal(68000)
    assert desk.engine.execute(stop).execution_status.value == "open"  # triggered, resting as a limit sell

    with pytest.raises(OrderTriggered):
        desk.amend(stop.id, amend(trigger_price=65000), ANYONE, if_match=None)
    assert desk.amend(stop.id, amend(price=71000), ANYONE, if_match=None).price == Decimal(71000)
    desk.cancel(stop.id, ANYONE)
    with pytest.raises(OrderNotPending):
        desk.amend(stop.id, amend(name="late"), ANYONE, if_match=None)


def test_a_trailing_stops_new_trail_moves_its_stop_from_the_same_mark(desk: Desk) -> None:
    trail = desk.create(request(side="sell", order_type="trailing_stop", trail_amount=1000), ANYONE).order
    assert desk.order(trail.id).trail_mark == Decimal(68500)

    amended = desk.amend(trail.id, amend(trail_percent=10), ANYONE, if_match=None)

    assert (amended.trail_mark, amended.stop_price, amended.trail_amount) == (Decimal(68500), Decimal(61650), None)


def orders(count: int, side: Side = Side.BUY, symbols: int = 1) -> list[OpenOrder]:
    return [
        OpenOrder(i, 1, 1, f"S{i % symbols}", side, OrderStatus.PENDING, 1, Decimal(1), Decimal(0))
        for i in range(1, count + 1)
    ]


@pytest.mark.parametrize(
    ("open_orders", "sizes"),
    [
        (orders(1), [1]),
        (orders(100), [30, 30, 30, 10]),
        (orders(40, Side.SELL, symbols=40), [24, 16]),  # 3 * 24 + 1 + 24 symbols = 97 items (25: 101)
    ],
)
def test_cancel_all_groups_fill_transactions_without_passing_their_limit(
    open_orders: list[OpenOrder], sizes: list[int]
) -> None:
    assert [len(group) for group in groups(open_orders)] == sizes


def test_cancel_all_cancels_every_matching_order_in_few_transactions(desk: Desk) -> None:
    buys = [desk.create(request(order_type="limit", price="1000"), ANYONE).order for _ in range(45)]
    sell = desk.create(request(symbol="ETH", side="sell", order_type="limit", price="9000", quantity="1"), ANYONE)
    other_account = desk.create(request(account_id=2, order_type="limit", price="1000"), ANYONE).order

    result = desk.cancel_all(1, "BTC", Side.BUY, ANYONE)

    assert result.cancelled == [order.id for order in buys]
    assert desk.store.calls.count("close_many") == 2
    assert desk.order(sell.order.id).is_open and desk.order(other_account.id).is_open
    assert cash(desk)[1] == 0
    assert desk.cancel_all(1, None, None, ANYONE).cancelled == [sell.order.id]
    assert desk.cancel_all(1, None, None, ANYONE).cancelled == []


@dataclass
class ChangingUnderneath:
    """Closes that first see one order amended and another filled by someone else."""

    store: InMemoryStore
    desk: Desk
    amended: int
    filled: int

    def close_many(self, orders: list[OpenOrder], *, reason: str) -> BulkClose:
        if self.amended:
            self.desk.amend(self.amended, amend(name="meanwhile"), ANYONE, if_match=None)
            self.desk.engine.execute(self.desk.order(self.filled))
            self.amended = 0
        return self.store.close_many(orders, reason=reason)


def test_cancel_all_retries_what_changed_and_reports_what_finished_elsewhere(desk: Desk) -> None:
    placed = [desk.create(request(order_type="limit", price="60000"), ANYONE).order for _ in range(3)]
    desk.prices.prices["BTC"] = Decimal(59000)  # the last one becomes marketable
    racing = ChangingUnderneath(desk.store, desk, amended=placed[0].id, filled=placed[2].id)
    cancel_open = type(desk.cancel_open)(desk.store, racing, desk.store)

    result = cancel_open(1, reason="cancel-all")

    assert (result.cancelled, result.not_cancelled) == ([placed[0].id, placed[1].id], [placed[2].id])
    assert desk.order(placed[2].id).status is OrderStatus.FILLED
    assert cash(desk)[1] == 0


def test_cancel_all_checks_the_account_and_its_owner(desk: Desk) -> None:
    with pytest.raises(AccountNotFound):
        desk.cancel_all(99, None, None, ANYONE)
    with pytest.raises(Forbidden):
        desk.cancel_all(1, None, None, Caller(user_id=2, is_admin=False))


def test_a_switch_that_runs_out_cancels_and_one_armed_again_waits(desk: Desk) -> None:
    mine = desk.create(request(order_type="limit", price="60000"), ANYONE).order
    theirs = desk.create(request(account_id=3, symbol="SOL", order_type="limit", price="100", quantity="1"), ANYONE)
    armed = desk.arm_switch(1, 60, ANYONE)
    desk.arm_switch(3, 60, ANYONE)
    assert armed.cancel_after is not None
    account = desk.store.get_account(1)
    assert account is not None and account.cancel_after == armed.cancel_after

    desk.arm_switch(3, 600, ANYONE)  # account 3's client is alive
    assert desk.run_out_switches(utc_now() + timedelta(seconds=59)) == 0
    assert desk.run_out_switches(utc_now() + timedelta(seconds=61)) == 1

    assert desk.order(mine.id).status is OrderStatus.CANCELLED
    assert desk.order(theirs.order.id).is_open
    account = desk.store.get_account(1)
    assert account is not None and account.cancel_after is None
    assert desk.run_out_switches(utc_now() + timedelta(seconds=61)) == 0


def test_a_switch_set_to_zero_is_disarmed(desk: Desk) -> None:
    desk.create(request(order_type="limit", price="60000"), ANYONE)
    desk.arm_switch(1, 5, ANYONE)

    assert desk.arm_switch(1, 0, ANYONE).cancel_after is None
    assert desk.run_out_switches(utc_now() + timedelta(days=2)) == 0
    with pytest.raises(Forbidden):
        desk.arm_switch(1, 60, Caller(user_id=2, is_admin=False))
