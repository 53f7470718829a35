"""What a cancel answers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from orders_common.models.numbers import ExactDecimal, UtcDateTime
from orders_common.models.order import AboutAnOrder, OrderStatus


class CancelResult(AboutAnOrder):
    status: Literal["ok"] = "ok"
    order_status: OrderStatus = OrderStatus.CANCELLED
    cancelled_at: UtcDateTime
    released_cash: ExactDecimal = Field(description="Cash the order had reserved, available again.")
    released_quantity: ExactDecimal = Field(description="Quantity the order had reserved, available again.")
