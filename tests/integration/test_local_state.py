"""make run's saved state (localdev/persistence.py): what is saved comes back exactly, into fresh moto."""

from __future__ import annotations

import json
import os
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer

from localdev.functions import LocalFunction
from localdev.inprocess import InProcessStack, in_process_stack
from localdev.persistence import (
    FORMAT,
    VERSION,
    Saver,
    State,
    StateError,
    StateInUse,
    capture,
    held,
    load,
    restore,
    save,
)
from localdev.template import Template

# Values DynamoDB keeps exactly and a careless save would not: 38 significant digits, tiny and huge
# exponents, binary, the three kinds of sets, nesting.
EXOTIC = {
    "pk": {"S": "TEST#exotic"},
    "sk": {"S": "TEST"},
    "precise": {"N": "12345678901234567890.123456789012345678"},
    "tiny": {"N": "1E-130"},
    "huge": {"N": "9.9999999999999999999999999999999999999E+125"},
    "negative": {"N": "-0.000000000000000000000000000000000001"},
    "blob": {"B": bytes(range(256))},
    "strings": {"SS": ["a", "b", "ü"]},
    "numbers": {"NS": ["1", "0.1", "10000000000000000000000000000000000001"]},
    "blobs": {"BS": [b"\x00", b"\xff\xfe"]},
    "nothing": {"NULL": True},
    "flag": {"BOOL": False},
    "nested": {
        "M": {
            "list": {"L": [{"N": "1.10"}, {"S": "x"}, {"M": {"deep": {"B": b"\x01\x02"}}}, {"L": []}]},
            "empty": {"M": {}},
            "set": {"NS": ["3.14159265358979323846264338327950288"]},
        }
    },
}


def scan(stack: InProcessStack) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = boto3.client("dynamodb").scan(TableName=stack.table_name)["Items"]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def test_every_item_comes_back_exactly(template: Template, functions: dict[str, LocalFunction], tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with in_process_stack(template, functions) as first:
        boto3.client("dynamodb").put_item(TableName=first.table_name, Item=EXOTIC)
        created = first.router.handle(
            "POST",
            "/api/orders/create",
            query_string="",
            headers={"Content-Type": "application/json"},
            body='{"account_id": 1, "symbol": "BTC", "name": "x", "side": "buy", "order_type": "market", '
            '"quantity": 0.0123}',
        )
        assert created.status == 201
        assert (
            first.router.handle("POST", "/api/orders/execute/1", query_string="", headers={}, body=None).status == 200
        )
        before = scan(first)
        save(capture(template, first.resolver), path)

    saved = load(path)
    assert saved is not None
    with in_process_stack(template, functions, seed=False) as second:
        assert scan(second) == []
        restore(saved, template, second.resolver)
        after = scan(second)

    assert after == before
    exotic = next(item for item in after if item["pk"]["S"] == "TEST#exotic")
    values = {name: TypeDeserializer().deserialize(value) for name, value in exotic.items()}
    assert values["precise"] == Decimal("12345678901234567890.123456789012345678")
    assert values["numbers"] == {Decimal(1), Decimal("0.1"), Decimal("10000000000000000000000000000000000001")}
    assert values["blob"].value == bytes(range(256))
    assert values["nested"]["list"][2]["deep"].value == b"\x01\x02"
    assert saved.describe() == f"1 order, 3 accounts ({len(before)} items), 0 queued messages"


def test_waiting_messages_are_saved_and_in_flight_ones_are_not(
    template: Template, functions: dict[str, LocalFunction], tmp_path: Path
) -> None:
    path = tmp_path / "state.json"
    attributes = {
        "kind": {"DataType": "String", "StringValue": "execute"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    }
    with in_process_stack(template, functions, seed=False) as first:
        sqs = boto3.client("sqs")
        sqs.send_message(QueueUrl=first.queue_url, MessageBody='{"order_id": 1}')
        taken = sqs.receive_message(QueueUrl=first.queue_url, VisibilityTimeout=60)["Messages"]
        assert json.loads(taken[0]["Body"]) == {"order_id": 1}  # now in flight
        sqs.send_message(QueueUrl=first.queue_url, MessageBody='{"order_id": 2}', MessageAttributes=attributes)
        sqs.send_message(QueueUrl=first.dead_letter_queue_url, MessageBody='{"order_id": 3}')
        save(capture(template, first.resolver), path)
        # Saving read the queue without receiving: nothing became in flight, no receive was counted.
        waiting = sqs.receive_message(
            QueueUrl=first.queue_url, AttributeNames=["ApproximateReceiveCount"], MaxNumberOfMessages=10
        )["Messages"]
        assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in waiting] == [('{"order_id": 2}', "1")]

    saved = load(path)
    assert saved is not None
    assert saved.queues["ExecutionQueue"] == [
        {
            "body": '{"order_id": 2}',
            "attributes": {
                "kind": {"DataType": "String", "StringValue": "execute"},
                "raw": {"DataType": "Binary", "BinaryValue": "AAE="},
            },
        }
    ]
    with in_process_stack(template, functions, seed=False) as second:
        restore(saved, template, second.resolver)
        sqs = boto3.client("sqs")
        received = sqs.receive_message(
            QueueUrl=second.queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )["Messages"]
        dead = sqs.receive_message(QueueUrl=second.dead_letter_queue_url, MaxNumberOfMessages=10)["Messages"]

    assert [m["Body"] for m in received] == ['{"order_id": 2}']
    assert received[0]["MessageAttributes"]["raw"]["BinaryValue"] == b"\x00\x01"
    assert received[0]["MessageAttributes"]["kind"]["StringValue"] == "execute"
    assert [m["Body"] for m in dead] == ['{"order_id": 3}']


def write(path: Path, document: Any) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


@pytest.mark.parametrize(
    ("document", "said"),
    [
        ('{"format": "hyperoru-localdev-state", "version": 1, "tables": {', "not valid JSON"),
        ([1, 2], "not a saved local state"),
        ({"format": FORMAT, "version": VERSION + 1, "saved_at": "x", "tables": {}, "queues": {}}, "format version 2"),
        ({"format": FORMAT, "version": VERSION, "tables": {}, "queues": {}}, "damaged"),
        (
            {
                "format": FORMAT,
                "version": VERSION,
                "saved_at": "x",
                "tables": {"T": [{"b": {"B": "!!"}}]},
                "queues": {},
            },
            "damaged",
        ),
        ({"format": FORMAT, "version": VERSION, "saved_at": "x", "tables": {}, "queues": {"Q": [{}]}}, "damaged"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused(tmp_path: Path, document: Any, said: str) -> None:
    path = write(tmp_path / "state.json", document)

    with pytest.raises(StateError, match=said):
        load(path)


def test_no_file_is_no_state(tmp_path: Path) -> None:
    assert load(tmp_path / "missing.json") is None


def test_state_of_resources_the_template_does_not_create_is_refused(
    template: Template, functions: dict[str, LocalFunction]
) -> None:
    state = State("2026-01-01T00:00:00Z", tables={"RenamedTable": []})
    with in_process_stack(template, functions, seed=False) as stack, pytest.raises(StateError, match="RenamedTable"):
        restore(state, template, stack.resolver)


def test_saving_replaces_the_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "state.json"
    save(State("2026-01-01T00:00:00Z", tables={"OrdersTable": [{"pk": {"S": "A"}}]}), path)
    before = path.read_text()

    with pytest.raises(TypeError):  # fails halfway through writing: the old file stays whole
        save(State("2026-01-02T00:00:00Z", tables={"OrdersTable": [{"pk": {"S": object()}}]}), path)

    assert path.read_text() == before
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temporary file left behind


def test_the_saver_saves_periodically_and_at_close(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    snapshots = 0
    twice = threading.Event()

    def snapshot() -> State:
        nonlocal snapshots
        snapshots += 1
        if snapshots >= 2:
            twice.set()
        return State(f"save {snapshots}")

    reports: list[str] = []
    saver = Saver(path, snapshot, interval=0.05, report=reports.append)
    saver.start()
    assert twice.wait(10)
    saver.close()

    saved = load(path)
    assert saved is not None
    assert saved.saved_at == f"save {snapshots}"  # the last save is the one at close
    assert reports[-1] == f"Saved 0 orders, 0 accounts (0 items), 0 queued messages to {path}."


def test_one_state_file_is_used_by_one_server_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with held(path):
        with pytest.raises(StateInUse, match=f"in use by another local server \\(process {os.getpid()}\\)"), held(path):
            pass
        with held(tmp_path / "other.json"):  # another file: no conflict
            pass
    with held(path):  # released
        pass
