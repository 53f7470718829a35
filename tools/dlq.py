"""Look into a dead-letter queue of the stack, move its messages back, or empty it (README, Operations).

    python -m tools.dlq inspect                       # the execution DLQ of stack hyperoru-orders
    python -m tools.dlq --stack hyperoru-orders-prod --queue publish-events inspect --limit 5
    python -m tools.dlq redrive                       # StartMessageMoveTask back to the source queue
    python -m tools.dlq purge --yes                   # delete every message (no undo)
    python -m tools.dlq --queue-url https://sqs... inspect

``inspect`` counts the messages and shows up to ``--limit`` of them without taking them out of the
queue: each is received with a visibility timeout of 0, so it is visible again at once (its receive
count goes up by one). ``redrive`` only works for the execution DLQ: the other two are filled by Lambda
and EventBridge, not by a queue their messages could go back to.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

import boto3
from botocore.exceptions import NoRegionError

DEFAULT_STACK = "hyperoru-orders"
# --queue: the stack output holding each dead-letter queue's URL.
QUEUE_OUTPUTS = {
    "execution": "ExecutionDeadLetterQueueUrl",
    "publish-events": "PublishEventsDeadLetterQueueUrl",
    "webhook": "WebhookDeadLetterQueueUrl",
}
RECEIVE_BATCH = 10  # SQS's most per ReceiveMessage
EMPTY_RECEIVES_BEFORE_GIVING_UP = 3  # a receive samples some servers only: an empty one is not proof


class DlqError(Exception):
    """What the operator is told instead of a traceback (exit status 2)."""


def queue_url_of_stack(cloudformation: Any, stack: str, queue: str) -> str:
    """The URL of ``queue`` (a key of QUEUE_OUTPUTS) from the stack's outputs."""
    try:
        (description,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except cloudformation.exceptions.ClientError as error:
        raise DlqError(f"stack {stack}: {error.response['Error']['Message']}") from None
    outputs: dict[str, str] = {output["OutputKey"]: output["OutputValue"] for output in description.get("Outputs", [])}
    key = QUEUE_OUTPUTS[queue]
    if key not in outputs:
        hint = " (the webhook's exists only with WebhookUrl)" if queue == "webhook" else ""
        raise DlqError(f"stack {stack} has no output {key}{hint}")
    return outputs[key]


@dataclass
class DeadLetterQueue:
    sqs: Any
    url: str

    def attribute(self, name: str) -> str:
        attributes: dict[str, str] = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=[name])[
            "Attributes"
        ]
        return attributes[name]

    @property
    def arn(self) -> str:
        return self.attribute("QueueArn")

    def depth(self) -> dict[str, int]:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=names)["Attributes"]
        return {"visible": int(attributes[names[0]]), "in_flight": int(attributes[names[1]])}

    def peek(self, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` distinct messages, left in the queue (visibility timeout 0)."""
        seen: dict[str, dict[str, Any]] = {}
        empty_receives = 0
        while len(seen) < limit and empty_receives < EMPTY_RECEIVES_BEFORE_GIVING_UP:
            messages = self.sqs.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=min(RECEIVE_BATCH, limit),
                VisibilityTimeout=0,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            new = [message for message in messages if message["MessageId"] not in seen]
            empty_receives = 0 if new else empty_receives + 1
            for message in new[: limit - len(seen)]:
                seen[message["MessageId"]] = message
        return list(seen.values())

    def source_queues(self) -> list[str]:
        """URLs of the queues whose redrive policy names this one."""
        urls: list[str] = self.sqs.list_dead_letter_source_queues(QueueUrl=self.url).get("queueUrls", [])
        return urls

    def redrive(self, per_second: int | None) -> str:
        """Move every message back to the queue it came from (SQS does it in the background); the task handle."""
        if not self.source_queues():
            raise DlqError(
                f"{self.url} is no queue's dead-letter queue: its messages have nowhere to go back to"
                " (publish-events and webhook: README, Order events)"
            )
        request: dict[str, Any] = {"SourceArn": self.arn}  # no DestinationArn: back to the source queue
        if per_second is not None:
            request["MaxNumberOfMessagesPerSecond"] = per_second
        handle: str = self.sqs.start_message_move_task(**request)["TaskHandle"]
        return handle

    def purge(self) -> None:
        self.sqs.purge_queue(QueueUrl=self.url)


def describe(message: dict[str, Any]) -> dict[str, Any]:
    """A message as the operator reads it: when it was first sent, how often received, its body."""
    attributes = message.get("Attributes", {})
    sent = attributes.get("SentTimestamp")
    body: Any = message["Body"]
    with contextlib.suppress(ValueError):  # not JSON: shown as it is
        body = json.loads(body)
    return {
        "message_id": message["MessageId"],
        "sent_at": datetime.fromtimestamp(int(sent) / 1000, UTC).isoformat() if sent else None,
        "receive_count": int(attributes.get("ApproximateReceiveCount", 0)),
        "message_attributes": {
            name: value.get("StringValue", value.get("BinaryValue"))
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "body": body,
    }


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.dlq", description="Inspect, redrive or purge a dead-letter queue of the stack."
    )
    parser.add_argument("--stack", default=DEFAULT_STACK, help=f"the stack's name (default {DEFAULT_STACK})")
    parser.add_argument(
        "--queue", choices=sorted(QUEUE_OUTPUTS), default="execution", help="the dead-letter queue (default execution)"
    )
    parser.add_argument("--queue-url", help="the queue's URL instead of --stack and --queue")
    parser.add_argument("--region", help="the stack's region (default: AWS_DEFAULT_REGION, the profile's)")
    commands = parser.add_subparsers(dest="command", required=True)
    inspect = commands.add_parser("inspect", help="count the messages and show some, leaving them in the queue")
    inspect.add_argument("--limit", type=int, default=10, help="messages to show (default 10, 0: only count)")
    redrive = commands.add_parser("redrive", help="move every message back to the queue it came from")
    redrive.add_argument("--per-second", type=int, help="at most this many messages a second (default: SQS's pace)")
    purge = commands.add_parser("purge", help="delete every message of the queue (no undo)")
    purge.add_argument("--yes", action="store_true", help="confirm: without it nothing is deleted")
    return parser.parse_args(argv)


def run(arguments: argparse.Namespace, session: boto3.Session, out: TextIO) -> int:
    url = arguments.queue_url or queue_url_of_stack(session.client("cloudformation"), arguments.stack, arguments.queue)
    queue = DeadLetterQueue(session.client("sqs"), url)
    if arguments.command == "inspect":
        depth = queue.depth()
        print(f"{url}: {depth['visible']} messages visible, {depth['in_flight']} in flight", file=out)
        for message in queue.peek(arguments.limit) if arguments.limit > 0 else []:
            print(json.dumps(describe(message), sort_keys=True), file=out)
    elif arguments.command == "redrive":
        handle = queue.redrive(arguments.per_second)
        print(f"Moving the messages of {url} back to {', '.join(queue.source_queues())}", file=out)
        print(f"Task {handle}; progress: aws sqs list-message-move-tasks --source-arn {queue.arn}", file=out)
    elif not arguments.yes:
        depth = queue.depth()
        print(f"{url} holds {depth['visible']} messages; nothing deleted: add --yes to delete them all", file=out)
        return 1
    else:
        queue.purge()
        print(f"Purged {url} (SQS may take up to 60 s to delete every message)", file=out)
    return 0


def main(argv: Sequence[str] | None = None, session: boto3.Session | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        return run(arguments, session or boto3.Session(region_name=arguments.region), sys.stdout)
    except NoRegionError:
        print("error: no AWS region: pass --region or set AWS_DEFAULT_REGION", file=sys.stderr)
        return 2
    except DlqError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
