"""The fakes and the DynamoDB adapters agree on the changes of a pending order: amend, triggers and
trails, cancels of many, lookups by client id and the account's open orders, dead man's switches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from orders_common.logic.ports.accounts import AccountReads, Switches
from orders_common.logic.ports.orders import (
    BulkCloses,
    ClientOrders,
    OpenOrderReads,
    OrderAmends,
    OrderInserts,
    OrderReads,
    OrderTransitions,
)
from orders_common.logic.ports.refusals import AccountRefused, OrderStateChanged, OrderVersionChanged, PositionRefused
from orders_common.logic.ports.values import OpenOrder
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, OrderType, Side
from tests.support.fakes import demo_store
from tests.support.stack import Deployed


@dataclass
class Store:
    reads: OrderReads
    inserts: OrderInserts
    transitions: OrderTransitions
    amends: OrderAmends
    open: OpenOrderReads
    bulk: BulkCloses
    clients: ClientOrders
    switches: Switches
    accounts: AccountReads


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        fake = demo_store()
        yield Store(fake, fake, fake, fake, fake, fake, fake, fake, fake)
    else:
        deployed: Deployed = request.getfixturevalue("stack")
        built = deployed.services
        writes = built.order_writes
        reads = built.orders
        yield Store(reads, writes, writes, writes, reads, writes, reads, built.switches, built.accounts)


_ids = iter(range(20_001, 30_000))


def limit_buy(**changes: Any) -> Order:
    now = utc_now()
    fields: dict[str, Any] = {
        "id": next(_ids), "account_id": 1, "user_id": 1, "symbol": "BTC", "name": "c", "side": Side.BUY,
        "order_type": OrderType.LIMIT, "price": Decimal(60000), "quantity": Decimal("0.01"),
        "status": OrderStatus.PENDING, "reserved_cash": Decimal(600), "created_at": now, "updated_at": now,
    }  # fmt: skip
    fields.update(changes)
    return Order(**fields)


def limit_sell(**changes: Any) -> Order:
    defaults = {"side": Side.SELL, "price": Decimal(80000), "reserved_cash": Decimal(0)}
    return limit_buy(**{**defaults, "reserved_quantity": Decimal("0.5"), **changes})


def amended(order: Order, **changes: Any) -> Order:
    return order.model_copy(update={**changes, "version": order.version + 1, "updated_at": utc_now()})


def cash(store: Store, account_id: int = 1) -> tuple[Decimal, Decimal]:
    account = store.accounts.get_account(account_id)
    assert account is not None
    return account.available_cash, account.reserved_cash


def test_an_amend_moves_the_reservation_by_the_difference_once(store: Store) -> None:
    placed = limit_buy()
    store.inserts.insert(placed)
    raised = amended(placed, price=Decimal(65000), reserved_cash=Decimal(650))

    assert store.amends.amend(placed, raised) == raised

    assert store.reads.get_order(placed.id) == raised
    assert cash(store) == (Decimal(99350), Decimal(650))
    with pytest.raises(OrderVersionChanged) as stale:
        store.amends.amend(placed, amended(placed, reserved_cash=Decimal(1)))
    assert stale.value.version == 2
    lowered = amended(raised, price=Decimal(50000), reserved_cash=Decimal(500))
    store.amends.amend(raised, lowered)
    assert cash(store) == (Decimal(99500), Decimal(500))


@pytest.mark.parametrize(
    ("placed", "more", "refusal"),
    [
        (limit_buy(account_id=2, reserved_cash=Decimal(48000)), {"reserved_cash": Decimal(50001)}, AccountRefused),
        (limit_sell(), {"reserved_quantity": Decimal("1.6")}, PositionRefused),  # account 1 holds 1.5 BTC
    ],
)
def test_an_increase_the_account_cannot_cover_changes_nothing(
    store: Store, placed: Order, more: dict[str, Decimal], refusal: type[Exception]
) -> None:
    store.inserts.insert(placed)
    before = store.accounts.get_account(placed.account_id), store.accounts.get_position(placed.account_id, "BTC")

    with pytest.raises(refusal):
        store.amends.amend(placed, amended(placed, **more))

    assert store.reads.get_order(placed.id) == placed
    assert (store.accounts.get_account(placed.account_id), store.accounts.get_position(placed.account_id, "BTC")) == (
        before
    )


def test_an_amend_of_a_closed_order_is_refused(store: Store) -> None:
    placed = limit_buy()
    store.inserts.insert(placed)
    store.transitions.close(placed, OrderStatus.CANCELLED)

    with pytest.raises(OrderStateChanged) as refused:
        store.amends.amend(placed, amended(placed, reserved_cash=Decimal(700)))
    assert refused.value.status == "cancelled"
    assert cash(store) == (Decimal(100000), Decimal(0))


def test_a_trigger_is_recorded_once_and_a_trail_only_moves_its_way(store: Store) -> None:
    stop = limit_sell(
        order_type=OrderType.TRAILING_STOP, price=None, trail_amount=Decimal(1000),
        trail_mark=Decimal(70000), stop_price=Decimal(69000),
    )  # fmt: skip
    store.inserts.insert(stop)

    assert store.transitions.follow_trail(stop.id, Side.SELL, Decimal(71000), Decimal(70000)) is True
    assert store.transitions.follow_trail(stop.id, Side.SELL, Decimal(70500), Decimal(69500)) is False
    followed = store.reads.get_order(stop.id)
    assert followed is not None and (followed.trail_mark, followed.stop_price) == (Decimal(71000), Decimal(70000))

    triggered = followed.model_copy(update={"triggered_at": utc_now()})
    recorded = store.transitions.record_trigger(triggered)
    assert recorded.version == followed.version + 1
    assert store.reads.get_order(stop.id) == recorded
    with pytest.raises((OrderStateChanged, OrderVersionChanged)):
        store.transitions.record_trigger(triggered)
    assert store.transitions.follow_trail(stop.id, Side.SELL, Decimal(72000), Decimal(71000)) is False


def test_open_orders_and_client_ids_find_an_accounts_pending_orders(store: Store) -> None:
    mine = [limit_buy(client_order_id="bot-1"), limit_sell(account_id=1)]
    for order in [*mine, limit_buy(account_id=2, reserved_cash=Decimal(100))]:
        store.inserts.insert(order)

    assert sorted(o.id for o in store.open.open_orders(1)) == sorted(o.id for o in mine)
    assert {OpenOrder.of(o) for o in store.open.open_orders(1)} == {OpenOrder.of(o) for o in mine}
    assert store.clients.find_by_client(1, "bot-1") == mine[0]
    assert store.clients.order_id_for_client(1, "bot-1") == mine[0].id
    assert store.clients.find_by_client(2, "bot-1") is None
    assert store.clients.order_id_for_client(1, "nobody") is None

    store.transitions.close(mine[0], OrderStatus.CANCELLED)
    assert [o.id for o in store.open.open_orders(1)] == [mine[1].id]
    found = store.clients.find_by_client(1, "bot-1")
    assert found is not None and found.status is OrderStatus.CANCELLED  # a closed order keeps its client id


def test_many_cancels_apply_together_or_not_at_all(store: Store) -> None:
    orders = [limit_buy(), limit_buy(), limit_sell()]
    for order in orders:
        store.inserts.insert(order)
    moved = store.amends.amend(orders[1], amended(orders[1], name="renamed"))

    refused = store.bulk.close_many([OpenOrder.of(o) for o in orders], reason="cancel-all")

    assert (refused.closed, refused.changed) == ([], [orders[1].id])
    assert cash(store) == (Decimal(98800), Decimal(1200))
    closed = store.bulk.close_many([OpenOrder.of(o) for o in [orders[0], moved, orders[2]]], reason="cancel-all")
    assert sorted(closed.closed) == sorted(o.id for o in orders) and closed.changed == []
    assert cash(store) == (Decimal(100000), Decimal(0))
    held = store.accounts.get_position(1, "BTC")
    assert held is not None and held.position.reserved_quantity == 0
    for order in orders:
        after = store.reads.get_order(order.id)
        assert after is not None and after.status is OrderStatus.CANCELLED and after.reserved_cash == 0
    assert store.open.open_orders(1) == []


def test_a_switch_is_armed_on_what_was_read_and_disarmed_once(store: Store) -> None:
    now = utc_now().replace(microsecond=0)
    soon, later = now + timedelta(seconds=30), now + timedelta(minutes=5)

    store.switches.arm(1, soon, previous=None)
    with pytest.raises(AccountRefused):
        store.switches.arm(1, later, previous=None)  # armed meanwhile
    with pytest.raises(AccountRefused):
        store.switches.arm(999, soon, previous=None)
    store.switches.arm(1, later, previous=soon)
    account = store.accounts.get_account(1)
    assert account is not None and account.cancel_after == later

    assert store.switches.due(soon) == []
    due = store.switches.due(later)
    assert [(switch.account_id, switch.deadline) for switch in due] == [(1, later)]
    assert store.switches.disarm(due[0]) is True
    assert store.switches.disarm(due[0]) is False
    assert store.switches.due(later + timedelta(days=1)) == []
    account = store.accounts.get_account(1)
    assert account is not None and account.cancel_after is None
