"""Execute one order: on request (answers the outcome) or from the execution queue (acknowledges what
is already final, raises what should be tried again)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.errors import OrderNotFound, OrderNotPending
from orders_common.models.order import OrderStatus
from orders_common.observability import logger

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.execution import ExecutionEngine
    from orders_common.logic.ports.orders import OrderReads
    from orders_common.models.execution import ExecuteResult


@dataclass(frozen=True)
class ExecuteOrder:
    orders: OrderReads
    engine: ExecutionEngine

    def __call__(self, order_id: int, caller: Caller) -> ExecuteResult:
        order = self.orders.get_order(order_id)
        if order is None:
            raise OrderNotFound(order_id)
        caller.require_user(order.user_id, f"order {order_id}")
        return self.engine.execute(order)


@dataclass(frozen=True)
class ExecuteQueued:
    """Deliveries can repeat: an order that is no longer pending is acknowledged and skipped. Transient
    failures (prices, exchange, store) raise, so that only this message is retried by SQS."""

    orders: OrderReads
    engine: ExecutionEngine

    def __call__(self, order_id: int) -> str:
        order = self.orders.get_order(order_id)
        if order is None:
            logger.warning("Queued order does not exist", order_id=order_id)
            return "missing"
        try:
            if order.status is OrderStatus.EXECUTING:
                return self.engine.reconcile(order).execution_status.value
            if not order.is_open:
                return "already-final"
            return self.engine.execute(order).execution_status.value
        except OrderNotPending:
            return "already-final"
