"""Is the desk able to work, and how much is waiting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders_common.auth import Caller
from orders_common.errors import StoreUnavailable
from orders_common.models.health import HealthReport, HealthStatistics, UnhealthyReport
from orders_common.models.numbers import utc_now

if TYPE_CHECKING:
    from orders_common.wiring import Services


def check_health(caller: Caller, services: Services) -> HealthReport | UnhealthyReport:
    """Admins get the pending orders counted (a read of every shard, which also proves the store
    answers); everyone else, the status alone, from one cheap read: health is what monitors poll."""
    try:
        if not caller.is_admin:
            services.repository.ping()
            return HealthReport(checked_at=utc_now())
        pending = services.repository.count_pending_orders()
    except StoreUnavailable as error:
        return UnhealthyReport(error=error.message, code=error.code, checked_at=utc_now())
    return HealthReport(statistics=HealthStatistics(pending_orders=pending), checked_at=utc_now())
