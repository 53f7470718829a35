"""Both stores answer admin health's reads alike: the oldest pending order's creation time (an order
that left pending no longer counts, one claimed for a venue neither), and the schedule's heartbeat."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from orders_common.logic.ports.accounts import ScheduleRuns
from orders_common.logic.ports.orders import OrderInserts, OrderTransitions, PendingAges
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, OrderType, Side
from tests.support.fakes import demo_store


@dataclass
class Store:
    inserts: OrderInserts
    transitions: OrderTransitions
    ages: PendingAges
    runs: ScheduleRuns


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        fake = demo_store()
        yield Store(fake, fake, fake, fake)
    else:
        built = request.getfixturevalue("stack").services
        yield Store(built.order_writes, built.order_writes, built.orders, built.counters)


_ids = iter(range(1, 10_000))


def order(minutes_ago: float, **changes: Any) -> Order:
    created = utc_now() - timedelta(minutes=minutes_ago)
    fields: dict[str, Any] = {
        "id": next(_ids), "account_id": 1, "user_id": 1, "symbol": "BTC", "name": "c", "side": Side.BUY,
        "order_type": OrderType.LIMIT, "price": Decimal(50000), "quantity": Decimal("0.01"),
        "status": OrderStatus.PENDING, "reserved_cash": Decimal(500), "created_at": created, "updated_at": created,
    }  # fmt: skip
    fields.update(changes)
    return Order(**fields)


def test_the_oldest_pending_order_is_found_across_shards(store: Store) -> None:
    assert store.ages.oldest_pending_since() is None
    orders = [order(minutes_ago) for minutes_ago in (3, 40, 7, 12, 1)]  # ids spread over the shards
    for placed in orders:
        store.inserts.insert(placed)

    assert store.ages.oldest_pending_since() == orders[1].created_at


def test_an_order_that_left_pending_or_is_claimed_no_longer_counts(store: Store) -> None:
    oldest, claimed, newest = order(50), order(30), order(5)
    for placed in (oldest, claimed, newest):
        store.inserts.insert(placed)

    store.transitions.close(oldest, OrderStatus.CANCELLED)
    store.transitions.claim(claimed)

    assert store.ages.oldest_pending_since() == newest.created_at


def test_the_schedule_heartbeat_keeps_the_last_run(store: Store) -> None:
    assert store.runs.last_schedule_run() is None
    first = utc_now() - timedelta(minutes=2)
    store.runs.record_schedule_run(first)
    store.runs.record_schedule_run(first + timedelta(minutes=1))

    assert store.runs.last_schedule_run() == first + timedelta(minutes=1)
