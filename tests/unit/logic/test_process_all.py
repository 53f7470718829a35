"""process-all's tallies and hand-over, and the schedule's choice of what to send, at unit speed."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest

from orders_common.auth import Caller
from orders_common.logic.execution import ExecutionEngine
from orders_common.logic.process_all import TimePlan, plan_time
from orders_common.models.execution import ExecuteResult
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order
from orders_common.models.paging import OrderFilters, PageRequest
from tests.unit.logic.conftest import Desk
from tests.unit.logic.test_create_order import request

ANYONE = Caller.anyone()
AMPLE = TimePlan(start_seconds=60, execute_seconds=120, call_seconds=120)


def test_every_kind_of_outcome_is_counted(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        desk.create(request(quantity="0.001"), ANYONE)
    desk.create(request(order_type="limit", price="1000", quantity="0.001"), ANYONE)  # stays open
    taken = desk.create(request(account_id=2, quantity="0.001"), ANYONE).order
    stale_page = desk.store.list_pending_orders(PageRequest(), OrderFilters())
    desk.engine.execute(taken)  # filled by someone else after the pending page was read
    monkeypatch.setattr(desk.store, "list_pending_orders", lambda page, filters: stale_page)

    result = desk.process_all()(ANYONE, AMPLE)

    assert (result.processed, result.succeeded, result.skipped, result.failed) == (5, 3, 2, 0)
    assert (result.queued, result.deferred) == (0, 0)


def test_without_time_every_order_goes_to_the_queue_and_a_dead_queue_defers_them(desk: Desk) -> None:
    ids = [desk.create(request(quantity="0.001"), ANYONE).order.id for _ in range(3)]

    result = desk.process_all()(ANYONE, TimePlan(0, 60, 60))
    assert (result.processed, result.queued, desk.queue.sent) == (0, 3, ids)

    desk.queue.down = True
    again = desk.process_all()(ANYONE, TimePlan(0, 60, 60))
    assert (again.queued, again.deferred) == (0, 3)


def test_an_accounts_orders_never_execute_at_once(desk: Desk) -> None:
    for account_id, symbol in ((1, "BTC"), (2, "BTC"), (3, "SOL")):
        for _ in range(4):
            desk.create(request(account_id=account_id, symbol=symbol, quantity="0.001"), ANYONE)
    running: Counter[int] = Counter()
    overlaps: list[int] = []
    lock = threading.Lock()
    engine = desk.engine

    class Watched(ExecutionEngine):
        def execute(self, order: Order) -> ExecuteResult:
            with lock:
                running[order.account_id] += 1
                if running[order.account_id] > 1:
                    overlaps.append(order.account_id)
            try:
                threading.Event().wait(0.005)
                return engine.execute(order)
            finally:
                with lock:
                    running[order.account_id] -= 1

    process_all = desk.process_all(concurrency=8)
    watched = Watched(engine.transitions, engine.accounts, engine.orders, engine.prices, engine.exchange)
    result = type(process_all)(process_all.orders, watched, process_all.queue, 8)(ANYONE, AMPLE)

    assert result.succeeded == 12
    assert overlaps == []


def test_the_call_always_ends_before_api_gateways_limit() -> None:
    for budget in (1, 20, 25, 1000):
        plan = plan_time(budget, remaining_seconds=29)
        assert plan.start_seconds <= plan.execute_seconds <= plan.call_seconds < 29
        assert plan.call_seconds <= 28
    assert plan_time(20, remaining_seconds=5).start_seconds == 0


def test_the_schedule_sends_only_what_can_act_now_and_nothing_twice_in_flight(desk: Desk) -> None:
    market = desk.create(request(quantity="0.001"), ANYONE).order.id
    marketable = desk.create(request(order_type="limit", price="70000", quantity="0.001"), ANYONE).order.id
    desk.create(request(order_type="limit", price="1000", quantity="0.001"), ANYONE)  # far below the market
    desk.create(request(symbol="ETH", side="sell", order_type="limit", price="9000", quantity="1"), ANYONE)

    first = desk.fan_out(seconds=10)
    second = desk.fan_out(seconds=10)

    assert sorted(desk.queue.sent) == sorted([market, marketable])
    assert (first.queued, second.queued) == (2, 0)


def test_the_schedule_sends_again_once_the_last_send_may_have_expired(desk: Desk) -> None:
    order = desk.create(request(quantity="0.001"), ANYONE).order.id
    desk.fan_out(seconds=10)
    desk.store.queued_at[order] -= timedelta(minutes=5)

    desk.fan_out(seconds=10)

    assert desk.queue.sent == [order, order]


def test_without_prices_the_schedule_sends_nothing_and_loses_nothing(desk: Desk) -> None:
    order = desk.create(request(quantity="0.001"), ANYONE).order.id
    desk.prices.down = True

    assert desk.fan_out(seconds=10).queued == 0
    desk.prices.down = False
    assert desk.fan_out(seconds=10).queued == 1
    assert desk.queue.sent == [order]


def test_orders_claimed_too_long_ago_are_sent_to_be_reconciled(desk: Desk) -> None:
    order = desk.create(request(quantity="0.001"), ANYONE).order
    claimed = desk.store.claim(order)
    desk.store.orders[order.id] = claimed.model_copy(update={"updated_at": utc_now() - timedelta(minutes=5)})

    assert desk.fan_out(seconds=10).queued == 1
    assert desk.queue.sent == [order.id]
