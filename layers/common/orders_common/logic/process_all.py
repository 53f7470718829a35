"""Execute every pending order: now within a time budget (API), or by fanning out to the queue (schedule)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.errors import ExchangeUnavailable, OrderNotPending, OrdersError
from orders_common.models.order import Order
from orders_common.models.responses import ExecuteResult, ExecutionStatus, FanOutResult, ProcessAllResult
from orders_common.observability import logger

if TYPE_CHECKING:
    from orders_common.wiring import Services


@dataclass
class _Tally:
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0

    def count(self, outcome: Future[ExecuteResult]) -> None:
        error = outcome.exception()
        if error is None:
            status = outcome.result().execution_status
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


def process_all(services: Services, *, seconds: float, clock: Callable[[], float] = time.monotonic) -> ProcessAllResult:
    """Execute pending orders, oldest first, ``process_all_concurrency`` at a time, for at most
    ``seconds``; whatever was not started by then goes to the execution queue.

    Orders are read from the pending index page by page as the pool asks for more work, so memory
    stays bounded however long the backlog is.
    """
    settings = services.settings
    deadline = clock() + seconds
    engine = services.engine
    tally = _Tally()
    pending: Iterator[Order] = services.repository.iter_pending_orders(page_size=100)
    in_flight: set[Future[ExecuteResult]] = set()
    started = 0
    with ThreadPoolExecutor(max_workers=settings.process_all_concurrency, thread_name_prefix="execute") as pool:
        for order in pending:
            if clock() >= deadline:
                leftovers = [order.id]
                break
            while len(in_flight) >= settings.process_all_concurrency:
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for outcome in done:
                    tally.count(outcome)
            in_flight.add(pool.submit(engine.execute, order))
            started += 1
        else:
            leftovers = []
        for outcome in wait(in_flight).done:
            tally.count(outcome)

    queued = 0
    if leftovers:
        # What the budget did not reach goes to the executor Lambda; ids are read on from the index.
        queue = services.execution_queue
        queued = queue.send(_chain(leftovers, (order.id for order in pending)))
        logger.info("Handed pending orders to the execution queue", queued=queued)
    return ProcessAllResult(
        processed=started,
        succeeded=tally.succeeded,
        failed=tally.failed,
        skipped=tally.skipped,
        queued=queued,
    )


def fan_out(services: Services) -> FanOutResult:
    """Send every pending order id to the execution queue (the scheduled run)."""
    ids = (order.id for order in services.repository.iter_pending_orders(page_size=500))
    queued = services.execution_queue.send(ids)
    logger.info("Fanned out pending orders", queued=queued)
    return FanOutResult(queued=queued)


def _chain(first: list[int], rest: Iterator[int]) -> Iterator[int]:
    yield from first
    yield from rest


# Time kept back from the budget to enqueue leftovers and answer before API Gateway's 30 s limit.
RESPONSE_MARGIN_SECONDS = 5.0


def time_budget(services: Services, remaining_ms: int | None) -> float:
    """Seconds process-all may spend executing: the configured budget, capped by the time the
    invocation has left minus a margin for enqueueing the rest and answering."""
    budget = services.settings.process_all_time_budget_seconds
    if remaining_ms is not None:
        budget = min(budget, remaining_ms / 1000 - RESPONSE_MARGIN_SECONDS)
    return max(budget, 0.0)
