"""Execute every pending order now, within the time of one API call; what the call cannot reach goes
to the execution queue.

Orders of one account are executed one after another (accounts in parallel): fills of one account
all change its account item, and on DynamoDB concurrent transactions on one item cancel each other.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orders_common.batching import batched
from orders_common.concurrency import ContextThreadPool
from orders_common.errors import ExchangeUnavailable, OrderNotPending, OrdersError, StoreUnavailable
from orders_common.models.execution import ExecuteResult, ExecutionStatus
from orders_common.models.paging import OrderFilters, PageRequest
from orders_common.models.process_all import ProcessAllResult
from orders_common.observability import logger
from orders_common.timing import deadline_in

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.execution import ExecutionEngine
    from orders_common.logic.ports.accounts import ExecutionQueue
    from orders_common.logic.ports.orders import OrderReads
    from orders_common.models.order import Order

Clock = Callable[[], float]

PAGE_SIZE = 500
# API Gateway answers 504 after 30 s whatever the function does; the call is planned to end before.
CALL_SECONDS_LIMIT = 28.0
# After the executions, at most this long is spent handing unreached orders to the queue.
ENQUEUE_SECONDS = 3.0
# An execution started just before the cutoff may still wait this long for prices and the store.
IN_FLIGHT_SECONDS = 4.0


@dataclass(frozen=True)
class TimePlan:
    start_seconds: float  # no execution starts after this
    execute_seconds: float  # every execution, in flight included, ends by this
    call_seconds: float  # the hand-over too


def plan_time(configured_budget: float, remaining_seconds: float | None) -> TimePlan:
    """Whatever the configured budget, the whole call ends before API Gateway gives up on it."""
    call = CALL_SECONDS_LIMIT if remaining_seconds is None else min(CALL_SECONDS_LIMIT, remaining_seconds - 1.0)
    execute = max(call - ENQUEUE_SECONDS, 0.0)
    return TimePlan(
        start_seconds=max(min(configured_budget, execute - IN_FLIGHT_SECONDS), 0.0),
        execute_seconds=execute,
        call_seconds=max(call, 0.0),
    )


Outcome = ExecuteResult | BaseException | None  # None: not reached before the cutoff


@dataclass
class _Tally:
    processed: int = 0
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    expired: int = 0
    unreached: list[int] = field(default_factory=list)

    def collect(self, running: list[Future[list[tuple[Order, Outcome]]]]) -> None:
        for future in running:
            for order, outcome in future.result():
                self.count(order, outcome)

    def count(self, order: Order, outcome: Outcome) -> None:
        if outcome is None:
            self.unreached.append(order.id)
            return
        self.processed += 1
        if isinstance(outcome, ExecuteResult):
            if outcome.execution_status in (ExecutionStatus.FILLED, ExecutionStatus.PARTIALLY_FILLED):
                self.succeeded += 1
            elif outcome.execution_status in (ExecutionStatus.OPEN, ExecutionStatus.NOT_TRIGGERED):
                self.skipped += 1
            elif outcome.execution_status is ExecutionStatus.EXPIRED:
                self.expired += 1
            else:
                self.failed += 1
        elif isinstance(outcome, OrderNotPending):
            self.skipped += 1  # another execution or a cancel finished it first
        else:
            self.failed += 1
            if not isinstance(outcome, (ExchangeUnavailable, OrdersError)):
                logger.error("Execution failed unexpectedly", order_id=order.id, error=repr(outcome))


@dataclass(frozen=True)
class ProcessAll:
    orders: OrderReads
    engine: ExecutionEngine
    queue: Callable[[], ExecutionQueue]  # built only when something is handed over
    concurrency: int

    def __call__(self, caller: Caller, plan: TimePlan, *, clock: Clock = time.monotonic) -> ProcessAllResult:
        """Pending orders, oldest first, ``concurrency`` accounts at a time, none started after
        ``plan.start_seconds``; then the unreached ones to the queue until ``plan.call_seconds``; any
        still left stay pending for the schedule (``deferred``)."""
        caller.require_admin("Processing the pending orders of every account")
        began = clock()
        cutoff = began + plan.start_seconds
        tally = _Tally()
        cursor: str | None = None
        read_all = False
        with deadline_in(plan.execute_seconds), ContextThreadPool(self.concurrency, "execute") as pool:
            running: list[Future[list[tuple[Order, Outcome]]]] = []
            while not read_all and clock() < cutoff:
                page = self.orders.list_pending_orders(PageRequest(limit=PAGE_SIZE, after=cursor), OrderFilters())
                # The previous page ends before this one starts, so one account never runs twice at once.
                tally.collect(running)
                by_account: dict[int, list[Order]] = defaultdict(list)
                for order in page.items:
                    by_account[order.account_id].append(order)
                running = [pool.submit(self._run_account, orders, cutoff, clock) for orders in by_account.values()]
                cursor, read_all = page.next_cursor, page.next_cursor is None
            tally.collect(running)

        queued = deferred = 0
        if tally.unreached or not read_all:
            rest = iter(()) if read_all else self._pending_after(cursor)
            hand_over_until = began + plan.call_seconds
            with deadline_in(max(hand_over_until - clock(), 0.0)):
                queued, deferred = self._hand_over(tally.unreached, rest, hand_over_until, clock)
            logger.info("Handed unreached orders to the execution queue", queued=queued, deferred=deferred)
        return ProcessAllResult(
            processed=tally.processed,
            succeeded=tally.succeeded,
            failed=tally.failed,
            skipped=tally.skipped,
            expired=tally.expired,
            queued=queued,
            deferred=deferred,
        )

    def _run_account(self, orders: list[Order], cutoff: float, clock: Clock) -> list[tuple[Order, Outcome]]:
        outcomes: list[tuple[Order, Outcome]] = []
        for order in orders:
            if clock() >= cutoff:
                outcomes.append((order, None))
                continue
            try:
                outcomes.append((order, self.engine.execute(order)))
            except Exception as error:
                outcomes.append((order, error))
        return outcomes

    def _pending_after(self, cursor: str | None) -> Iterator[Order]:
        while True:
            page = self.orders.list_pending_orders(PageRequest(limit=PAGE_SIZE, after=cursor), OrderFilters())
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def _hand_over(self, first: list[int], rest: Iterator[Order], until: float, clock: Clock) -> tuple[int, int]:
        """Queue the unreached orders while time allows; what does not fit, or finds the queue down,
        stays pending for the schedule and is counted as deferred."""
        queue = self.queue()
        queued = deferred = 0
        queue_up = True
        for batch in batched(itertools.chain(first, (order.id for order in rest)), PAGE_SIZE):
            if not queue_up or clock() >= until:
                deferred += len(batch)
                continue
            try:
                sent = queue.send(batch)
            except StoreUnavailable:
                logger.warning("Execution queue unavailable; unreached orders stay pending for the schedule")
                queue_up = False
                sent = 0
            queued += sent
            deferred += len(batch) - sent
        return queued, deferred
