"""`python -m tools.dlq` against moto, on the queues template.yaml declares: inspect leaves the messages
where they are, purge needs --yes, redrive asks SQS to move them back to the queue they came from.

moto 5.2 has no StartMessageMoveTask: the redrive tests answer that one call themselves (recording
what the tool asked for); everything before it (the queue's ARN, its source queues) is moto's."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from localdev.resources import create_resources
from localdev.template import Resolver, Template
from tools import dlq

STACK_WITH_QUEUE = {
    "Resources": {"DeadLetters": {"Type": "AWS::SQS::Queue"}},
    "Outputs": {"ExecutionDeadLetterQueueUrl": {"Value": {"Ref": "DeadLetters"}}},
}


@dataclass
class Queues:
    session: boto3.Session
    resolver: Resolver
    move_requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sqs(self) -> Any:
        return self.session.client("sqs")

    def url(self, logical_id: str) -> str:
        return self.resolver.refs[logical_id]

    def dead_letter(self, *order_ids: int) -> None:
        """Each order's execution message received until SQS moves it to the dead-letter queue."""
        queue = self.url("ExecutionQueue")
        for order_id in order_ids:
            self.sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"order_id": order_id}))
        for _ in range(6):  # maxReceiveCount 5: the sixth receive finds them in the DLQ
            self.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0)

    def visible(self, logical_id: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.url(logical_id), AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])


@pytest.fixture
def queues(template: Template) -> Iterator[Queues]:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        created = Queues(session, create_resources(template, session))
        session.events.register("before-parameter-build.sqs.StartMessageMoveTask", _recorder(created))
        session.events.register("before-call.sqs.StartMessageMoveTask", _answer_move_task)
        yield created


def _recorder(queues: Queues) -> Any:
    def record(params: dict[str, Any], **_: Any) -> None:
        queues.move_requests.append(dict(params))

    return record


def _answer_move_task(**_: Any) -> tuple[Any, dict[str, Any]]:
    return SimpleNamespace(status_code=200, headers={}), {"TaskHandle": "task-1"}


def run_tool(queues: Queues, *arguments: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = dlq.main(list(arguments), session=queues.session)
    return status, out.getvalue(), err.getvalue()


def test_inspect_counts_and_shows_the_messages_and_leaves_them_in_the_queue(queues: Queues) -> None:
    queues.dead_letter(7, 8, 9)
    url = queues.url("ExecutionDeadLetterQueue")

    status, out, _ = run_tool(queues, "--queue-url", url, "inspect")

    first, *shown = out.splitlines()
    assert status == 0
    assert first == f"{url}: 3 messages visible, 0 in flight"
    messages = [json.loads(line) for line in shown]
    assert sorted(message["body"]["order_id"] for message in messages) == [7, 8, 9]
    assert all(message["receive_count"] >= 6 and message["sent_at"] for message in messages)
    assert queues.visible("ExecutionDeadLetterQueue") == 3


def test_inspect_shows_at_most_the_limit_and_zero_only_counts(queues: Queues) -> None:
    queues.dead_letter(1, 2, 3)
    url = queues.url("ExecutionDeadLetterQueue")

    _, two, _ = run_tool(queues, "--queue-url", url, "inspect", "--limit", "2")
    _, none, _ = run_tool(queues, "--queue-url", url, "inspect", "--limit", "0")

    assert len(two.splitlines()) == 1 + 2
    assert none.splitlines() == [f"{url}: 3 messages visible, 0 in flight"]


def test_purge_without_yes_deletes_nothing(queues: Queues) -> None:
    queues.dead_letter(1, 2)

    status, out, _ = run_tool(queues, "--queue-url", queues.url("ExecutionDeadLetterQueue"), "purge")

    assert status == 1
    assert "holds 2 messages; nothing deleted: add --yes" in out
    assert queues.visible("ExecutionDeadLetterQueue") == 2


def test_purge_with_yes_empties_the_queue(queues: Queues) -> None:
    queues.dead_letter(1, 2)

    status, _, _ = run_tool(queues, "--queue-url", queues.url("ExecutionDeadLetterQueue"), "purge", "--yes")

    assert status == 0
    assert queues.visible("ExecutionDeadLetterQueue") == 0


def test_redrive_moves_the_execution_dead_letters_back_to_their_source_queue(queues: Queues) -> None:
    queues.dead_letter(4)
    dead_letter_arn = queues.resolver.attributes[("ExecutionDeadLetterQueue", "Arn")]

    status, out, _ = run_tool(queues, "--queue-url", queues.url("ExecutionDeadLetterQueue"), "redrive")

    assert status == 0
    assert queues.move_requests == [{"SourceArn": dead_letter_arn}]  # no destination: back where they came from
    assert f"back to {queues.url('ExecutionQueue')}" in out
    assert "Task task-1" in out


def test_redrive_can_be_paced(queues: Queues) -> None:
    url = queues.url("ExecutionDeadLetterQueue")

    run_tool(queues, "--queue-url", url, "redrive", "--per-second", "5")

    assert queues.move_requests[0]["MaxNumberOfMessagesPerSecond"] == 5


def test_redrive_refuses_a_queue_no_queue_dead_letters_into(queues: Queues) -> None:
    status, _, err = run_tool(queues, "--queue-url", queues.url("PublishEventsDeadLetterQueue"), "redrive")

    assert status == 2
    assert "no queue's dead-letter queue" in err
    assert queues.move_requests == []


def test_the_queue_is_found_by_the_stacks_output(queues: Queues) -> None:
    cloudformation = queues.session.client("cloudformation")
    cloudformation.create_stack(StackName="orders-test", TemplateBody=json.dumps(STACK_WITH_QUEUE))
    (output,) = cloudformation.describe_stacks(StackName="orders-test")["Stacks"][0]["Outputs"]

    status, out, _ = run_tool(queues, "--stack", "orders-test", "inspect")
    missing, _, err = run_tool(queues, "--stack", "orders-test", "--queue", "webhook", "inspect")
    unknown, _, unknown_err = run_tool(queues, "--stack", "no-such-stack", "inspect")

    assert (status, out.splitlines()[0]) == (0, f"{output['OutputValue']}: 0 messages visible, 0 in flight")
    assert missing == 2 and "no output WebhookDeadLetterQueueUrl (the webhook's exists only with WebhookUrl)" in err
    assert unknown == 2 and "stack no-such-stack" in unknown_err
