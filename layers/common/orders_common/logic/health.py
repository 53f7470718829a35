"""Is the desk able to work, and how much is waiting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders_common.errors import StoreUnavailable
from orders_common.models.numbers import utc_now
from orders_common.models.responses import HealthReport, HealthStatistics

if TYPE_CHECKING:
    from orders_common.wiring import Services


def check_health(services: Services) -> HealthReport:
    try:
        pending = services.repository.count_pending_orders()
    except StoreUnavailable as error:
        return HealthReport(status="unhealthy", checked_at=utc_now(), error=error.message, code=error.code)
    return HealthReport(status="ok", statistics=HealthStatistics(pending_orders=pending), checked_at=utc_now())
