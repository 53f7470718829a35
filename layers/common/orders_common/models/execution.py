"""What an execution attempt answers."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, computed_field

from orders_common.models.numbers import ExactDecimal, UtcDateTime
from orders_common.models.order import AboutAnOrder, OrderStatus


class ExecutionStatus(StrEnum):
    """Outcome of one execution attempt."""

    FILLED = "filled"
    PARTIALLY_FILLED = "partially_filled"  # part filled now, the rest open for later attempts
    OPEN = "open"  # a limit order that is not marketable yet: still pending, not a failure
    NOT_TRIGGERED = "not_triggered"  # a stop, take-profit or trailing stop still waiting: pending
    EXPIRED = "expired"  # ioc/fok not filled at its attempt, or gtd past expire_at: reservation released
    REJECTED = "rejected"
    ACCEPTED = "accepted"  # a venue took it and has not listed its fills yet: executing until it has
    CANCELLED = "cancelled"  # the venue ended an order resting there (margin, self-trade ...): reservation released


class ExecuteResult(AboutAnOrder):
    status: Literal["ok"] = "ok"
    execution_status: ExecutionStatus
    order_status: OrderStatus
    filled_price: ExactDecimal | None = None
    filled_quantity: ExactDecimal | None = None
    commission: ExactDecimal | None = None
    executed_at: UtcDateTime | None = None
    rejection_reason: str | None = None
    market_price: ExactDecimal | None = Field(default=None, description="Price seen when the order was tried.")
    slippage: ExactDecimal | None = Field(
        default=None, description="The order's slippage once filled (see the order's own field); else null."
    )

    @computed_field(description="Equal to filled_price; null without a fill.")  # type: ignore[prop-decorator]
    @property
    def actual_fill_price(self) -> ExactDecimal | None:
        return self.filled_price
