"""Cancel a pending order (by its id or by the client order id its account gave it) and release what
it reserved; ``If-Match`` makes the cancel conditional on the version the client saw."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.errors import ClientOrderNotFound, StoreUnavailable
from orders_common.logic.order_versions import lost_race, pending_order_to_change
from orders_common.logic.ports.refusals import OrderStateChanged, OrderVersionChanged
from orders_common.models.cancellation import CancelResult
from orders_common.models.order import Order, OrderStatus
from orders_common.observability import count, logger

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.orders import ClientOrders, OrderReads, OrderTransitions

# Without If-Match, a cancel that loses a race with an amend is made again on the amended order.
CANCEL_ATTEMPTS = 3


@dataclass(frozen=True)
class CancelOrder:
    orders: OrderReads
    transitions: OrderTransitions
    clients: ClientOrders
    # With an external venue: an order resting there is cancelled there first, and what it filled meanwhile
    # recorded (``ExecutionEngine.withdraw``); the order as it then is gets cancelled here.
    withdraw: Callable[[Order], Order] | None = None

    def __call__(self, order_id: int, caller: Caller, if_match: int | None = None) -> CancelResult:
        for _ in range(CANCEL_ATTEMPTS):
            order = pending_order_to_change(self.orders, order_id, caller, if_match)
            if self.withdraw is not None and order.rests_on_venue:
                order = self.withdraw(order)
            try:
                cancelled = self.transitions.close(order, OrderStatus.CANCELLED)
            except (OrderStateChanged, OrderVersionChanged) as refused:
                answer = lost_race(order_id, refused, if_match)
                if answer is None:
                    continue
                raise answer from None
            logger.info("Order cancelled", order_id=order_id)
            count("OrdersCancelled")
            return CancelResult(
                order_id=order_id,
                cancelled_at=cancelled.cancelled_at or cancelled.updated_at,
                released_cash=order.reserved_cash,
                released_quantity=order.reserved_quantity,
            )
        raise StoreUnavailable(f"Order {order_id} kept changing while it was cancelled; try again shortly.")

    def by_client(
        self, account_id: int, client_order_id: str, caller: Caller, if_match: int | None = None
    ) -> CancelResult:
        order_id = self.clients.order_id_for_client(account_id, client_order_id)
        if order_id is None:
            raise ClientOrderNotFound(account_id, client_order_id)
        return self(order_id, caller, if_match)
