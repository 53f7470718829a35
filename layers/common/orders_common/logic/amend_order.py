"""Amend a pending order: change its price, quantity, trigger, trail, expiry or name in place. Its
reservation follows in the same transaction (a larger one only if the account can cover the
difference), and its version moves on, so a client's ``If-Match`` sees the change."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from orders_common.domain.money import ZERO, subtract
from orders_common.domain.triggers import follow
from orders_common.errors import InvalidRequest, OrderOnVenue, OrderTriggered, StoreUnavailable
from orders_common.logic.order_terms import (
    OrderRules,
    VenueRefusal,
    check_notional,
    check_precision,
    check_venue,
    funds_refusal,
    position_refusal,
    priced_at_market,
    reservation,
)
from orders_common.logic.order_versions import lost_race, pending_order_to_change
from orders_common.logic.ports.refusals import AccountRefused, OrderStateChanged, OrderVersionChanged, PositionRefused
from orders_common.models.errors import ValidationDetail
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderType, TimeInForce
from orders_common.observability import count, logger

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.domain.fees import FeeSchedule
    from orders_common.exchange.base import PriceSource
    from orders_common.logic.ports.orders import OrderAmends, OrderReads
    from orders_common.models.order_actions import AmendOrderRequest

# Without If-Match, an amend that loses a race with another change is applied again to the order as
# it then is, this many times at most.
AMEND_ATTEMPTS = 3
# Fields that change what the order reserves.
RESERVING = frozenset({"price", "quantity", "trigger_price", "trail_percent", "trail_amount"})
TRAIL = frozenset({"trail_percent", "trail_amount"})


@dataclass(frozen=True)
class AmendOrder:
    orders: OrderReads
    amends: OrderAmends
    prices: PriceSource
    fees: FeeSchedule
    rules: OrderRules
    max_order_notional: Decimal  # MaxOrderNotional holds for an amended order as for a new one
    venue_refusal: VenueRefusal | None = None  # as at create (CreateOrder)

    def __call__(self, order_id: int, request: AmendOrderRequest, caller: Caller, if_match: int | None) -> Order:
        changes = request.changes()
        for _ in range(AMEND_ATTEMPTS):
            order = pending_order_to_change(self.orders, order_id, caller, if_match)
            if order.rests_on_venue:
                raise OrderOnVenue(order_id, order.exchange or "the venue")
            amended = self._amended(order, changes)
            try:
                stored = self.amends.amend(order, amended)
            except (OrderStateChanged, OrderVersionChanged) as refused:
                answer = lost_race(order_id, refused, if_match)
                if answer is None:
                    continue
                raise answer from None
            except AccountRefused as refused:
                more = subtract(amended.reserved_cash, order.reserved_cash)
                raise funds_refusal(order, refused, more, "a larger order") from None
            except PositionRefused as refused:
                raise position_refusal(
                    order, refused, subtract(amended.reserved_quantity, order.reserved_quantity)
                ) from None
            logger.info("Order amended", order_id=order_id, fields=sorted(changes), version=stored.version)
            count("OrdersAmended")
            return stored
        raise StoreUnavailable(f"Order {order_id} kept changing while it was amended; try again shortly.")

    def _amended(self, order: Order, changes: dict[str, Any]) -> Order:
        refuse_fields_it_lacks(order, changes)
        if "quantity" in changes and changes["quantity"] <= order.filled_quantity:
            problem = ValidationDetail(
                location="body",
                field="quantity",
                message=f"must be more than the {order.filled_quantity} already filled",
                type="below_filled",
            )
            raise InvalidRequest(
                f"Order {order.id} has filled {order.filled_quantity}; its quantity cannot go below that.",
                details=[problem.model_dump()],
            )
        check_precision(order.symbol, changes, self.rules)
        update: dict[str, Any] = dict(changes)
        if "trail_percent" in changes:
            update["trail_amount"] = None
        if "trail_amount" in changes:
            update["trail_percent"] = None
        amended = order.model_copy(update={**update, "version": order.version + 1, "updated_at": utc_now()})
        if TRAIL & changes.keys() and order.trail_mark is not None:
            # The stop keeps following the same mark, at the new distance.
            trail = follow(
                side=order.side.value,
                mark=order.trail_mark,
                market_price=order.trail_mark,
                percent=amended.trail_percent,
                amount=amended.trail_amount,
            )
            amended = amended.model_copy(update={"stop_price": trail.stop_price})
        if not RESERVING & changes.keys():
            return amended
        market_price: Decimal | None = None
        if priced_at_market(amended):  # a buy reserves from it, and every such order is valued at it
            market_price = self.prices.get_price(order.symbol)
        check_notional(amended, market_price or ZERO, self.max_order_notional)
        if self.venue_refusal is not None:
            check_venue(amended, market_price or self.prices.get_price(order.symbol), self.venue_refusal)
        return reservation(amended, market_price, self.rules, self.fees)


def refuse_fields_it_lacks(order: Order, changes: dict[str, Any]) -> None:
    """Only what the order has can change: a limit price on limit orders, a trigger on stop and
    take-profit orders (until they trigger), a trail on trailing stops, an expiry on gtd orders."""
    kind = order.order_type
    lacks = {
        "price": not kind.has_limit_price and f"{kind.value} orders have no limit price",
        "quantity": order.quantity is None and "this order spends a quote_quantity; it has no quantity to change",
        "trigger_price": not kind.has_trigger_price and f"{kind.value} orders have no trigger price",
        "trail_percent": kind is not OrderType.TRAILING_STOP and "only trailing_stop orders have a trail",
        "trail_amount": kind is not OrderType.TRAILING_STOP and "only trailing_stop orders have a trail",
        "expire_at": order.time_in_force is not TimeInForce.GTD and "only gtd orders have an expire_at",
    }
    problems = [
        ValidationDetail(location="body", field=field, message=str(why), type="not_amendable")
        for field, why in lacks.items()
        if field in changes and why
    ]
    if problems:
        fields = ", ".join(problem.field or "" for problem in problems)
        raise InvalidRequest(
            f"Order {order.id} cannot amend {fields}.", details=[problem.model_dump() for problem in problems]
        )
    if order.triggered_at is not None:
        for field in ("trigger_price", "trail_percent", "trail_amount"):
            if field in changes:
                raise OrderTriggered(order.id, field)
