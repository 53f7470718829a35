"""What one execution attempt's fill makes of an order: filled in full, or partially filled and still
open with a smaller reservation; and what it settles (the money of the parts, the reservation given
back, a sale's unsold units released when an immediate-or-cancel order ends)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from orders_common.domain.fill_quality import reference_after
from orders_common.domain.money import ZERO, add, divide, multiply, subtract, to_places
from orders_common.domain.settlement import (
    BuySettlement,
    SellSettlement,
    kept_reservation,
    notional_paid,
    notional_received,
    settle_buy,
    settle_sell,
)
from orders_common.models.order import Order, OrderStatus, TimeInForce

if TYPE_CHECKING:
    from orders_common.exchange.base import Fill
    from orders_common.models.account import Position


@dataclass(frozen=True)
class FillPlan:
    """One fill of ``before``: the order ``after`` it, and for a sale the units it delivers and the
    reserved units it gives back unsold (an immediate-or-cancel order ends with what it filled)."""

    before: Order
    after: Order
    fill: Fill
    sold: Decimal = ZERO
    released_unsold: Decimal = ZERO

    @property
    def completes(self) -> bool:
        return self.after.status is OrderStatus.FILLED


def plan_fill(order: Order, fill: Fill, market_price: Decimal | None = None) -> FillPlan:
    """The order after ``fill``: filled when nothing is left, or when it may trade only once (ioc,
    fok, a notional buy: the rest is released); else partially filled, still open. ``market_price``:
    the price seen when it executed, which its slippage is measured against."""
    remaining = order.remaining_quantity
    completes = (
        remaining is None or fill.quantity >= remaining or order.time_in_force in (TimeInForce.IOC, TimeInForce.FOK)
    )
    filled = add(order.filled_quantity, fill.quantity)
    notional = add(multiply(order.filled_price or ZERO, order.filled_quantity), fill_notional(fill))
    update: dict[str, object] = {
        "status": OrderStatus.FILLED if completes else OrderStatus.PARTIALLY_FILLED,
        "version": order.version + 1,
        "filled_quantity": filled,
        "filled_price": to_places(divide(notional, filled)),
        "market_price_at_fill": reference_after(
            previous=order.market_price_at_fill,
            filled_before=order.filled_quantity,
            market_price=market_price,
            filled_now=fill.quantity,
        ),
        "commission": add(order.commission or ZERO, fill.commission),
        "fills_count": order.fills_count + len(fill.records()),
        "last_fill_at": fill.executed_at,
        "updated_at": fill.executed_at,
        "exchange": fill.exchange,
        "exchange_order_id": fill.exchange_order_id,
    }
    if completes:
        update["executed_at"] = fill.executed_at
    sold = released_unsold = ZERO
    if order.side.value == "buy":
        kept = (
            ZERO
            if completes or remaining is None
            else kept_reservation(reserved=order.reserved_cash, remaining_before=remaining, filled=fill.quantity)
        )
        update["reserved_cash"] = kept
    else:
        sold = fill.quantity
        kept_units = ZERO if completes else subtract(order.reserved_quantity, sold)
        released_unsold = subtract(subtract(order.reserved_quantity, sold), kept_units)
        update["reserved_quantity"] = kept_units
    return FillPlan(order, order.model_copy(update=update), fill, sold, released_unsold)


def buy_settlement(plan: FillPlan) -> BuySettlement:
    prices = [(part.price, part.quantity) for part in plan.fill.records()]
    return settle_buy(
        reserved=subtract(plan.before.reserved_cash, plan.after.reserved_cash),
        price=plan.fill.price,
        quantity=plan.fill.quantity,
        commission=plan.fill.commission,
        cost=notional_paid(prices),
    )


def sell_settlement(plan: FillPlan, held: Position | None) -> SellSettlement:
    """Priced from the position as read (the fill is conditioned on it not having changed)."""
    prices = [(part.price, part.quantity) for part in plan.fill.records()]
    return settle_sell(
        held_quantity=held.quantity if held else plan.sold,
        cost_basis=held.cost_basis if held else ZERO,
        price=plan.fill.price,
        quantity=plan.sold,
        commission=plan.fill.commission,
        proceeds=notional_received(prices),
    )


def fill_notional(fill: Fill) -> Decimal:
    """Price x quantity of the fill, summed over its parts (exact: not the average price x quantity)."""
    total = ZERO
    for part in fill.records():
        total = add(total, multiply(part.price, part.quantity))
    return total
