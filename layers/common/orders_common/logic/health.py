"""Is the desk able to work, and how much is waiting."""

from __future__ import annotations

from dataclasses import dataclass

from orders_common.auth import Caller
from orders_common.errors import StoreUnavailable
from orders_common.logic.ports import AuditLog, PendingSummaries
from orders_common.models.health import HealthReport, HealthStatistics, UnhealthyReport
from orders_common.models.numbers import utc_now


@dataclass(frozen=True)
class CheckHealth:
    pending: PendingSummaries
    audits: AuditLog

    def __call__(self, caller: Caller) -> HealthReport | UnhealthyReport:
        """Admins get the pending orders counted (a read of every shard of the narrow index, which also
        proves the store answers); everyone else the status alone, from one cheap read: health is what
        monitors poll."""
        try:
            if not caller.is_admin:
                self.pending.ping()
                return HealthReport(checked_at=utc_now())
            pending = self.pending.count_pending()
            last_audit = self.audits.last_status()
        except StoreUnavailable as error:
            return UnhealthyReport(error=error.message, code=error.code, checked_at=utc_now())
        return HealthReport(
            statistics=HealthStatistics(pending_orders=pending, last_audit=last_audit), checked_at=utc_now()
        )
