"""Cancel a pending order and release what it reserved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import MetricUnit

from orders_common.auth import Caller
from orders_common.errors import OrderNotFound, OrderNotPending
from orders_common.models.cancellation import CancelResult
from orders_common.models.order import OrderStatus
from orders_common.observability import logger, metrics

if TYPE_CHECKING:
    from orders_common.wiring import Services


def cancel_order(order_id: int, caller: Caller, services: Services) -> CancelResult:
    repository = services.repository
    order = repository.get_order(order_id)
    if order is None:
        raise OrderNotFound(order_id)
    caller.require_user(order.user_id, f"order {order_id}")
    if not order.is_pending:
        raise OrderNotPending(order_id, order.status.value)
    cancelled = repository.close_order(order, OrderStatus.CANCELLED)
    logger.info("Order cancelled", order_id=order_id)
    metrics.add_metric(name="OrdersCancelled", unit=MetricUnit.Count, value=1)
    return CancelResult(
        order_id=order_id,
        cancelled_at=cancelled.cancelled_at or cancelled.updated_at,
        released_cash=order.reserved_cash,
        released_quantity=order.reserved_quantity,
    )
