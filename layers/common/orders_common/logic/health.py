"""Is the desk able to work, and how much is waiting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders_common.errors import StoreUnavailable
from orders_common.models.numbers import utc_now
from orders_common.models.responses import HealthReport, HealthStatistics, UnhealthyReport

if TYPE_CHECKING:
    from orders_common.wiring import Services


def check_health(services: Services) -> HealthReport | UnhealthyReport:
    try:
        pending = services.repository.count_pending_orders()
    except StoreUnavailable as error:
        return UnhealthyReport(error=error.message, code=error.code, checked_at=utc_now())
    return HealthReport(statistics=HealthStatistics(pending_orders=pending), checked_at=utc_now())
