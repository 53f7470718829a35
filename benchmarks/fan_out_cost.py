"""What one scheduled process-all run costs with a backlog of resting limit orders that the market does
not reach: DynamoDB requests and read/write units, SQS requests, executor invocations, and what that
comes to per month at the template's default rate (one run a minute). The floor is near zero: none of
these orders can fill, so nothing needs to be sent anywhere.

Read units are computed from the items each request returned (4 KB per unit, halved for eventually
consistent reads, as DynamoDB bills them); the executor's share is measured by draining the queue
through the executor function once.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3

from benchmarks.common import QUIET, arguments, print_table
from localdev.inprocess import InProcessStack, in_process_stack

# us-east-1 list prices (on-demand DynamoDB, standard SQS, Lambda arm64 at 512 MB).
PRICE_PER_MILLION_READ_UNITS = 0.125
PRICE_PER_MILLION_WRITE_UNITS = 0.625
PRICE_PER_MILLION_SQS_REQUESTS = 0.40
PRICE_PER_MILLION_LAMBDA_REQUESTS = 0.20
PRICE_PER_GB_SECOND_ARM = 0.0000133334
EXECUTOR_SECONDS_PER_INVOCATION = 0.1  # a batch of ten orders that do not fill, measured on the in-process stack
RUNS_PER_MONTH = 60 * 24 * 30

SCHEDULE_EVENT = {
    "version": "0",
    "id": "benchmark",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-12-01T00:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {},
}


def _item_size(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (a close estimate from the wire JSON)."""
    return sum(len(name) + len(json.dumps(value)) for name, value in item.items())


@dataclass
class Usage:
    requests: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0

    def remember(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        """On ``before-parameter-build``: the API parameters (``before-call`` has the wire request)."""
        context["benchmark_params"] = params

    def record(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        params = context.get("benchmark_params", {})
        self.requests[model.name] += 1
        if model.name in {"Query", "Scan"}:
            size = sum(_item_size(item) for item in parsed.get("Items", []))
            units = max(1, -(-size // 4096))
            self.read_units += units * (1.0 if params.get("ConsistentRead") else 0.5)
        elif model.name == "GetItem":
            self.read_units += 1.0 if params.get("ConsistentRead") else 0.5
        elif model.name in {"PutItem", "UpdateItem", "DeleteItem"}:
            self.write_units += 1.0
        elif model.name == "TransactWriteItems":
            self.write_units += 2.0 * len(params.get("TransactItems", []))


def place_resting_orders(stack: InProcessStack, count: int) -> None:
    """Limit buys of account 1 at 10,000 while BTC trades at 68,500: none of them can fill."""
    body = {"account_id": 1, "symbol": "BTC", "name": "resting", "side": "buy", "order_type": "limit", "price": 10000}
    for _ in range(count):
        response = stack.router.handle(
            "POST",
            "/api/orders/create",
            body=json.dumps({**body, "quantity": 0.0001}),
            headers={"Content-Type": "application/json"},
        )
        assert response.status == 201, response.body


def drain_queue(stack: InProcessStack) -> tuple[int, int]:
    """Run the executor over every queued message, ten at a time; (messages, invocations)."""
    sqs = boto3.client("sqs")
    messages = invocations = 0
    while True:
        received = sqs.receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not received:
            return messages, invocations
        records = [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:execution",
                "awsRegion": "us-east-1",
            }
            for message in received
        ]
        stack.functions["ExecuteQueuedFunction"].invoke({"Records": records})
        sqs.delete_message_batch(
            QueueUrl=stack.queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)],
        )
        messages += len(received)
        invocations += 1


def dynamodb_client() -> Any:
    from orders_common.wiring import services

    return services().table.client


def main() -> None:
    options = arguments(__doc__).parse_args()
    backlog = 1_000 if options.small else 10_000
    with in_process_stack(environment={**QUIET, "PRICE_SOURCE": "static"}) as stack:
        started = time.perf_counter()
        place_resting_orders(stack, backlog)
        load_seconds = time.perf_counter() - started
        usage = Usage()
        client = dynamodb_client()
        client.meta.events.register("before-parameter-build.dynamodb", usage.remember)
        client.meta.events.register("after-call.dynamodb", usage.record)
        sqs_requests = Counter[str]()
        sqs = boto3.client("sqs")

        def count_sqs(model: Any, **_: Any) -> None:
            sqs_requests[model.name] += 1

        from orders_common.wiring import services

        queue_client = services().execution_queue.client
        queue_client.meta.events.register("before-call.sqs", count_sqs)
        result = stack.functions["ProcessAllFunction"].invoke(SCHEDULE_EVENT)
        schedule_requests = Counter(usage.requests)
        schedule_reads, schedule_writes = usage.read_units, usage.write_units
        messages, invocations = drain_queue(stack)
        client.meta.events.unregister("after-call.dynamodb", usage.record)
        queue_client.meta.events.unregister("before-call.sqs", count_sqs)
        del sqs

    executor_requests = usage.requests - schedule_requests
    read_units, write_units = usage.read_units, usage.write_units
    sqs_total = sum(sqs_requests.values()) + 2 * invocations  # the event source mapping's receive + delete
    monthly = RUNS_PER_MONTH * (
        read_units * PRICE_PER_MILLION_READ_UNITS / 1e6
        + write_units * PRICE_PER_MILLION_WRITE_UNITS / 1e6
        + sqs_total * PRICE_PER_MILLION_SQS_REQUESTS / 1e6
        + invocations * PRICE_PER_MILLION_LAMBDA_REQUESTS / 1e6
        + invocations * EXECUTOR_SECONDS_PER_INVOCATION * 0.5 * PRICE_PER_GB_SECOND_ARM
    )
    rows = [
        ("schedule: DynamoDB requests", dict(schedule_requests)),
        ("schedule: read / write units", f"{schedule_reads:g} / {schedule_writes:g}"),
        ("schedule: SQS requests", dict(sqs_requests) or 0),
        ("orders queued", result.get("queued") if isinstance(result, dict) else result),
        ("executor: invocations / messages", f"{invocations} / {messages}"),
        ("executor: DynamoDB requests", dict(executor_requests) or 0),
        ("run total: read / write units", f"{read_units:g} / {write_units:g}"),
        ("per month at rate(1 minute)", f"${monthly:,.2f}"),
    ]
    print_table(
        f"One scheduled run with {backlog:,} resting limit orders ({load_seconds:.0f} s to place them)",
        ["what", "figure"],
        rows,
    )


if __name__ == "__main__":
    main()
