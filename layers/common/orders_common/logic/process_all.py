"""Execute every pending order: now, within a time budget (the API call), or by fanning every pending
order out to the execution queue (the EventBridge schedule)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from orders_common.auth import Caller
from orders_common.concurrency import ContextThreadPool
from orders_common.errors import ExchangeUnavailable, OrderNotPending, OrdersError, StoreUnavailable
from orders_common.models.execution import ExecuteResult, ExecutionStatus
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order
from orders_common.models.paging import OrderFilters, PageRequest
from orders_common.models.process_all import FanOutResult, ProcessAllResult
from orders_common.observability import logger
from orders_common.queue import batched

if TYPE_CHECKING:
    from orders_common.wiring import Services

Clock = Callable[[], float]

PROCESS_ALL_PAGE_SIZE = 500
# Kept back from the invocation's remaining time so that the answer leaves before the deadline.
RESPONSE_MARGIN_SECONDS = 2.0
# After the execution budget, at most this long is spent handing unreached orders to the queue.
ENQUEUE_SECONDS = 3.0
FAN_OUT_PAGE_SIZE = 500
# An order claimed for an external exchange this long ago without an outcome gets reconciled.
RECONCILE_AFTER = timedelta(seconds=60)
FAN_OUT_CURSOR = "FAN_OUT"


@dataclass
class _Tally:
    processed: int = 0
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0

    def collect(self, running: list[tuple[Order, Future[ExecuteResult | None]]]) -> list[int]:
        """Wait for these executions; count them, and return the ids of those not reached in time."""
        unreached = []
        for order, outcome in running:
            if outcome.exception() is None and outcome.result() is None:
                unreached.append(order.id)
            else:
                self.processed += 1
                self.count(outcome)
        return unreached

    def count(self, outcome: Future[ExecuteResult | None]) -> None:
        error = outcome.exception()
        if error is None:
            result = outcome.result()
            assert result is not None
            status = result.execution_status
            if status is ExecutionStatus.FILLED:
                self.succeeded += 1
            elif status is ExecutionStatus.OPEN:
                self.skipped += 1
            else:
                self.failed += 1
        elif isinstance(error, OrderNotPending):
            self.skipped += 1  # another execution or a cancel finished it first
        else:
            self.failed += 1
            if not isinstance(error, (ExchangeUnavailable, OrdersError)):
                logger.error("Execution failed unexpectedly", error=repr(error))


def time_budget(services: Services, remaining_ms: int | None) -> float:
    """Seconds the process-all call may spend executing: the configured budget, capped by what the
    invocation has left once the hand-over to the queue and the answer are allowed for (API Gateway
    answers 504 after 30 s whatever the function does)."""
    budget = services.settings.process_all_time_budget_seconds
    if remaining_ms is not None:
        budget = min(budget, remaining_ms / 1000 - RESPONSE_MARGIN_SECONDS - ENQUEUE_SECONDS)
    return max(budget, 0.0)


def process_all(
    services: Services, caller: Caller, *, seconds: float, clock: Clock = time.monotonic
) -> ProcessAllResult:
    """Execute pending orders, oldest first, ``process_all_concurrency`` at a time, starting none after
    ``seconds``. Orders not started go to the execution queue, for at most ``ENQUEUE_SECONDS`` more;
    any still left stay pending for the schedule (``deferred``).

    Pages of the pending index are handed to the pool whole, the next page read while the pool works
    on the last, so memory stays bounded (two pages) however long the backlog; each order checks the
    deadline itself when a worker takes it up.
    """
    caller.require_admin("Processing the pending orders of every account")
    deadline = clock() + seconds
    engine = services.engine

    def attempt(order: Order) -> ExecuteResult | None:
        return engine.execute(order) if clock() < deadline else None  # None: not reached in time

    tally = _Tally()
    unreached: list[int] = []
    cursor: str | None = None
    read_all = False
    concurrency = services.settings.process_all_concurrency
    with ContextThreadPool(max_workers=concurrency, thread_name_prefix="execute") as pool:
        running: list[tuple[Order, Future[ExecuteResult | None]]] = []
        while not read_all and clock() < deadline:
            page = services.repository.list_pending_orders(
                PageRequest(limit=PROCESS_ALL_PAGE_SIZE, after=cursor), OrderFilters()
            )
            submitted = [(order, pool.submit(attempt, order)) for order in page.items]
            unreached += tally.collect(running)
            running, cursor, read_all = submitted, page.next_cursor, page.next_cursor is None
        unreached += tally.collect(running)

    queued = deferred = 0
    rest = iter(()) if read_all else _pending_after(services, cursor)
    if unreached or not read_all:
        queued, deferred = _hand_over(services, unreached, rest, deadline + ENQUEUE_SECONDS, clock)
        logger.info("Handed unreached orders to the execution queue", queued=queued, deferred=deferred)
    return ProcessAllResult(
        processed=tally.processed,
        succeeded=tally.succeeded,
        failed=tally.failed,
        skipped=tally.skipped,
        queued=queued,
        deferred=deferred,
    )


def _pending_after(services: Services, cursor: str | None) -> Iterator[Order]:
    while True:
        page = services.repository.list_pending_orders(
            PageRequest(limit=FAN_OUT_PAGE_SIZE, after=cursor), OrderFilters()
        )
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _hand_over(
    services: Services, first: list[int], rest: Iterator[Order], deadline: float, clock: Clock
) -> tuple[int, int]:
    """Queue the unreached orders until the deadline; what does not fit, or finds the queue down,
    stays pending for the schedule and is counted as deferred."""
    queue = services.execution_queue
    queued = deferred = 0
    queue_up = True
    for batch in batched(itertools.chain(first, (order.id for order in rest)), FAN_OUT_PAGE_SIZE):
        if not queue_up or clock() >= deadline:
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


def fan_out(services: Services, *, seconds: float, clock: Clock = time.monotonic) -> FanOutResult:
    """Send every pending order to the execution queue (the scheduled run), page by page.

    A run that runs out of time saves where it stopped and the next run goes on from there, so a
    backlog longer than one run can send is still covered. Orders left ``executing`` by an external
    exchange for longer than ``RECONCILE_AFTER`` are sent too: the executor reconciles them.
    """
    deadline = clock() + seconds
    repository = services.repository
    queue = services.execution_queue
    resumed_from = repository.get_cursor(FAN_OUT_CURSOR)
    cursor = resumed_from
    queued = 0
    complete = True
    while True:
        page = repository.list_pending_orders(PageRequest(limit=FAN_OUT_PAGE_SIZE, after=cursor), OrderFilters())
        queued += queue.send(order.id for order in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
        if clock() >= deadline:
            complete = False
            break
    if not complete:
        repository.put_cursor(FAN_OUT_CURSOR, cursor)
    elif resumed_from is not None:
        repository.put_cursor(FAN_OUT_CURSOR, None)
    stale = repository.list_executing_orders(claimed_before=utc_now() - RECONCILE_AFTER)
    reconciling = queue.send(order.id for order in stale)
    logger.info("Fanned out pending orders", queued=queued, reconciling=reconciling, complete=complete)
    return FanOutResult(queued=queued + reconciling, complete=complete, resumed=resumed_from is not None)
