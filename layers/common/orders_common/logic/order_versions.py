"""What every change of one pending order starts from: the order as the caller may change it, and what
a lost race means for a change conditional on a version (If-Match) and for one that is not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders_common.errors import OrderNotFound, OrderNotPending, VersionMismatch
from orders_common.logic.ports.refusals import OrderStateChanged, OrderVersionChanged

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.orders import OrderReads
    from orders_common.models.order import Order


def pending_order_to_change(orders: OrderReads, order_id: int, caller: Caller, if_match: int | None) -> Order:
    """The order, read consistently; raises ``OrderNotFound``, ``Forbidden``, ``VersionMismatch``
    (If-Match names another version) or ``OrderNotPending``."""
    order = orders.get_order(order_id)
    if order is None:
        raise OrderNotFound(order_id)
    caller.require_user(order.user_id, f"order {order_id}")
    if if_match is not None and order.version != if_match:
        raise VersionMismatch(order_id, if_match, order.version)
    if not order.is_open:
        raise OrderNotPending(order_id, order.status.value)
    return order


def lost_race(
    order_id: int, refusal: OrderStateChanged | OrderVersionChanged, if_match: int | None
) -> Exception | None:
    """What a change refused by the store answers: the order left pending (409), or it changed under a
    conditional request (412); None when the change should be made again on the order as it now is."""
    if isinstance(refusal, OrderStateChanged):
        return OrderNotPending(order_id, refusal.status)
    if if_match is not None:
        return VersionMismatch(order_id, if_match, refusal.version)
    return None
