"""SQS events as the executor receives them, for tests that invoke it directly."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from localdev.events import sqs_event

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:hyperoru-ExecutionQueue"


def message(number: int, body: str) -> dict[str, Any]:
    return {
        "MessageId": f"message-{number}",
        "ReceiptHandle": f"receipt-{number}",
        "Body": body,
        "Attributes": {"ApproximateReceiveCount": "1"},
        "MD5OfBody": hashlib.md5(body.encode()).hexdigest(),  # noqa: S324 - what SQS sends
    }


def batch(*bodies: str) -> dict[str, Any]:
    return sqs_event([message(n, body) for n, body in enumerate(bodies)], QUEUE_ARN)


def order_message(order_id: int) -> str:
    return json.dumps({"order_id": order_id})


def failed_ids(result: dict[str, Any]) -> list[str]:
    return [failure["itemIdentifier"] for failure in result["batchItemFailures"]]


def orders_batch(order_ids: list[int]) -> dict[str, Any]:
    return batch(*(order_message(order_id) for order_id in order_ids))
