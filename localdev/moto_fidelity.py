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
"""

from __future__ import annotations

import copy
import functools
import threading
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
