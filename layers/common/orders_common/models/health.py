"""What the health check answers."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from orders_common.models.audit import AuditStatus
from orders_common.models.base import Model, empty_list
from orders_common.models.numbers import UtcDateTime


class DegradedReason(StrEnum):
    """Why health says ``degraded``: the price source for anyone; for admins also each figure of
    ``statistics`` over its threshold."""

    STALE_PENDING = "stale_pending_order"  # the oldest pending order is older than STALE_PENDING_MINUTES
    STUCK_EXECUTING = "orders_stuck_executing"  # claimed for the venue longer than the reconcile delay
    DEAD_LETTERS = "dead_letter_queue_not_empty"  # orders that failed every retry wait in the DLQ
    DEAD_LETTERS_UNREADABLE = "dead_letter_queue_unreadable"  # its depth could not be read (or no URL)
    SCHEDULE_LATE = "schedule_not_running"  # no process-all run for 3 periods (or none ever)
    AUDIT_MISMATCHES = "audit_mismatches"  # the last scheduled audit found balances off their ledger
    PRICES_UNAVAILABLE = "price_source_unavailable"  # no prices: creates and executions answer 503 (or 422)


class HealthStatistics(Model):
    pending_orders: int
    oldest_pending_age_seconds: int | None = Field(
        default=None, description="Age of the oldest pending order (resting limit orders included); null: none."
    )
    stuck_executing_orders: int = Field(
        default=0, description="Orders claimed for an external exchange longer ago than the reconcile delay."
    )
    dead_letter_messages: int | None = Field(
        default=None, description="Messages in the execution dead-letter queue; null: could not be read."
    )
    schedule_last_run_at: UtcDateTime | None = Field(
        default=None, description="When the process-all schedule last ran to the end; null: never."
    )
    last_audit: AuditStatus | None = Field(default=None, description="The last scheduled audit, if any ran.")


class HealthReport(Model):
    status: Literal["ok", "degraded"] = Field(
        default="ok",
        description="degraded: prices cannot be had, or (admins) a figure of statistics crossed its threshold; "
        "still 200 (only an unreachable store is 503 unhealthy).",
    )
    degraded_reasons: list[DegradedReason] = Field(
        default_factory=empty_list, description="Why it is degraded (empty when ok)."
    )
    statistics: HealthStatistics | None = Field(
        default=None, description="Present for admins (with authentication on, only on /api/orders/health/details)."
    )
    checked_at: UtcDateTime


class UnhealthyReport(Model):
    """Health's 503 answer: the error shape plus the status."""

    status: Literal["unhealthy"] = "unhealthy"
    error: str
    code: str
    request_id: str | None = None
    checked_at: UtcDateTime
