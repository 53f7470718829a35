"""Make moto's DynamoDB keep promises real DynamoDB keeps and moto's in-memory model does not.

1. Atomicity. DynamoDB applies each write, with its condition, and each transaction atomically.
   moto checks a condition and then writes with nothing in between to stop another thread, and
   rolls a failed transaction back by restoring a copy of the whole table. Under concurrent requests
   (the concurrency tests, ``make run`` with several clients) two conditional writes could then both
   succeed, or a rollback could erase another request's write. One lock around the backend's item
   operations removes failures the real service cannot produce.
2. Number arithmetic. DynamoDB numbers are exact decimals; moto's ``SET a = a + :v`` parses any
   number without a decimal point as an integer, so a value such as ``0E-8`` (a Decimal zero with 8
   places) fails with ValueError. Arithmetic here is done in Decimal and the result written in plain
   notation, as DynamoDB normalizes numbers.
3. Transaction cost. moto backs up every table a transaction touches, whole, before applying it, so
   a transaction's cost grows with the table: benchmarks of thousands of orders would measure moto's
   copying, not this service. Here a transaction checks every condition against the state before
   it (as DynamoDB does), then applies its writes, keeping a copy of only the items it touches to
   put back if a write fails.
4. Queue cost. moto's SQS decides whether each message is visible by reading the clock through
   several datetime conversions, and does so for every message in the queue whenever it computes the
   queue's attributes, which it does for each message sent and each receive: with 2,000 messages
   queued a SendMessageBatch took 250 ms and a ReceiveMessage 800 ms. Here the same millisecond
   clock is read directly, with the same comparisons.
5. Response cost. moto writes each response by walking the operation's output shape field by field,
   about 4 ms per item a Query returns; a page of 500 orders cost two seconds, more than executing
   them. Item reads (GetItem, Query, Scan, BatchGetItem, TransactGetItems) answer with JSON whose
   fields are already the wire's, so they are written with ``json.dumps``; anything else, or any
   result that is not plain JSON of the output shape's fields, goes through moto's serializer.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DDBType, DynamoType
from moto.dynamodb.responses import DynamoResult
from moto.sqs.models import Message

_LOCK = threading.RLock()
_OPERATIONS = ("get_item", "put_item", "update_item", "delete_item", "query", "scan", "transact_write_items")


def _serialized(operation: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(operation)
    def run(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return operation(*args, **kwargs)

    run.__dict__["faithful"] = True
    return run


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f") if number else "0"


def _decimal_arithmetic(
    original: Callable[[DynamoType, DynamoType], DynamoType], combine: Callable[[Decimal, Decimal], Decimal]
) -> Callable[[DynamoType, DynamoType], DynamoType]:
    @functools.wraps(original)
    def run(self: DynamoType, other: DynamoType) -> DynamoType:
        if self.type == other.type == DDBType.NUMBER:
            return DynamoType({DDBType.NUMBER: _plain(combine(Decimal(self.value), Decimal(other.value)))})
        return original(self, other)

    run.__dict__["faithful"] = True
    return run


def _key_of(table: Any, operation_type: str, operation: dict[str, Any]) -> dict[str, Any]:
    if operation_type != "Put":
        key: dict[str, Any] = operation["Key"]
        return key
    attributes = operation["Item"]
    key = {table.hash_key_attr: attributes[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attributes[table.range_key_attr]
    return key


Operation = tuple[str, dict[str, Any], Any, dict[str, Any]]  # type, request, table, key


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    operations = _operations(self, transact_items)
    reasons = [_condition_failure(self, operation, key) for _, operation, _, key in operations]
    if any(code is not None for code, _, _ in reasons):
        raise TransactionCanceledException(reasons)
    _apply_all_or_nothing(self, operations)


def _operations(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[Operation]:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    operations: list[Operation] = []
    targets: set[tuple[str, str]] = set()
    for entry in transact_items:
        if len(entry) > 1:
            raise TransactWriteSingleOpException
        ((operation_type, operation),) = entry.items()
        if operation_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise MockValidationException(f"Unsupported transaction operation {operation_type}")
        table = backend.get_table(operation["TableName"])
        key = _key_of(table, operation_type, operation)
        target = (operation["TableName"], str(dict(sorted(key.items()))))
        if target in targets:
            raise MultipleTransactionsException()
        targets.add(target)
        operations.append((operation_type, operation, table, key))
    return operations


def _condition_failure(
    backend: DynamoDBBackend, operation: dict[str, Any], key: dict[str, Any]
) -> tuple[str | None, str | None, dict[str, Any] | None]:
    """Checked against the state before the transaction, as DynamoDB does."""
    condition = operation.get("ConditionExpression")
    current = backend.get_item(operation["TableName"], key)
    if condition is None or get_filter_expression(
        condition, operation.get("ExpressionAttributeNames"), operation.get("ExpressionAttributeValues")
    ).expr(current):
        return (None, None, None)
    wanted = operation.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
    old = current.to_json()["Attributes"] if wanted and current is not None else None
    return ("ConditionalCheckFailed", "The conditional request failed", old)


def _apply_all_or_nothing(backend: DynamoDBBackend, operations: list[Operation]) -> None:
    saved = []
    for _, _, table, key in operations:
        hash_value, range_value = backend.get_keys_value(table, key)
        saved.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
    try:
        for operation_type, operation, _, key in operations:
            if operation_type == "Put":
                backend.put_item(operation["TableName"], operation["Item"], overwrite=True)
            elif operation_type == "Update":
                backend.update_item(
                    operation["TableName"],
                    key,
                    operation["UpdateExpression"],
                    operation.get("ExpressionAttributeNames") or {},
                    operation.get("ExpressionAttributeValues") or {},
                )
            elif operation_type == "Delete":
                backend.delete_item(operation["TableName"], key)
    except Exception:
        for table, hash_value, range_value, item in saved:
            if item is None:
                table.delete_item(hash_value, range_value)
            elif range_value is not None:
                table.items[hash_value][range_value] = item
            else:
                table.items[hash_value] = item
        raise


_ITEM_READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})


def _plain_json_for_item_reads(serialize: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(serialize)
    def execute_result(self: DynamoResult, context: Any) -> Any:
        operation = context.operation_model
        result = self.result
        if (
            operation.name in _ITEM_READS
            and isinstance(result, dict)
            and set(result) <= set(operation.output_shape.members)
        ):
            try:
                body = json.dumps(result)
            except (TypeError, ValueError):
                pass  # not plain JSON (bytes, datetimes): moto knows how to write those
            else:
                return 200, {"Content-Type": "application/x-amz-json-1.0"}, body
        return serialize(self, context)

    execute_result.__dict__["plain_json"] = True
    return execute_result


class _CheapClockProperty(property):
    """Marks the replaced properties, so that installing twice changes nothing."""


def _visible(message: Message) -> bool:
    return time.time() * 1000.0 > message.visible_at


def _delayed(message: Message) -> bool:
    return time.time() * 1000.0 < message.delayed_until


def make_moto_faithful() -> None:
    for name in _OPERATIONS:
        operation = getattr(DynamoDBBackend, name)
        if not getattr(operation, "faithful", False):
            setattr(DynamoDBBackend, name, _serialized(operation))
    if not getattr(DynamoDBBackend.transact_write_items, "efficient", False):
        efficient = _serialized(_transact_write_items)
        efficient.__dict__["efficient"] = True
        DynamoDBBackend.transact_write_items = efficient  # type: ignore[method-assign]
    if not getattr(DynamoType.__add__, "faithful", False):
        DynamoType.__add__ = _decimal_arithmetic(DynamoType.__add__, Decimal.__add__)  # type: ignore[method-assign]
        DynamoType.__sub__ = _decimal_arithmetic(DynamoType.__sub__, Decimal.__sub__)  # type: ignore[method-assign]
    if not isinstance(Message.__dict__.get("visible"), _CheapClockProperty):
        Message.visible = _CheapClockProperty(_visible)  # type: ignore[assignment,method-assign]
        Message.delayed = _CheapClockProperty(_delayed)  # type: ignore[assignment,method-assign]
    if not getattr(DynamoResult.execute_result, "plain_json", False):
        DynamoResult.execute_result = _plain_json_for_item_reads(DynamoResult.execute_result)  # type: ignore[method-assign]
