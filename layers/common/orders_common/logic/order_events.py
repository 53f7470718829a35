"""Reading an order's timeline (its owner or an admin), oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.logic.fills import readable_order

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.orders import OrderEventReads, OrderReads
    from orders_common.models.order_event import OrderEvent
    from orders_common.models.paging import Page, PageRequest


@dataclass(frozen=True)
class ListOrderEvents:
    orders: OrderReads
    events: OrderEventReads

    def __call__(self, order_id: int, page: PageRequest, caller: Caller) -> Page[OrderEvent]:
        readable_order(self.orders, order_id, caller)
        return self.events.order_events(order_id, page)
