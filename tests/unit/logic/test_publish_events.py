"""Publishing order events at unit speed: once per event id, the order after each event, refusals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pytest

from orders_common.auth import Caller
from orders_common.logic.ports.events import EventNotPublished, StoredEvent
from orders_common.logic.publish_events import OrderAfterEventMissing, Published, PublishOrderEvent
from orders_common.models.order import Order
from orders_common.models.order_event import OrderEvent, OrderEventKind
from orders_common.models.published_event import PublishedOrderEvent
from tests.unit.logic.conftest import Desk
from tests.unit.logic.test_create_order import request


class FakeStoredEvents:
    """Items by event id; an image names its item by ``event_id``, as the stream's does."""

    def __init__(self) -> None:
        self.items: dict[str, StoredEvent] = {}
        self.marks: dict[str, datetime] = {}

    def add(self, event: OrderEvent, order: Order | None) -> dict[str, Any]:
        self.items[event.event_id] = StoredEvent(event, order)
        return {"event_id": event.event_id}

    def from_image(self, image: Mapping[str, Any]) -> StoredEvent:
        return self.items[image["event_id"]]

    def is_published(self, event: OrderEvent) -> bool:
        return event.event_id in self.marks

    def mark_published(self, event: OrderEvent, at: datetime) -> None:
        self.marks.setdefault(event.event_id, at)


class FakeBus:
    def __init__(self) -> None:
        self.published: list[PublishedOrderEvent] = []
        self.refusing: set[str] = set()

    def publish(self, event: PublishedOrderEvent) -> None:
        if event.event_id in self.refusing:
            raise EventNotPublished(event.event_id, "InternalFailure: refused")
        self.published.append(event)


@pytest.fixture
def stored() -> FakeStoredEvents:
    return FakeStoredEvents()


@pytest.fixture
def bus() -> FakeBus:
    return FakeBus()


def publisher(desk: Desk, stored: FakeStoredEvents, bus: FakeBus) -> PublishOrderEvent:
    return PublishOrderEvent(events=stored, orders=desk.store, bus=bus)


def test_each_event_is_published_once_with_the_order_after_it(
    desk: Desk, stored: FakeStoredEvents, bus: FakeBus
) -> None:
    order = desk.create(request(order_type="limit", price="60000"), Caller.anyone()).order
    (created,) = desk.store.events[order.id]
    image = stored.add(created, order)
    publish = publisher(desk, stored, bus)

    assert publish(image) == Published.PUBLISHED
    assert publish(image) == Published.ALREADY_PUBLISHED  # the stream delivered it again

    assert [(event.event_id, event.kind, event.order) for event in bus.published] == [
        (created.event_id, OrderEventKind.CREATED, order)
    ]
    assert bus.published[0].model_dump(exclude={"order"}) == created.model_dump()
    assert set(stored.marks) == {created.event_id}


def test_a_refused_event_is_not_marked_and_goes_out_when_delivered_again(
    desk: Desk, stored: FakeStoredEvents, bus: FakeBus
) -> None:
    order = desk.create(request(), Caller.anyone()).order
    image = stored.add(desk.store.events[order.id][0], order)
    bus.refusing.add(image["event_id"])

    with pytest.raises(EventNotPublished):
        publisher(desk, stored, bus)(image)
    assert (bus.published, stored.marks) == ([], {})

    bus.refusing.clear()
    assert publisher(desk, stored, bus)(image) == Published.PUBLISHED
    assert [event.event_id for event in bus.published] == [image["event_id"]]


def test_a_bulk_cancel_event_carries_the_order_read_after_it(
    desk: Desk, stored: FakeStoredEvents, bus: FakeBus
) -> None:
    order = desk.create(request(order_type="limit", price="60000"), Caller.anyone()).order
    desk.cancel_all(1, None, None, Caller.anyone())
    cancelled = desk.store.events[order.id][-1]
    assert cancelled.kind == OrderEventKind.CANCELLED

    publisher(desk, stored, bus)(stored.add(cancelled, None))  # bulk cancels keep no order in the item

    (published,) = bus.published
    assert published.order == desk.order(order.id)
    assert (published.order.status, published.order.version) == ("cancelled", cancelled.order_version)


def test_an_order_read_at_another_version_than_the_event_is_refused(
    desk: Desk, stored: FakeStoredEvents, bus: FakeBus
) -> None:
    order = desk.create(request(order_type="limit", price="60000"), Caller.anyone()).order
    (created,) = desk.store.events[order.id]
    desk.cancel(order.id, Caller.anyone())  # the order moved on: it is not the order after `created`

    with pytest.raises(OrderAfterEventMissing, match="version 1 expected, version 2 found"):
        publisher(desk, stored, bus)(stored.add(created, None))
    with pytest.raises(OrderAfterEventMissing, match="no order found"):
        publisher(desk, stored, bus)(stored.add(created.model_copy(update={"order_id": 999}), None))
    assert (bus.published, stored.marks) == ([], {})
