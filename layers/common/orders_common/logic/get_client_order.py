"""Reading one order by the client order id its account gave it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.errors import ClientOrderNotFound

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.orders import ClientOrders
    from orders_common.models.order import Order


@dataclass(frozen=True)
class GetClientOrder:
    orders: ClientOrders

    def __call__(self, account_id: int, client_order_id: str, caller: Caller) -> Order:
        order = self.orders.find_by_client(account_id, client_order_id)
        if order is None:
            raise ClientOrderNotFound(account_id, client_order_id)
        caller.require_user(order.user_id, f"order {order.id}")
        return order
