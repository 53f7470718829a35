"""Is the desk able to work, how much is waiting, and is anything falling behind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from orders_common.errors import ExchangeUnavailable, StoreUnavailable
from orders_common.models.health import DegradedReason, HealthReport, HealthStatistics, UnhealthyReport
from orders_common.models.numbers import utc_now
from orders_common.observability import logger

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.exchange.base import PriceProbe
    from orders_common.logic.ports.accounts import AuditLog, QueueDepth, ScheduleRuns
    from orders_common.logic.ports.orders import PendingAges, PendingSummaries

# The schedule is late when it has not run for this many of its periods.
SCHEDULE_PERIODS_LATE = 3


@dataclass(frozen=True)
class HealthRules:
    """The thresholds past which admin health says ``degraded``."""

    stale_pending: timedelta  # the oldest pending order may be this old
    schedule_period: timedelta | None  # the process-all schedule's period; None: it is switched off


@dataclass(frozen=True)
class CheckHealth:
    pending: PendingSummaries
    ages: PendingAges
    audits: AuditLog
    runs: ScheduleRuns
    dead_letters: Callable[[], QueueDepth] | None  # None: the DLQ's URL is not configured
    prices: PriceProbe
    rules: HealthRules
    clock: Callable[[], datetime] = utc_now

    def __call__(self, caller: Caller) -> HealthReport | UnhealthyReport:
        """Everyone gets the status: the store from one cheap read, and the price source from one bounded
        request (health is what monitors poll, without a token). Admins also get the figures (reads of
        every shard of the narrow index, which also prove the store answers) and ``degraded`` with its
        reasons when one crosses its threshold. Only an unreachable store is ``unhealthy``."""
        try:
            if caller.is_admin:
                statistics: HealthStatistics | None = self._statistics()
            else:
                self.pending.ping()
                statistics = None
        except StoreUnavailable as error:
            return UnhealthyReport(error=error.message, code=error.code, checked_at=self.clock())
        reasons = self._reasons(statistics) if statistics is not None else []
        if not self._prices_available():
            reasons.append(DegradedReason.PRICES_UNAVAILABLE)
        return HealthReport(
            status="degraded" if reasons else "ok",
            degraded_reasons=reasons,
            statistics=statistics,
            checked_at=self.clock(),
        )

    def figures(self, caller: Caller) -> HealthReport | UnhealthyReport:
        """The report with its figures, for admins only (403 for anyone else)."""
        caller.require_admin("Reading the health figures")
        return self(caller)

    def _prices_available(self) -> bool:
        try:
            self.prices.probe()
        except ExchangeUnavailable as error:
            logger.warning("Health: prices cannot be had", price_source=self.prices.name, error=error.message)
            return False
        return True

    def _statistics(self) -> HealthStatistics:
        # The reconcile delay is the schedule's (imported here: a non-admin's check never pays for it).
        from orders_common.logic.fan_out import RECONCILE_AFTER

        now = self.clock()
        oldest = self.ages.oldest_pending_since()
        return HealthStatistics(
            pending_orders=self.pending.count_pending(),
            oldest_pending_age_seconds=None if oldest is None else max(int((now - oldest).total_seconds()), 0),
            stuck_executing_orders=len(self.pending.executing_before(now - RECONCILE_AFTER)),
            dead_letter_messages=self._dead_letter_messages(),
            schedule_last_run_at=self.runs.last_schedule_run(),
            last_audit=self.audits.last_status(),
        )

    def _dead_letter_messages(self) -> int | None:
        """The DLQ's depth; None when it cannot be known (no URL, or SQS did not answer): the store
        answered, so that is a degraded desk, not an unhealthy one."""
        if self.dead_letters is None:
            logger.warning("EXECUTION_DEAD_LETTER_QUEUE_URL is not set: the DLQ's depth is unknown")
            return None
        try:
            return self.dead_letters().approximate_messages()
        except StoreUnavailable:
            return None

    def _reasons(self, statistics: HealthStatistics) -> list[DegradedReason]:
        reasons: list[DegradedReason] = []
        age = statistics.oldest_pending_age_seconds
        if age is not None and age > self.rules.stale_pending.total_seconds():
            reasons.append(DegradedReason.STALE_PENDING)
        if statistics.stuck_executing_orders > 0:
            reasons.append(DegradedReason.STUCK_EXECUTING)
        if statistics.dead_letter_messages is None:
            reasons.append(DegradedReason.DEAD_LETTERS_UNREADABLE)
        elif statistics.dead_letter_messages > 0:
            reasons.append(DegradedReason.DEAD_LETTERS)
        period = self.rules.schedule_period
        last_run = statistics.schedule_last_run_at
        if period is not None and (last_run is None or self.clock() - last_run > SCHEDULE_PERIODS_LATE * period):
            reasons.append(DegradedReason.SCHEDULE_LATE)
        if statistics.last_audit is not None and statistics.last_audit.mismatches > 0:
            reasons.append(DegradedReason.AUDIT_MISMATCHES)
        return reasons


@dataclass(frozen=True)
class RecordScheduleRun:
    """The schedule's heartbeat, written at the end of each run (admin health reads it)."""

    runs: ScheduleRuns
    clock: Callable[[], datetime] = utc_now

    def __call__(self) -> datetime | None:
        """The time recorded; None when the store refused it (the run itself is not undone for that:
        health then shows the previous run, and says so once three periods pass)."""
        at = self.clock()
        try:
            self.runs.record_schedule_run(at)
        except StoreUnavailable:
            logger.warning("The schedule's heartbeat could not be written")
            return None
        return at
