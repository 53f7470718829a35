"""The timeline the use cases leave: each attempt's events in the order they happened (a trigger
before the fill it allows, a reconciliation before its outcome), the kinds every time in force ends
with, and a trigger told once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders_common.auth import Caller
from orders_common.errors import ExchangeUnavailable
from orders_common.exchange.base import AmbiguousOutcome
from orders_common.models.paging import PageRequest
from tests.support.fakes import ScriptedExchange
from tests.unit.logic.conftest import Desk, shallow_desk
from tests.unit.logic.test_create_order import request
from tests.unit.logic.test_execution import venue_fill

ANYONE = Caller.anyone()


@pytest.fixture
def shallow() -> Desk:
    """Levels of 0.01 BTC: 0.05 BTC under a limit of 68520.6 finds three of them."""
    return shallow_desk(Decimal("0.01"))


def kinds(desk: Desk, order_id: int) -> list[str]:
    return [event.kind.value for event in desk.store.order_events(order_id, PageRequest(limit=1000)).items]


def test_a_stop_that_triggers_and_fills_at_once_tells_both_in_that_order(desk: Desk) -> None:
    order = desk.create(request(order_type="stop_market", trigger_price=Decimal(68000)), ANYONE).order

    desk.engine.execute(order)

    assert kinds(desk, order.id) == ["created", "triggered", "filled"]
    triggered, filled = desk.store.events[order.id][1:]
    assert set(triggered.changes) == {"triggered_at"} and triggered.changes["triggered_at"].before is None
    assert "triggered_at" not in filled.changes and filled.changes["status"].after == "filled"
    assert triggered.order_version == filled.order_version == 2


def test_a_trigger_is_told_once_though_the_order_trades_later(desk: Desk) -> None:
    order = desk.create(
        request(order_type="stop_limit", trigger_price=Decimal(68000), price=Decimal(60000)), ANYONE
    ).order

    desk.engine.execute(order)  # triggered, its limit not reached
    desk.prices.prices["BTC"] = Decimal(59000)
    desk.engine.execute(desk.order(order.id))

    assert kinds(desk, order.id) == ["created", "triggered", "filled"]
    assert [event.order_version for event in desk.store.events[order.id]] == [1, 2, 3]


@pytest.mark.parametrize(
    ("time_in_force", "expected"),
    [
        ("gtc", ["created", "partially_filled"]),
        ("ioc", ["created", "filled"]),  # what the book had; the rest released with it
        ("fok", ["created", "expired"]),
    ],
)
def test_each_time_in_force_ends_its_first_attempt_with_its_event(
    shallow: Desk, time_in_force: str, expected: list[str]
) -> None:
    desk = shallow
    order = desk.create(
        request(order_type="limit", price="68520.6", quantity="0.05", time_in_force=time_in_force), ANYONE
    ).order

    desk.engine.execute(order)

    assert kinds(desk, order.id) == expected
    last = desk.store.events[order.id][-1]
    assert last.changes["reserved_cash"].before == order.reserved_cash


def test_a_partially_filled_order_tells_each_fill_and_its_cancel(shallow: Desk) -> None:
    desk = shallow
    order = desk.create(request(order_type="limit", price="68520.5", quantity="0.05"), ANYONE).order
    desk.engine.execute(order)
    desk.cancel(order.id, ANYONE)

    assert kinds(desk, order.id) == ["created", "partially_filled", "cancelled"]
    partial, cancelled = desk.store.events[order.id][1:]
    assert (partial.changes["filled_quantity"].after, partial.changes["fills_count"].after) == (Decimal("0.02"), 2)
    assert cancelled.changes["status"].before == "partially_filled"


def test_a_venue_claim_and_its_reconciliation_are_told(desk: Desk) -> None:
    desk.exchange = venue = ScriptedExchange()
    order = desk.create(request(), ANYONE).order
    venue.answers = [AmbiguousOutcome("read timed out")]
    with pytest.raises(ExchangeUnavailable):
        desk.engine.execute(order)
    venue.received["hyperoru-1"] = venue_fill(order)

    desk.engine.reconcile(desk.order(order.id))

    assert kinds(desk, order.id) == ["created", "claimed", "reconciled", "filled"]
    reconciled = desk.store.events[order.id][2]
    assert reconciled.changes == {}


def test_a_venue_that_certainly_did_not_receive_it_releases_it(desk: Desk) -> None:
    desk.exchange = venue = ScriptedExchange()
    order = desk.create(request(), ANYONE).order
    venue.answers = [ExchangeUnavailable("connection refused")]
    with pytest.raises(ExchangeUnavailable):
        desk.engine.execute(order)

    assert kinds(desk, order.id) == ["created", "claimed", "released"]
    assert desk.store.events[order.id][-1].changes["status"].after == "pending"
