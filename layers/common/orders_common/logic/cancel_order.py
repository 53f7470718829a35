"""Cancel a pending order and release what it reserved."""

from __future__ import annotations

from dataclasses import dataclass

from orders_common.auth import Caller
from orders_common.errors import OrderNotFound, OrderNotPending
from orders_common.logic.ports import OrderReads, OrderStateChanged, OrderTransitions
from orders_common.models.cancellation import CancelResult
from orders_common.models.order import OrderStatus
from orders_common.observability import count, logger


@dataclass(frozen=True)
class CancelOrder:
    orders: OrderReads
    transitions: OrderTransitions

    def __call__(self, order_id: int, caller: Caller) -> CancelResult:
        order = self.orders.get_order(order_id)
        if order is None:
            raise OrderNotFound(order_id)
        caller.require_user(order.user_id, f"order {order_id}")
        if not order.is_pending:
            raise OrderNotPending(order_id, order.status.value)
        try:
            cancelled = self.transitions.close(order, OrderStatus.CANCELLED)
        except OrderStateChanged as changed:
            raise OrderNotPending(order_id, changed.status) from None
        logger.info("Order cancelled", order_id=order_id)
        count("OrdersCancelled")
        return CancelResult(
            order_id=order_id,
            cancelled_at=cancelled.cancelled_at or cancelled.updated_at,
            released_cash=order.reserved_cash,
            released_quantity=order.reserved_quantity,
        )
