"""The schedule's look at the venue: which of the desk's orders the venue filled since the last run.

An order resting on the venue fills when someone trades against it, which the desk's mid need not show (a
resting buy is hit while the mid stays above its limit). So each run asks the venue once for the account's
fills since the last run (one request, whatever the number of resting orders) and sends the orders they
belong to to the executor, which records what they filled. A run that cannot ask keeps its cursor: the next
run asks for the same span again, and an order sent twice records its fills once (they are applied
conditionally on the order's version).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from orders_common.errors import ExchangeUnavailable
from orders_common.models.numbers import format_utc, utc_now
from orders_common.observability import logger

if TYPE_CHECKING:
    from orders_common.logic.ports.accounts import Cursors

CURSOR = "VENUE_FILLS"
# Without a cursor (the first run), fills this far back are looked at.
FIRST_LOOKBACK = timedelta(minutes=10)
# Each run looks this far before its cursor again: a fill the venue lists a little late is still seen.
OVERLAP = timedelta(seconds=30)

FillsSince = Callable[[datetime], list[tuple[int, datetime]]]  # (order id, fill time) of the desk's fills


@dataclass(frozen=True)
class VenueWatch:
    fills_since: FillsSince
    cursors: Cursors

    def __call__(self) -> list[int]:
        """The desk's orders with fills since the last run, each once, oldest id first."""
        cursor = self.cursors.get_cursor(CURSOR)
        since = datetime.fromisoformat(cursor) if cursor else utc_now() - FIRST_LOOKBACK
        try:
            fills = self.fills_since(since - OVERLAP)
        except ExchangeUnavailable as error:
            logger.warning("The venue's fills could not be read; the next run asks again", error=error.message)
            return []
        latest = max((at for _, at in fills), default=since)
        if latest > since:
            self.cursors.put_cursor(CURSOR, format_utc(latest))
        return sorted({order_id for order_id, _ in fills})
