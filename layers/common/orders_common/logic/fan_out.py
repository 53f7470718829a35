"""The scheduled run: send to the execution queue the pending orders that can act now.

A resting limit order the market does not reach costs nothing but its share of one read of the narrow
``pending_summary`` index: only market orders, limit orders the current price reaches, and orders
claimed by an external exchange too long ago (to reconcile) are sent. An order is marked when it is
sent and not sent again while that message may still be in flight (the queue's visibility timeout),
so a slow executor is not flooded with duplicates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from aws_lambda_powertools.metrics import MetricUnit

from orders_common.concurrency import ContextThreadPool
from orders_common.domain.marketable import can_trade
from orders_common.domain.triggers import follow, trigger_reached
from orders_common.errors import ExchangeUnavailable, UnknownSymbol
from orders_common.models.numbers import utc_now
from orders_common.models.order import OPEN_STATUSES, OrderStatus, OrderType, Side, TimeInForce
from orders_common.models.paging import PageRequest
from orders_common.models.process_all import FanOutResult
from orders_common.observability import logger, measure

if TYPE_CHECKING:
    from orders_common.exchange.base import PriceSource
    from orders_common.logic.ports.accounts import Cursors, ExecutionQueue
    from orders_common.logic.ports.orders import OrderTransitions, PendingSummaries
    from orders_common.logic.ports.values import OrderSummary

Clock = Callable[[], float]
T = TypeVar("T")

PAGE_SIZE = 1000
CURSOR = "FAN_OUT"
# An order claimed for an external exchange this long ago without an outcome gets reconciled.
RECONCILE_AFTER = timedelta(seconds=60)
MARKING_CONCURRENCY = 8
# Paging stops this long before the invocation's end: marking, sending, the reconcile read and the
# cursor write of the last page still have to fit (each wait may take a store attempt's 3 s).
FINISHING_SECONDS = 5.0


def paging_seconds(remaining_seconds: float) -> float:
    return remaining_seconds - FINISHING_SECONDS


@dataclass
class PendingTally:
    """What a run saw of the open orders in the pages it read: how many, and when the oldest was created
    (the index's sort key starts with the creation time; ``updated_at`` where a summary lacks it)."""

    count: int = 0
    oldest: datetime | None = None

    def add(self, summaries: list[OrderSummary]) -> None:
        for summary in summaries:
            if summary.status not in OPEN_STATUSES:
                continue
            self.count += 1
            since = summary.created_at or summary.updated_at
            if self.oldest is None or since < self.oldest:
                self.oldest = since

    def publish(self, now: datetime, *, stuck: int, whole: bool) -> float | None:
        """Record the run's gauges (Maximum per minute on the dashboard and the alarms): StuckExecutingOrders
        always (its read is never cut short); PendingOrders and OldestPendingAgeSeconds (0 when none is
        pending) only when ``whole``. Returns the oldest age it recorded."""
        measure("StuckExecutingOrders", stuck, MetricUnit.Count)
        if not whole:
            return None
        age = max((now - self.oldest).total_seconds(), 0.0) if self.oldest is not None else 0.0
        measure("PendingOrders", self.count, MetricUnit.Count)
        measure("OldestPendingAgeSeconds", age, MetricUnit.Seconds)
        return age


@dataclass(frozen=True)
class FanOut:
    summaries: PendingSummaries
    transitions: OrderTransitions
    prices: PriceSource
    queue: ExecutionQueue
    cursors: Cursors
    visibility: timedelta  # the execution queue's visibility timeout
    venue_watch: Callable[[], list[int]] | None = None  # with an external venue: orders it filled since (VenueWatch)

    def __call__(self, *, seconds: float, clock: Clock = time.monotonic) -> FanOutResult:
        """A run that runs out of time saves where it stopped and the next run goes on from there."""
        deadline = clock() + seconds
        resumed_from = self.cursors.get_cursor(CURSOR)
        cursor = resumed_from
        queued = examined = 0
        complete = True
        seen = PendingTally()
        while True:
            page = self.summaries.pending_summaries(PageRequest(limit=PAGE_SIZE, after=cursor))
            examined += len(page.items)
            seen.add(page.items)
            queued += self._send(self._can_act_now(page.items))
            cursor = page.next_cursor
            if cursor is None:
                break
            if clock() >= deadline:
                complete = False
                break
        if not complete:
            self.cursors.put_cursor(CURSOR, cursor)
        elif resumed_from is not None:
            self.cursors.put_cursor(CURSOR, None)
        stale = self.summaries.executing_before(utc_now() - RECONCILE_AFTER)
        # The pending gauges only from a run that read the whole index (from its start to its end): a
        # run that resumed or ran out of time saw a part of it, and says nothing rather than too little.
        whole = complete and resumed_from is None
        oldest_age = seen.publish(utc_now(), stuck=len(stale), whole=whole)
        reconciling = self._send(stale)
        filled_on_venue = self._send_ids(self.venue_watch()) if self.venue_watch is not None else 0
        logger.info("Fanned out pending orders", examined=examined, queued=queued, reconciling=reconciling,
                    filled_on_venue=filled_on_venue, complete=complete, whole=whole, pending=seen.count,
                    oldest_pending_age_seconds=oldest_age, stuck_executing=len(stale))  # fmt: skip
        return FanOutResult(
            queued=queued + reconciling + filled_on_venue, complete=complete, resumed=resumed_from is not None
        )

    def _can_act_now(self, summaries: list[OrderSummary]) -> list[OrderSummary]:
        prices: dict[str, Decimal | None] = {}
        now = utc_now()
        ready = []
        for summary in summaries:
            if summary.status not in OPEN_STATUSES:
                continue
            if summary.expire_at is not None and now >= summary.expire_at:
                ready.append(summary)  # the executor expires it
                continue
            if summary.symbol not in prices:
                prices[summary.symbol] = self._price(summary.symbol)
            price = prices[summary.symbol]
            if price is not None and self._acts_at(summary, price):
                ready.append(summary)
        return ready

    def _acts_at(self, summary: OrderSummary, price: Decimal) -> bool:
        """Whether an attempt at this price would do something: trade, trigger, or expire an ioc/fok
        order (whose first attempt decides it)."""
        kind = summary.order_type
        if kind.is_trigger and summary.triggered_at is None:
            if kind is OrderType.TRAILING_STOP:
                trail = follow(
                    side=summary.side,
                    mark=summary.trail_mark,
                    market_price=price,
                    percent=summary.trail_percent,
                    amount=summary.trail_amount,
                )
                if not trail.triggered and trail.mark != summary.trail_mark:
                    # The schedule keeps the mark, so the stop follows the market between attempts.
                    self.transitions.follow_trail(summary.id, Side(summary.side), trail.mark, trail.stop_price)
                return trail.triggered
            assert summary.trigger_price is not None
            return trigger_reached(
                kind="stop" if kind.value.startswith("stop") else "take_profit",
                side=summary.side,
                trigger_price=summary.trigger_price,
                market_price=price,
            )
        if summary.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
            return True
        limit = summary.price if kind.has_limit_price else None
        return can_trade(side=summary.side, limit_price=limit, market_price=price)

    def _price(self, symbol: str) -> Decimal | None:
        try:
            return self.prices.get_price(symbol)
        except (ExchangeUnavailable, UnknownSymbol) as error:
            # Nothing can execute without a price: the orders wait for a run that has one.
            logger.warning("No price for the scheduled run", symbol=symbol, error=error.message)
            return None

    def _send(self, summaries: list[OrderSummary]) -> int:
        """Mark each order as sent (unless a run sent it within the visibility timeout), then send the
        ones marked. A send that fails leaves them marked: they go out again once the mark expires."""
        now = utc_now()
        since = now - self.visibility

        def mark(summary: OrderSummary) -> int | None:
            if summary.status is OrderStatus.EXECUTING:
                return summary.id  # reconciling: the claim itself keeps everyone else off the order
            if summary.queued_at is not None and summary.queued_at >= since:
                return None  # sent by an earlier run, maybe still in flight
            return summary.id if self.transitions.mark_queued(summary.id, at=now, unless_since=since) else None

        return self._mark_and_send(summaries, mark)

    def _send_ids(self, order_ids: list[int]) -> int:
        """Orders known by id only (the venue's fills): marked and sent as above, unless no longer open."""
        now = utc_now()
        since = now - self.visibility

        def mark(order_id: int) -> int | None:
            return order_id if self.transitions.mark_queued(order_id, at=now, unless_since=since) else None

        return self._mark_and_send(order_ids, mark)

    def _mark_and_send(self, items: list[T], mark: Callable[[T], int | None]) -> int:
        if not items:
            return 0
        with ContextThreadPool(min(MARKING_CONCURRENCY, len(items)), "mark") as pool:
            marked = [order_id for order_id in pool.map(mark, items) if order_id is not None]
        return self.queue.send(marked) if marked else 0
