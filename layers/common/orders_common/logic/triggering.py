"""Whether an order can trade at a market price: a stop or take-profit order once its trigger is
reached, a trailing stop once the market retraces by its trail (its mark following the market until
then), every other order at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from orders_common.domain.triggers import follow, trigger_reached
from orders_common.models.order import Order, OrderType


@dataclass(frozen=True)
class TriggerCheck:
    order: Order  # as it trades now (triggered_at set when it triggers), or with its trail moved on
    ready: bool  # may trade at this price
    newly_triggered: bool  # triggered by this price: the attempt records it
    trail_moved: bool  # a trailing stop's mark moved: worth keeping even if it does not trade


def check_trigger(order: Order, market_price: Decimal, now: datetime) -> TriggerCheck:
    if not order.waits_for_trigger:
        return TriggerCheck(order, ready=True, newly_triggered=False, trail_moved=False)
    moved = False
    if order.order_type is OrderType.TRAILING_STOP:
        trail = follow(
            side=order.side.value,
            mark=order.trail_mark,
            market_price=market_price,
            percent=order.trail_percent,
            amount=order.trail_amount,
        )
        moved = trail.mark != order.trail_mark
        order = order.model_copy(update={"trail_mark": trail.mark, "stop_price": trail.stop_price})
        reached = trail.triggered
    else:
        kind = "stop" if order.order_type.value.startswith("stop") else "take_profit"
        assert order.trigger_price is not None  # every stop and take-profit order has one (validated)
        reached = trigger_reached(
            kind=kind, side=order.side.value, trigger_price=order.trigger_price, market_price=market_price
        )
    if reached:
        order = order.triggering(now)
    return TriggerCheck(order, ready=reached, newly_triggered=reached, trail_moved=moved)
