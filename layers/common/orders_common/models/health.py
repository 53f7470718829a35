"""What the health check answers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from orders_common.models.audit import AuditStatus
from orders_common.models.base import Model
from orders_common.models.numbers import UtcDateTime


class HealthStatistics(Model):
    pending_orders: int
    last_audit: AuditStatus | None = Field(default=None, description="The last scheduled audit, if any ran.")


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
