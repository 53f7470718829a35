"""Reading one order by its id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.errors import OrderNotFound

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.orders import OrderReads
    from orders_common.models.order import Order


@dataclass(frozen=True)
class GetOrder:
    orders: OrderReads

    def __call__(self, order_id: int, caller: Caller) -> Order:
        order = self.orders.get_order(order_id)
        if order is None:
            raise OrderNotFound(order_id)
        caller.require_user(order.user_id, f"order {order_id}")
        return order
