"""Publishing each order event to the stack's EventBridge bus, at least once, from the table's stream.

Why a function on the stream rather than EventBridge Pipes: a pipe passes the stream's item image
(DynamoDB-typed JSON, ``{"S": ...}``) and could neither turn the stored JSON text (``before``,
``order``) into the event's detail, nor read the order of a bulk-cancel event (whose item keeps none),
nor skip an event already published. The function is one code path that runs the same on Lambda, in
``make run`` (moto's stream, read by ``localdev.streams``) and in the tests.

At least once, deduplicated by ``event_id``: an event whose item already carries its publication mark
(a consistent read) is skipped, so a stream batch delivered twice publishes each event once. A crash
between the bus taking the event and the mark being written publishes it again, with the same
``event_id``: integrators deduplicate on it. The mark is a MODIFY of the item, which the stream's
filter (INSERTs of ``EVENT#`` items only) never delivers back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from orders_common.models.numbers import utc_now
from orders_common.models.published_event import PublishedOrderEvent

if TYPE_CHECKING:
    from orders_common.logic.ports.events import EventBus, StoredEvent, StoredEvents
    from orders_common.logic.ports.orders import OrderReads
    from orders_common.models.order import Order

EVENT_SOURCE = "hyperoru.orders"  # the ``source`` of every event on the bus; ``detail-type`` is the kind


class Published(StrEnum):
    PUBLISHED = "published"
    ALREADY_PUBLISHED = "already_published"  # a duplicate delivery of the stream: nothing sent again


class OrderAfterEventMissing(Exception):
    """The order a bulk-cancel event names cannot be read as it was right after the event."""


class PublishOrderEvent:
    def __init__(
        self,
        *,
        events: StoredEvents,
        orders: OrderReads,
        bus: EventBus,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.events = events
        self.orders = orders
        self.bus = bus
        self.clock = clock

    def __call__(self, image: Mapping[str, Any]) -> Published:
        stored = self.events.from_image(image)
        if self.events.is_published(stored.event):
            return Published.ALREADY_PUBLISHED
        self.bus.publish(PublishedOrderEvent(**dict(stored.event), order=self._order_after(stored)))
        self.events.mark_published(stored.event, self.clock())
        return Published.PUBLISHED

    def _order_after(self, stored: StoredEvent) -> Order:
        if stored.order is not None:
            return stored.order
        # Only bulk cancels keep no order: a cancelled order is final, so the order as it is now is the
        # order right after the event, unless something changed it since (then the event fails, visibly).
        event = stored.event
        order = self.orders.get_order(event.order_id)
        if order is None or order.version != event.order_version:
            found = "no order" if order is None else f"version {order.version}"
            raise OrderAfterEventMissing(
                f"event {event.event_id}: order {event.order_id} at version {event.order_version} expected, "
                f"{found} found"
            )
        return order
