"""Both stores write an order's timeline alike: the events of each change, in the change itself (a
refused change writes none), with who caused it, and read back oldest first a page at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from orders_common.exchange.base import Fill
from orders_common.logic.fill_progress import buy_settlement, plan_fill
from orders_common.logic.ports.orders import BulkCloses, OrderEventReads, OrderInserts, OrderTransitions
from orders_common.logic.ports.refusals import OrderStateChanged, OrderVersionChanged
from orders_common.logic.ports.values import OpenOrder
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, OrderType, Side
from orders_common.models.order_event import Actor, ActorKind, OrderEvent
from orders_common.models.paging import PageRequest
from orders_common.origin import Origin, acting, reconciling
from tests.support.fakes import demo_store


@dataclass
class Store:
    inserts: OrderInserts
    transitions: OrderTransitions
    bulk: BulkCloses
    events: OrderEventReads


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        fake = demo_store()
        yield Store(fake, fake, fake, fake)
    else:
        built = request.getfixturevalue("stack").services
        yield Store(built.order_writes, built.order_writes, built.order_writes, built.order_event_reads)


_ids = iter(range(1, 10_000))


def stop_buy(**changes: Any) -> Order:
    now = utc_now()
    fields: dict[str, Any] = {
        "id": next(_ids), "account_id": 1, "user_id": 1, "symbol": "BTC", "name": "c", "side": Side.BUY,
        "order_type": OrderType.STOP_MARKET, "trigger_price": Decimal(69000), "quantity": Decimal("0.01"),
        "status": OrderStatus.PENDING, "reserved_cash": Decimal(700), "created_at": now, "updated_at": now,
    }  # fmt: skip
    fields.update(changes)
    return Order(**fields)


def as_(kind: ActorKind, request_id: str, user_id: int | None = None) -> Origin:
    return Origin.of(Actor(kind=kind, user_id=user_id), request_id)


def timeline(store: Store, order_id: int) -> list[OrderEvent]:
    return store.events.order_events(order_id, PageRequest(limit=1000)).items


def test_every_change_writes_its_events_with_who_caused_it(store: Store) -> None:
    # Given an order a user placed
    placed = stop_buy()
    with acting(as_(ActorKind.USER, "api-1", user_id=1)):
        store.inserts.insert(placed)
    # When the queue triggers and claims it, a reconciliation releases it, the schedule fills a part
    # and an admin cancels the rest
    with acting(as_(ActorKind.QUEUE, "message-1")):
        claimed = store.transitions.claim(placed.triggering(utc_now()))
    with acting(as_(ActorKind.SCHEDULE, "schedule-1")), reconciling():
        released = store.transitions.release_claim(claimed)
    part = Fill(Decimal(69010), Decimal("0.004"), Decimal("0.276"), "paper", "e-1", utc_now())
    plan = plan_fill(released, part)
    with acting(as_(ActorKind.SCHEDULE, "schedule-2")):
        partial = store.transitions.fill(plan, buy_settlement(plan), position_version=None)
    with acting(as_(ActorKind.ADMIN, "api-2", user_id=9)):
        cancelled = store.transitions.close(partial, OrderStatus.CANCELLED)

    # Then the timeline tells each step once, oldest first, each under the version it made
    events = timeline(store, placed.id)
    assert [(e.event_id, e.kind.value, e.actor.kind.value, e.request_id) for e in events] == [
        (f"{placed.id}-1-1", "created", "user", "api-1"),
        (f"{placed.id}-2-1", "triggered", "queue", "message-1"),
        (f"{placed.id}-2-2", "claimed", "queue", "message-1"),
        (f"{placed.id}-3-1", "reconciled", "schedule", "schedule-1"),
        (f"{placed.id}-3-2", "released", "schedule", "schedule-1"),
        (f"{placed.id}-4-1", "partially_filled", "schedule", "schedule-2"),
        (f"{placed.id}-5-1", "cancelled", "admin", "api-2"),
    ]
    assert [e.actor.user_id for e in events] == [1, None, None, None, None, None, 9]
    assert [e.order_version for e in events] == [1, 2, 2, 3, 3, 4, 5]
    assert events[-1].at == cancelled.updated_at and events[0].at == placed.updated_at
    # and what each step changed, from and to
    shown = [{name: (c.before, c.after) for name, c in e.changes.items()} for e in events]
    assert shown[0] == {} and shown[3] == {}
    assert set(shown[1]) == {"triggered_at"} and shown[1]["triggered_at"][0] is None
    assert shown[2] == {"status": ("pending", "executing")}
    assert shown[4] == {"status": ("executing", "pending")}
    assert shown[5]["status"] == ("pending", "partially_filled")
    assert shown[5]["filled_quantity"] == (0, Decimal("0.004")) and shown[5]["fills_count"] == (0, 1)
    assert shown[5]["reserved_cash"] == (700, 420)
    assert shown[6]["status"] == ("partially_filled", "cancelled") and shown[6]["reserved_cash"] == (420, 0)
    # and the orders the changes answered carry no trigger left to record
    assert not claimed.triggers_now and cancelled.version == 5


def test_a_refused_change_writes_no_event(store: Store) -> None:
    placed, other = (stop_buy(order_type=OrderType.LIMIT, trigger_price=None, price=Decimal(70000)) for _ in range(2))
    store.inserts.insert(placed)
    store.inserts.insert(other)
    store.transitions.close(placed, OrderStatus.CANCELLED)

    with pytest.raises(OrderStateChanged):
        store.transitions.close(placed, OrderStatus.REJECTED, reason="late")
    with pytest.raises(OrderVersionChanged):
        store.transitions.claim(other.model_copy(update={"version": 7}))

    assert [e.kind.value for e in timeline(store, placed.id)] == ["created", "cancelled"]
    assert [e.kind.value for e in timeline(store, other.id)] == ["created"]


def test_cancelling_many_writes_an_event_for_each_order(store: Store) -> None:
    orders = [stop_buy(order_type=OrderType.LIMIT, trigger_price=None, price=Decimal(70000)) for _ in range(3)]
    for placed in orders:
        store.inserts.insert(placed)

    with acting(as_(ActorKind.SCHEDULE, "sweep-1")):
        store.bulk.close_many([OpenOrder.of(o) for o in orders], reason="cancel-all")

    for placed in orders:
        last = timeline(store, placed.id)[-1]
        assert (last.event_id, last.kind.value, last.request_id) == (f"{placed.id}-2-1", "cancelled", "sweep-1")
        assert last.changes["status"].after == "cancelled" and last.changes["reserved_cash"].before == 700


def test_the_timeline_is_read_a_page_at_a_time(store: Store) -> None:
    placed = stop_buy()
    store.inserts.insert(placed)
    claimed = store.transitions.claim(placed.triggering(utc_now()))
    store.transitions.close(claimed, OrderStatus.REJECTED, reason="venue said no")

    pages, after = [], None
    while True:
        page = store.events.order_events(placed.id, PageRequest(limit=2, after=after))
        pages.append([e.kind.value for e in page.items])
        after = page.next_cursor
        if after is None:
            break

    # (DynamoDB may answer one empty last page: it cannot know the partition holds nothing more)
    assert [kind for page in pages for kind in page] == ["created", "triggered", "claimed", "rejected"]
    assert pages[:2] == [["created", "triggered"], ["claimed", "rejected"]] and all(not p for p in pages[2:])
    assert store.events.order_events(next(_ids), PageRequest()).items == []
