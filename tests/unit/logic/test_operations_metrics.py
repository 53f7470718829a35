"""The metrics the dashboard and the alarms read: the notional of each fill, and the schedule's gauges
of the pending index (how many open orders, the oldest one's age, orders stuck executing)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

from orders_common.auth import Caller
from orders_common.logic import fan_out as fan_out_module
from orders_common.models.numbers import utc_now
from orders_common.observability import recorded_metrics
from tests.unit.logic.conftest import Desk
from tests.unit.logic.test_create_order import request

ANYONE = Caller.anyone()
GAUGES = ("PendingOrders", "OldestPendingAgeSeconds")


@pytest.fixture(autouse=True)
def _no_earlier_metrics() -> Iterator[None]:
    """Each test sees only the metrics it recorded (what its invocation would flush)."""
    recorded_metrics().clear()
    yield
    recorded_metrics().clear()


def values(name: str) -> list[float]:
    found = recorded_metrics().get(name)
    return list(found["Value"]) if found else []


def unit(name: str) -> str:
    return str(recorded_metrics()[name]["Unit"])


def test_a_fill_records_its_exact_notional_across_the_levels_it_took(desk: Desk) -> None:
    # 2.5 ETH at market walks three levels of 1 unit: 3500.35, 3500.7 and half of 3501.05.
    desk.create(request(symbol="ETH", quantity="2.5", execute=True), ANYONE)

    assert values("OrdersFilled") == [1.0]
    assert values("FillNotional") == [float(Decimal("3500.35") + Decimal("3500.7") + Decimal("1750.525"))]


def test_each_partial_fill_records_the_notional_it_filled(desk: Desk) -> None:
    # A limit buy of 12 ETH at 3500.70 takes the two levels within its price (1 unit each) and rests.
    desk.create(request(symbol="ETH", order_type="limit", price="3500.7", quantity="12", execute=True), ANYONE)

    assert values("OrdersPartiallyFilled") == [1.0]
    assert values("FillNotional") == [float(Decimal("3500.35") + Decimal("3500.7"))]


def test_an_order_that_does_not_fill_records_no_notional(desk: Desk) -> None:
    desk.create(request(order_type="limit", price="1000", quantity="0.001", execute=True), ANYONE)

    assert values("FillNotional") == []


def test_the_schedule_counts_the_open_orders_and_ages_the_oldest_by_its_creation(desk: Desk) -> None:
    oldest = desk.create(request(order_type="limit", price="1000", quantity="0.001"), ANYONE).order
    desk.create(request(order_type="limit", price="1001", quantity="0.001"), ANYONE)
    filled = desk.create(request(quantity="0.001", execute=True), ANYONE).order
    # Created 20 minutes ago, changed just now (an amend): its age runs from its creation.
    desk.store.orders[oldest.id] = oldest.model_copy(
        update={"created_at": utc_now() - timedelta(minutes=20), "updated_at": utc_now()}
    )
    assert desk.order(filled.id).status.value == "filled"

    desk.fan_out(seconds=10)

    assert values("PendingOrders") == [2.0]
    [age] = values("OldestPendingAgeSeconds")
    assert 20 * 60 <= age < 20 * 60 + 30
    assert (unit("PendingOrders"), unit("OldestPendingAgeSeconds")) == ("Count", "Seconds")
    assert values("StuckExecutingOrders") == [0.0]


def test_an_empty_index_records_zero_rather_than_nothing(desk: Desk) -> None:
    desk.fan_out(seconds=10)

    assert (values("PendingOrders"), values("OldestPendingAgeSeconds")) == ([0.0], [0.0])


def test_orders_claimed_too_long_ago_are_counted_as_stuck(desk: Desk) -> None:
    order = desk.create(request(quantity="0.001"), ANYONE).order
    claimed = desk.store.claim(order)
    desk.store.orders[order.id] = claimed.model_copy(update={"updated_at": utc_now() - timedelta(minutes=5)})
    desk.create(request(order_type="limit", price="1000", quantity="0.001"), ANYONE)

    desk.fan_out(seconds=10)

    assert values("StuckExecutingOrders") == [1.0]
    assert values("PendingOrders") == [1.0]  # executing orders sit under their own keys, not counted as pending


def test_only_a_run_that_read_the_whole_index_records_the_pending_gauges(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    for price in ("1000", "1001", "1002"):
        desk.create(request(order_type="limit", price=price, quantity="0.001"), ANYONE)
    monkeypatch.setattr(fan_out_module, "PAGE_SIZE", 2)

    cut_short = desk.fan_out(seconds=0)  # reads one page, then its time is up
    assert not cut_short.complete
    assert [values(name) for name in GAUGES] == [[], []]
    assert values("StuckExecutingOrders") == [0.0]  # that read is never cut short

    resumed = desk.fan_out(seconds=10)  # reads the rest: complete, but not the whole index
    assert resumed.complete and resumed.resumed
    assert [values(name) for name in GAUGES] == [[], []]

    desk.fan_out(seconds=10)  # from the start to the end
    assert values("PendingOrders") == [3.0]
