"""Is the desk able to work, and how much is waiting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders_common.auth import Caller
from orders_common.errors import StoreUnavailable
from orders_common.models.numbers import utc_now
from orders_common.models.responses import HealthReport, HealthStatistics, UnhealthyReport

if TYPE_CHECKING:
    from orders_common.wiring import Services


def check_health(caller: Caller, services: Services) -> HealthReport | UnhealthyReport:
    """Counting pending orders also proves the store answers. Only admins see the figures; others
    get the status alone (it is the same check)."""
    try:
        pending = services.repository.count_pending_orders()
    except StoreUnavailable as error:
        return UnhealthyReport(error=error.message, code=error.code, checked_at=utc_now())
    statistics = HealthStatistics(pending_orders=pending) if caller.is_admin else None
    return HealthReport(statistics=statistics, checked_at=utc_now())
