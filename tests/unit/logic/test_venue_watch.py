"""The schedule's one look per run at the venue's fills: which orders to follow, and where the next look starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orders_common.errors import ExchangeUnavailable
from orders_common.logic.venue_watch import CURSOR, FIRST_LOOKBACK, OVERLAP, VenueWatch
from orders_common.models.numbers import format_utc
from tests.support.fakes import InMemoryStore

T0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


class Fills:
    def __init__(self, fills: list[tuple[int, datetime]]) -> None:
        self.fills = fills
        self.asked: list[datetime] = []
        self.down = False

    def __call__(self, since: datetime) -> list[tuple[int, datetime]]:
        self.asked.append(since)
        if self.down:
            raise ExchangeUnavailable("the venue is unreachable")
        return [fill for fill in self.fills if fill[1] >= since]


def test_each_order_with_fills_is_followed_once_and_the_next_look_starts_at_the_last_fill() -> None:
    store = InMemoryStore()
    store.put_cursor(CURSOR, format_utc(T0))
    fills = Fills([(7, T0 + timedelta(seconds=5)), (3, T0 + timedelta(seconds=9)), (7, T0 + timedelta(seconds=12))])

    assert VenueWatch(fills, store)() == [3, 7]

    assert fills.asked == [T0 - OVERLAP]  # a little before the cursor: fills listed late are still seen
    assert store.get_cursor(CURSOR) == format_utc(T0 + timedelta(seconds=12))


def test_the_first_look_goes_back_a_while_and_a_look_with_nothing_new_keeps_the_cursor() -> None:
    store = InMemoryStore()
    fills = Fills([])

    assert VenueWatch(fills, store)() == []

    assert datetime.now(UTC) - fills.asked[0] >= FIRST_LOOKBACK + OVERLAP - timedelta(seconds=1)
    assert store.get_cursor(CURSOR) is None


def test_a_look_that_cannot_reach_the_venue_follows_nothing_and_the_next_one_asks_for_the_same_span() -> None:
    store = InMemoryStore()
    store.put_cursor(CURSOR, format_utc(T0))
    fills = Fills([(7, T0 + timedelta(seconds=5))])
    fills.down = True

    assert VenueWatch(fills, store)() == []
    assert store.get_cursor(CURSOR) == format_utc(T0)

    fills.down = False
    assert VenueWatch(fills, store)() == [7]
    assert fills.asked == [T0 - OVERLAP, T0 - OVERLAP]
