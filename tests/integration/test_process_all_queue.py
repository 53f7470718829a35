"""process-all under load: counts, the time budget, the hand-over to the queue, the resumable fan-out."""

from __future__ import annotations

import dataclasses
import json
import threading
from decimal import Decimal

import boto3
import pytest

from orders_common.auth import Caller
from orders_common.logic import fan_out as fan_out_module
from orders_common.logic.execution import ExecutionEngine
from orders_common.models.execution import ExecuteResult
from orders_common.models.order import Order
from tests.support.stack import Deployed
from tests.support.timing import plan


def queued_order_ids(stack: Deployed) -> list[int]:
    sqs = boto3.client("sqs")
    ids: list[int] = []
    while True:
        messages = sqs.receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return ids
        ids += [json.loads(message["Body"])["order_id"] for message in messages]
        for message in messages:
            sqs.delete_message(QueueUrl=stack.queue_url, ReceiptHandle=message["ReceiptHandle"])


class SlowEngine:
    """Each execution takes a second of a clock the test controls."""

    def __init__(self, engine: ExecutionEngine) -> None:
        self.engine = engine
        self.now = 0.0
        self.lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def execute(self, order: Order) -> ExecuteResult:
        with self.lock:
            self.now += 1
        return self.engine.execute(order)


def test_many_pending_orders_are_all_executed_and_counted(stack: Deployed) -> None:
    market = [stack.create_order(quantity=Decimal("0.001"))["id"] for _ in range(30)]
    resting = [
        stack.create_order(order_type="limit", price=Decimal("1000"), quantity=Decimal("0.001"))["id"]
        for _ in range(10)
    ]

    body = stack.post("/api/orders/process-all").json()

    assert body == {
        "processed": 40,
        "succeeded": 30,
        "failed": 0,
        "skipped": 10,
        "expired": 0,
        "queued": 0,
        "deferred": 0,
    }
    pending = [o["id"] for o in stack.get("/api/orders/pending", query={"limit": 1000}).json()]
    assert pending == resting
    assert not set(market) & set(pending)


def test_orders_the_budget_does_not_reach_go_to_the_queue(stack: Deployed) -> None:
    orders = [stack.create_order(quantity=Decimal("0.001"))["id"] for _ in range(25)]
    slow = SlowEngine(stack.services.engine)
    process_all = dataclasses.replace(stack.services.process_all, engine=slow)  # type: ignore[arg-type]

    result = process_all(Caller.anyone(), plan(12), clock=slow.clock)

    assert result.processed > 0
    assert result.queued > 0
    assert result.processed + result.queued == 25
    assert result.deferred == 0
    queued = queued_order_ids(stack)
    assert len(queued) == result.queued
    executed = [o for o in orders if o not in queued]
    assert len(executed) == result.processed
    statuses = {stack.get(f"/api/orders/order/{o}").json()["status"] for o in queued}
    assert statuses == {"pending"}  # queued, not lost, not executed twice


def test_without_any_time_everything_is_queued(stack: Deployed) -> None:
    orders = [stack.create_order(quantity=Decimal("0.001"))["id"] for _ in range(12)]

    result = stack.services.process_all(Caller.anyone(), plan(0))

    assert (result.processed, result.queued) == (0, 12)
    assert sorted(queued_order_ids(stack)) == orders


def test_the_scheduled_fan_out_sends_every_pending_order_once(stack: Deployed) -> None:
    orders = [stack.create_order(quantity=Decimal("0.001"))["id"] for _ in range(23)]
    done = stack.create_order()["id"]
    stack.post(f"/api/orders/execute/{done}")

    result = stack.services.fan_out(seconds=20)

    assert (result.queued, result.complete, result.resumed) == (23, True, False)
    assert sorted(queued_order_ids(stack)) == orders


def test_a_fan_out_that_runs_out_of_time_resumes_where_it_stopped(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fan_out_module, "PAGE_SIZE", 5)
    orders = [stack.create_order(quantity=Decimal("0.001"))["id"] for _ in range(12)]

    first = stack.services.fan_out(seconds=0)
    second = stack.services.fan_out(seconds=30)
    third = stack.services.fan_out(seconds=30)

    assert (first.queued, first.complete) == (5, False)
    assert (second.queued, second.complete, second.resumed) == (7, True, True)
    # A full pass again from the oldest, which sends none of them again while they may be in flight.
    assert (third.queued, third.complete, third.resumed) == (0, True, False)
    assert sorted(queued_order_ids(stack)) == orders
