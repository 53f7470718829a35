"""The DynamoDB stub every candidate of ``benchmarks.peers`` talks to: a request gets the answer recorded
for the same request, else for its key, else its operation's; botocore still parses what it answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.endpoint import Endpoint

from benchmarks.peer_apps.dynamodb_stub import answer_keys, install

HEADERS = {"Content-Type": "application/x-amz-json-1.0"}


def answer(item: dict[str, object]) -> dict[str, object]:
    return {"status": 200, "headers": HEADERS, "body": json.dumps({"Item": item})}


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(Endpoint, "_send", Endpoint._send)  # the stub's replacement is undone after the test
    recorded_read = json.dumps({"TableName": "t", "Key": {"pk": {"S": "A"}}, "ConsistentRead": True})
    answers = {
        answer_keys("GetItem", recorded_read)[0]: answer({"pk": {"S": "A"}, "how": {"S": "request"}}),
        answer_keys("GetItem", json.dumps({"Key": {"pk": {"S": "A"}}}))[1]: answer({"how": {"S": "key"}}),
        "GetItem": answer({"how": {"S": "operation"}}),
    }
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    install(str(path))
    return boto3.client("dynamodb", region_name="us-east-1")


def test_the_same_request_gets_its_own_answer(client: Any) -> None:
    found = client.get_item(TableName="t", Key={"pk": {"S": "A"}}, ConsistentRead=True)
    assert found["Item"]["how"] == {"S": "request"}


def test_another_request_for_the_same_key_gets_the_keys_answer(client: Any) -> None:
    found = client.get_item(TableName="t", Key={"pk": {"S": "A"}})
    assert found["Item"] == {"how": {"S": "key"}}


def test_an_unrecorded_key_gets_the_operations_answer(client: Any) -> None:
    found = client.get_item(TableName="t", Key={"pk": {"S": "B"}})
    assert found["Item"] == {"how": {"S": "operation"}}


def test_an_unrecorded_operation_answers_what_a_put_answers(client: Any) -> None:
    found = client.put_item(TableName="t", Item={"pk": {"S": "C"}})
    assert set(found) == {"ResponseMetadata"}
    assert found["ResponseMetadata"]["HTTPStatusCode"] == 200
