"""What the event bus carries: an order event and the order right after it. Apart from the event
itself, which every change of an order writes; only the publisher builds this one."""

from __future__ import annotations

from orders_common.models.order import Order
from orders_common.models.order_event import OrderEvent


class PublishedOrderEvent(OrderEvent):
    """The ``detail`` of an event on the bus: the event and the order right after it."""

    order: Order
