"""make run's emulation of the SQS event source and the schedule, against moto."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator

import boto3
import pytest

from localdev.pipeline import Pipeline, rate_seconds
from tests.support.stack import Deployed


def wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def messages_in(queue_url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


@pytest.fixture
def pipeline(stack: Deployed) -> Iterator[Pipeline]:
    running = Pipeline.from_template(stack.template, stack.resolver, stack.functions, schedule_seconds=0.5, quiet=True)
    running.start()
    yield running
    running.close()


def test_rates_are_read_from_the_template(stack: Deployed) -> None:
    assert rate_seconds("rate(1 minute)") == 60
    assert rate_seconds("rate(5 minutes)") == 300
    with pytest.raises(ValueError, match="rate"):
        rate_seconds("cron(0 12 * * ? *)")
    running = Pipeline.from_template(stack.template, stack.resolver, stack.functions)
    assert [(p.function.spec.logical_id, p.batch_size) for p in running.pollers] == [("ExecuteQueuedFunction", 10)]
    assert sorted((s.function.spec.logical_id, s.interval) for s in running.schedules) == [
        ("AuditAccountFunction", 86400),
        ("ProcessAllFunction", 60),
    ]


def test_a_pending_order_is_filled_by_the_schedule_without_any_call(stack: Deployed, pipeline: Pipeline) -> None:
    order = stack.create_order()

    wait_for(lambda: stack.get(f"/api/orders/order/{order['id']}").json()["status"] == "filled")

    # The poller deletes a message only after the batch that filled the order returns.
    wait_for(lambda: messages_in(stack.queue_url) == 0)
    assert pipeline.schedules[0].runs >= 1
    assert pipeline.pollers[0].invocations >= 1


def test_a_poison_message_ends_in_the_dead_letter_queue(stack: Deployed) -> None:
    sqs = boto3.client("sqs")
    # The template's visibility timeout is 180 s; one second keeps the five redeliveries short.
    sqs.set_queue_attributes(QueueUrl=stack.queue_url, Attributes={"VisibilityTimeout": "1"})
    order = stack.create_order()
    sqs.send_message(QueueUrl=stack.queue_url, MessageBody="this is not an order")
    sqs.send_message(QueueUrl=stack.queue_url, MessageBody=json.dumps({"order_id": order["id"]}))
    running = Pipeline.from_template(stack.template, stack.resolver, stack.functions, quiet=True)
    running.schedules = []
    running.start()
    try:
        wait_for(lambda: messages_in(stack.dead_letter_queue_url) == 1, timeout=30)
    finally:
        running.close()

    dead = sqs.receive_message(QueueUrl=stack.dead_letter_queue_url)["Messages"]
    assert dead[0]["Body"] == "this is not an order"
    assert stack.get(f"/api/orders/order/{order['id']}").json()["status"] == "filled"
    assert messages_in(stack.queue_url) == 0


def test_the_pipeline_stops_cleanly(stack: Deployed) -> None:
    running = Pipeline.from_template(stack.template, stack.resolver, stack.functions, quiet=True)
    running.start()

    running.close()

    assert not any(thread.is_alive() for thread in running.threads)
    assert threading.active_count() < 50
