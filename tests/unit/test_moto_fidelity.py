"""Each patch of localdev.moto_fidelity against moto as installed: the failure without it, none with
it, and the moto names it relies on. A moto upgrade that changes what a patch relies on fails here
instead of silently changing what the other tests prove."""

from __future__ import annotations

import copy
import inspect
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import moto.dynamodb.models
import moto.sqs.models
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult
from moto.core.serialize import get_serializer_class
from moto.core.utils import unix_time_millis
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DDBType, DynamoType
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoResult
from moto.sqs.models import Message

from localdev import moto_fidelity
from localdev.moto_fidelity import (
    ATOMICITY,
    CHEAP_SQS_CLOCK,
    DECIMAL_ARITHMETIC,
    EFFICIENT_TRANSACTIONS,
    PLAIN_JSON_READS,
    all_patches,
    install,
    installed,
    make_moto_faithful,
    moto_attribute,
    only,
    uninstall,
    without,
)

TABLE = "fidelity"
EVERY_PATCH = frozenset(patch.name for patch in all_patches())


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    make_moto_faithful()
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


@pytest.fixture
def sqs() -> Iterator[tuple[Any, str]]:
    make_moto_faithful()
    with mock_aws():
        client = boto3.client("sqs")
        yield client, client.create_queue(QueueName="fidelity")["QueueUrl"]


def key(name: str) -> dict[str, Any]:
    return {"pk": {"S": name}}


def stored(client: Any, name: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = client.get_item(TableName=TABLE, Key=key(name)).get("Item")
    return item


def error_code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


# 1. Atomicity


class _UpdateAfterAPause(moto.dynamodb.models.UpdateExpressionExecutor):  # type: ignore[misc]
    """Widens moto's window between checking an update's condition and writing it."""

    def execute(self, node: Any = None) -> None:
        if node is None:
            time.sleep(0.1)
        super().execute(node)


def claim_twice_at_once(client: Any) -> list[str]:
    client.put_item(TableName=TABLE, Item=key("claimed"))
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def claim(who: str) -> None:
        start.wait()
        try:
            client.update_item(
                TableName=TABLE,
                Key=key("claimed"),
                UpdateExpression="SET claimant = :who",
                ConditionExpression="attribute_not_exists(claimant)",
                ExpressionAttributeValues={":who": {"S": who}},
            )
            outcomes.append("claimed")
        except ClientError as error:
            outcomes.append(error_code(error))

    threads = [threading.Thread(target=claim, args=(who,)) for who in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.delete_item(TableName=TABLE, Key=key("claimed"))
    return sorted(outcomes)


def test_atomicity_two_conditional_updates_of_one_item_cannot_both_win(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(moto.dynamodb.models, "UpdateExpressionExecutor", _UpdateAfterAPause)

    with without(ATOMICITY):
        assert claim_twice_at_once(dynamodb) == ["claimed", "claimed"]

    assert claim_twice_at_once(dynamodb) == ["ConditionalCheckFailedException", "claimed"]


def read_then_update(client: Any) -> set[str]:
    """The attributes of what moto's backend answered a GetItem after a later update of the item added
    one (what a response written after the lock would still be reading)."""
    client.put_item(TableName=TABLE, Item=key("read"))
    backend = moto.dynamodb.models.dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    got = backend.get_item(TABLE, key("read"))
    added = {":v": {"S": "x"}}
    client.update_item(
        TableName=TABLE, Key=key("read"), UpdateExpression="SET added = :v", ExpressionAttributeValues=added
    )
    client.delete_item(TableName=TABLE, Key=key("read"))
    return set(got.attrs)


def test_atomicity_reads_answer_the_item_as_it_was_not_the_stored_one(dynamodb: Any) -> None:
    with without(ATOMICITY):
        assert read_then_update(dynamodb) == {"pk", "added"}  # moto hands out the stored item

    assert read_then_update(dynamodb) == {"pk"}


# 2. Decimal arithmetic


def add(client: Any, value: str, operator: str = "+") -> None:
    client.update_item(
        TableName=TABLE,
        Key=key("amount"),
        UpdateExpression=f"SET amount = amount {operator} :value",
        ExpressionAttributeValues={":value": {"N": value}},
    )


def test_decimal_arithmetic_adds_any_number_exactly(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item={**key("amount"), "amount": {"N": "1.5"}})

    with without(DECIMAL_ARITHMETIC), pytest.raises(ValueError, match="invalid literal for int"):
        add(dynamodb, "0E-8")  # a Decimal zero with 8 places, as the service sends it

    add(dynamodb, "0E-8")
    add(dynamodb, "1E-8", "-")
    assert stored(dynamodb, "amount") == {**key("amount"), "amount": {"N": "1.49999999"}}
    add(dynamodb, "12345678901234567890.00000001")
    assert stored(dynamodb, "amount") == {**key("amount"), "amount": {"N": "12345678901234567891.5"}}


# 3. Efficient transactions


def deep_copies_of_one_transaction(client: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    copies = 0
    deepcopy = copy.deepcopy

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal copies
        copies += 1
        return deepcopy(*args, **kwargs)

    with monkeypatch.context() as patching:
        patching.setattr(copy, "deepcopy", counting)
        client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": key("item-0"),
                        "UpdateExpression": "SET touched = :yes",
                        "ExpressionAttributeValues": {":yes": {"BOOL": True}},
                    }
                }
            ]
        )
    return copies


def fill(client: Any, first: int, last: int) -> None:
    for number in range(first, last):
        client.put_item(TableName=TABLE, Item={**key(f"item-{number}"), "n": {"N": str(number)}})


def test_efficient_transactions_cost_what_they_touch_not_the_table(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(dynamodb, 0, 10)
    deep_copies_of_one_transaction(dynamodb, monkeypatch)  # the item gets its attribute once and for all
    small = deep_copies_of_one_transaction(dynamodb, monkeypatch)
    with without(EFFICIENT_TRANSACTIONS):
        moto_small = deep_copies_of_one_transaction(dynamodb, monkeypatch)
    fill(dynamodb, 10, 210)
    large = deep_copies_of_one_transaction(dynamodb, monkeypatch)
    with without(EFFICIENT_TRANSACTIONS):
        moto_large = deep_copies_of_one_transaction(dynamodb, monkeypatch)

    assert moto_large - moto_small >= 200  # moto copies the whole table
    assert large == small < 20


@pytest.mark.parametrize("efficient", [True, False], ids=["patched", "moto"])
def test_a_transaction_whose_write_fails_applies_nothing(dynamodb: Any, efficient: bool) -> None:
    dynamodb.put_item(TableName=TABLE, Item={**key("text"), "value": {"S": "not a number"}})
    failing = [
        {"Put": {"TableName": TABLE, "Item": {**key("new"), "value": {"N": "1"}}}},
        {
            "Update": {
                "TableName": TABLE,
                "Key": key("text"),
                "UpdateExpression": "SET #v = #v + :one",
                "ExpressionAttributeNames": {"#v": "value"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ]

    with only(EVERY_PATCH if efficient else EVERY_PATCH - {EFFICIENT_TRANSACTIONS}), pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=failing)

    assert stored(dynamodb, "new") is None
    assert stored(dynamodb, "text") == {**key("text"), "value": {"S": "not a number"}}


@pytest.mark.parametrize("efficient", [True, False], ids=["patched", "moto"])
def test_a_transaction_cancelled_by_a_condition_says_which_item_and_applies_nothing(
    dynamodb: Any, efficient: bool
) -> None:
    dynamodb.put_item(TableName=TABLE, Item={**key("a"), "n": {"N": "2"}})
    checks_a = [
        {"Put": {"TableName": TABLE, "Item": key("b")}},
        {
            "ConditionCheck": {
                "TableName": TABLE,
                "Key": key("a"),
                "ConditionExpression": "n = :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
    ]

    with (
        only(EVERY_PATCH if efficient else EVERY_PATCH - {EFFICIENT_TRANSACTIONS}),
        pytest.raises(ClientError) as refused,
    ):
        dynamodb.transact_write_items(TransactItems=checks_a)

    assert refused.value.response["CancellationReasons"] == [  # type: ignore[typeddict-item]
        {"Code": "None"},
        {
            "Code": "ConditionalCheckFailed",
            "Message": "The conditional request failed",
            "Item": {**key("a"), "n": {"N": "2"}},
        },
    ]
    assert stored(dynamodb, "b") is None


# 4. Cheap SQS clock


def clock_reads_of_one_receive(client: Any, url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    reads = 0

    def counting() -> float:
        nonlocal reads
        reads += 1
        return unix_time_millis()

    with monkeypatch.context() as patching:
        patching.setattr(moto.sqs.models, "unix_time_millis", counting)
        client.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=60)
    return reads


def send(client: Any, url: str, count: int) -> None:
    for first in range(0, count, 10):
        client.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": f"m{first + n}"} for n in range(10)]
        )


def test_cheap_sqs_clock_reads_the_clock_once_per_receive_not_once_per_message(
    sqs: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, url = sqs
    # The patch compares moto's timestamps with time.time(): it must be the clock moto writes them with.
    assert abs(unix_time_millis() - time.time() * 1000) < 1000

    send(client, url, 20)
    with without(CHEAP_SQS_CLOCK):
        moto_small = clock_reads_of_one_receive(client, url, monkeypatch)
    small = clock_reads_of_one_receive(client, url, monkeypatch)
    send(client, url, 400)
    with without(CHEAP_SQS_CLOCK):
        moto_large = clock_reads_of_one_receive(client, url, monkeypatch)
    large = clock_reads_of_one_receive(client, url, monkeypatch)

    assert moto_large - moto_small >= 400
    assert large == small < 10


@pytest.mark.parametrize("cheap", [True, False], ids=["patched", "moto"])
def test_sqs_visibility_and_delay_are_the_same_with_the_cheap_clock(sqs: tuple[Any, str], cheap: bool) -> None:
    client, url = sqs
    now = time.time() * 1000
    with only(EVERY_PATCH if cheap else EVERY_PATCH - {CHEAP_SQS_CLOCK}):
        message = Message("id", "body")
        seen = []
        for offset in (-1000, -5, 5000):
            message.visible_at = message.delayed_until = now + offset
            seen.append((message.visible, message.delayed))
        assert seen == [(True, False), (True, False), (False, True)]

        client.send_message(QueueUrl=url, MessageBody="visible")
        client.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
        first = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)["Messages"]
        assert [m["Body"] for m in first] == ["visible"]
        assert "Messages" not in client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        client.change_message_visibility(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"], VisibilityTimeout=0)
        time.sleep(0.01)
        again = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        assert [m["Body"] for m in again] == ["visible"]


# 5. Plain JSON for item reads

REPRESENTATIVE = {
    **key("representative"),
    "exact": {"N": "0.00000001"},
    "huge": {"N": "123456789012345678901234567890.12345678"},
    "negative": {"N": "-42"},
    "text": {"S": 'héllo ☃ "quoted" \\ \n'},
    "empty": {"S": ""},
    "yes": {"BOOL": True},
    "nothing": {"NULL": True},
    "nested": {"M": {"list": {"L": [{"N": "1"}, {"S": "two"}, {"M": {"deep": {"BOOL": False}}}]}}},
    "names": {"SS": ["a", "b"]},
    "numbers": {"NS": ["1", "2.5"]},
}
BINARY = {**key("binary"), "blob": {"B": b"\x00\x01\xff"}, "blobs": {"BS": [b"a", b"b"]}}


def wire_bodies(client: Any, name: str) -> list[Any]:
    """The JSON each item read answers for the item ``name``, as it crosses the wire."""
    bodies: list[Any] = []

    def keep(http_response: Any, **_: Any) -> None:
        bodies.append(json.loads(http_response.content))

    client.meta.events.register("after-call.dynamodb", keep)
    try:
        client.get_item(TableName=TABLE, Key=key(name))
        client.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": name}},
        )
        client.scan(TableName=TABLE, FilterExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": name}})
        client.batch_get_item(RequestItems={TABLE: {"Keys": [key(name)]}})
        client.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": key(name)}}])
    finally:
        client.meta.events.unregister("after-call.dynamodb", keep)
    return bodies


def serializer_calls(monkeypatch: pytest.MonkeyPatch, method: str) -> list[int]:
    """Counts calls of moto's DynamoDB response serializer's ``method`` from now on."""
    serializer = get_serializer_class("dynamodb", "json")
    original = getattr(serializer, method)
    calls = [0]

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(serializer, method, counting)
    return calls


def test_plain_json_item_reads_answer_what_motos_serializer_answers(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for item in (REPRESENTATIVE, BINARY):
        dynamodb.put_item(TableName=TABLE, Item=item)
    serialized = serializer_calls(monkeypatch, "serialize")

    with without(PLAIN_JSON_READS):
        expected = {name: wire_bodies(dynamodb, name) for name in ("representative", "binary")}
    assert serialized[0] == 10
    serialized[0] = 0

    assert wire_bodies(dynamodb, "representative") == expected["representative"]
    assert serialized[0] == 0  # written without moto's serializer
    assert wire_bodies(dynamodb, "binary") == expected["binary"]
    assert serialized[0] == 5  # bytes are not JSON: moto's serializer writes them
    assert dynamodb.get_item(TableName=TABLE, Key=key("binary"))["Item"] == BINARY


def test_plain_json_item_reads_cost_nothing_per_field(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(50):
        dynamodb.put_item(TableName=TABLE, Item={**REPRESENTATIVE, **key(f"item-{number}")})
    walked = serializer_calls(monkeypatch, "_serialize")

    with without(PLAIN_JSON_READS):
        dynamodb.scan(TableName=TABLE)
    assert walked[0] > 50 * len(REPRESENTATIVE)  # moto walks every field of every item
    walked[0] = 0
    dynamodb.scan(TableName=TABLE)
    assert walked[0] == 0


# What the patches rely on in moto


def parameters(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


# For each attribute a patch replaces or calls: the parameters it is called with, first ones first.
RELIED_ON: dict[tuple[Any, str], list[str] | None] = {
    (DynamoDBBackend, "get_item"): ["self", "table_name", "keys"],
    (DynamoDBBackend, "put_item"): ["self", "table_name", "item_attrs", "expected", "condition_expression"],
    (DynamoDBBackend, "update_item"): [
        "self",
        "table_name",
        "key",
        "update_expression",
        "expression_attribute_names",
        "expression_attribute_values",
    ],
    (DynamoDBBackend, "delete_item"): ["self", "table_name", "key"],
    (DynamoDBBackend, "query"): ["self", "table_name"],
    (DynamoDBBackend, "scan"): ["self", "table_name"],
    (DynamoDBBackend, "transact_write_items"): ["self", "transact_items"],
    (DynamoDBBackend, "get_table"): ["self", "table_name"],
    (DynamoDBBackend, "get_keys_value"): ["self", "table", "keys"],
    (Table, "get_item"): ["self", "hash_key", "range_key"],
    (Table, "delete_item"): ["self", "hash_key", "range_key"],
    (DynamoType, "__add__"): ["self", "other"],
    (DynamoType, "__sub__"): ["self", "other"],
    (DynamoResult, "execute_result"): ["self", "context"],
    (Message, "visible"): None,  # properties
    (Message, "delayed"): None,
    (Message, "__init__"): ["self", "message_id", "body"],
    (moto.sqs.models, "unix_time_millis"): [],
    (moto.dynamodb.models, "get_filter_expression"): ["expr", "names", "values"],
    (TransactionCanceledException, "__init__"): ["self", "errors"],
}


@pytest.mark.parametrize("relied_on", list(RELIED_ON), ids=lambda slot: f"{slot[0].__name__}.{slot[1]}")
def test_what_the_patches_rely_on_is_still_in_moto(relied_on: tuple[Any, str]) -> None:
    owner, name = relied_on
    found = moto_attribute(owner, name) if isinstance(owner, type) else getattr(owner, name)
    expected = RELIED_ON[relied_on]
    if expected is None:
        assert isinstance(found, property)
    else:
        assert parameters(found)[: len(expected)] == expected


def test_every_replaced_attribute_is_pinned() -> None:
    replaced = {(r.owner, r.name) for patch in all_patches() for r in patch.replacements}
    assert replaced <= set(RELIED_ON)


def test_the_values_and_fields_the_patches_read_are_still_in_moto(dynamodb: Any) -> None:
    assert DDBType.NUMBER == "N"
    assert ERROR_TYPE_PREFIX == "com.amazonaws.dynamodb.v20120810#"
    assert moto.dynamodb.models.get_filter_expression is get_filter_expression
    assert moto_attribute(DynamoResult, "execute_result") is ActionResult.execute_result
    message = Message("id", "body")
    assert (message.visible_at, message.delayed_until) == (0.0, 0.0)
    dynamodb.put_item(TableName=TABLE, Item=key("there"))
    backend = moto.dynamodb.models.dynamodb_backends["123456789012"]["us-east-1"]
    table = backend.get_table(TABLE)
    assert (table.hash_key_attr, table.range_key_attr) == ("pk", None)
    assert table.items[DynamoType({"S": "there"})].to_json()["Attributes"] == key("there")


# Installing and uninstalling


def slots() -> list[tuple[type, str]]:
    return list(dict.fromkeys((r.owner, r.name) for patch in all_patches() for r in patch.replacements))


def wrapped_code(function: Any) -> list[Any]:
    """The code of each layer of a patched function, outermost first."""
    layers = []
    while function is not None:
        layers.append(getattr(function, "__code__", function))
        function = getattr(function, "__wrapped__", None)
    return layers


def test_make_moto_faithful_installs_every_patch_and_again_changes_nothing() -> None:
    make_moto_faithful()
    before = {slot: slot[0].__dict__.get(slot[1]) for slot in slots()}
    make_moto_faithful()

    assert installed() == EVERY_PATCH
    assert {slot: slot[0].__dict__.get(slot[1]) for slot in slots()} == before


def test_without_any_patch_moto_is_as_it_was() -> None:
    make_moto_faithful()
    with only(()):
        for owner, name in slots():
            assert getattr(owner, name) is moto_attribute(owner, name)
        assert "execute_result" not in DynamoResult.__dict__
    assert installed() == EVERY_PATCH


def test_patches_compose_the_same_whatever_order_they_are_installed_in() -> None:
    make_moto_faithful()
    layers = {}
    for order in ([EFFICIENT_TRANSACTIONS, ATOMICITY], [ATOMICITY, EFFICIENT_TRANSACTIONS]):
        with only(()):
            for name in order:
                install(name)
            layers[tuple(order)] = wrapped_code(DynamoDBBackend.transact_write_items)
            uninstall(ATOMICITY)
            assert wrapped_code(DynamoDBBackend.transact_write_items) == [moto_fidelity._transact_write_items.__code__]

    assert len(set(map(tuple, layers.values()))) == 1
    assert len(next(iter(layers.values()))) == 2  # the lock around the efficient transaction


def test_an_attribute_replaced_by_someone_else_is_not_overwritten(monkeypatch: pytest.MonkeyPatch) -> None:
    make_moto_faithful()
    monkeypatch.setattr(DynamoDBBackend, "get_item", lambda *_: None)

    with pytest.raises(RuntimeError, match="get_item was replaced"):
        uninstall(ATOMICITY)
    assert installed() == EVERY_PATCH


def test_an_unknown_patch_is_refused() -> None:
    with pytest.raises(ValueError, match="no such moto patch"):
        install("atomic")
