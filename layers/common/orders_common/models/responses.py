"""What the API answers, beyond the order and account models themselves."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from orders_common.models.base import Model
from orders_common.models.numbers import ExactDecimal, UtcDateTime
from orders_common.models.order import OrderStatus


class ExecutionStatus(StrEnum):
    """Outcome of one execution attempt."""

    FILLED = "filled"
    OPEN = "open"  # a limit order that is not marketable yet: still pending, not a failure
    REJECTED = "rejected"


class ExecuteResult(Model):
    status: Literal["ok"] = "ok"
    order_id: int
    execution_status: ExecutionStatus
    order_status: OrderStatus
    filled_price: ExactDecimal | None = None
    filled_quantity: ExactDecimal | None = None
    commission: ExactDecimal | None = None
    executed_at: UtcDateTime | None = None
    rejection_reason: str | None = None
    market_price: ExactDecimal | None = Field(default=None, description="Price seen when the order was tried.")


class CancelResult(Model):
    status: Literal["ok"] = "ok"
    order_id: int
    order_status: OrderStatus = OrderStatus.CANCELLED
    cancelled_at: UtcDateTime
    released_cash: ExactDecimal = Field(description="Cash the order had reserved, available again.")
    released_quantity: ExactDecimal = Field(description="Quantity the order had reserved, available again.")


class ProcessAllResult(Model):
    processed: int = Field(description="Orders tried in this call.")
    succeeded: int = Field(description="Orders filled.")
    failed: int = Field(description="Orders rejected or that could not be executed.")
    skipped: int = Field(default=0, description="Limit orders still not marketable (left pending).")
    queued: int = Field(default=0, description="Orders handed to the execution queue for later.")
    deferred: int = Field(
        default=0, description="Pending orders this call neither executed nor queued; the schedule reaches them."
    )


class FanOutResult(Model):
    queued: int = Field(description="Orders sent to the execution queue.")
    complete: bool = Field(description="False when time ran out; the next run goes on from where this one stopped.")
    resumed: bool = Field(description="True when this run went on from where the previous one stopped.")


class HealthStatistics(Model):
    pending_orders: int


class HealthReport(Model):
    status: Literal["ok"] = "ok"
    statistics: HealthStatistics | None = Field(default=None, description="Present for admins.")
    checked_at: UtcDateTime


class UnhealthyReport(Model):
    """Health's 503 answer: the error shape plus the status."""

    status: Literal["unhealthy"] = "unhealthy"
    error: str
    code: str
    request_id: str | None = None
    checked_at: UtcDateTime


class ValidationDetail(Model):
    location: str = Field(description="Where the problem is: body, path, query or header.")
    field: str | None = Field(description="Dotted path of the offending field, or null for the whole body.")
    message: str
    type: str


class GatewayError(Model):
    """What API Gateway itself answers (401 without a valid token, 404 for an unknown route)."""

    message: str


class ErrorBody(Model):
    """The one error shape of the API."""

    error: str = Field(description="What went wrong, written for a person.")
    code: str = Field(description="Stable machine-readable error code.")
    request_id: str | None = None
    details: list[ValidationDetail] | dict[str, Any] | None = None
