"""Make moto's DynamoDB keep promises real DynamoDB keeps and moto's in-memory model does not.

1. Atomicity. DynamoDB applies each write, with its condition, and each transaction atomically.
   moto checks a condition and then writes with nothing in between to stop another thread, and
   rolls a failed transaction back by restoring a copy of the whole table. Under concurrent requests
   (the concurrency tests, ``make run`` with several clients) two conditional writes could then both
   succeed, or a rollback could erase another request's write. One lock around the backend's item
   operations removes failures the real service cannot produce. Reads answer copies of the items
   taken under the lock: moto hands out the stored item itself and writes the response after the
   lock is released, so a concurrent update of the same item failed the read with "dictionary
   changed size during iteration" (a 500 no DynamoDB read gives).
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
6. Contention (``localdev.moto_contention``, off unless asked for). Real DynamoDB cancels a
   transaction that touches an item another transaction holds, and refuses a single write to it;
   moto, answering one request at a time, never does.

Each fix is a named ``Patch`` that can be installed and uninstalled on its own (the tests prove each
one needed by showing moto's failure without it). ``make_moto_faithful()`` installs them all; the
patched attributes are always rebuilt from moto's own in one fixed order, so any subset gives the
same result whatever order it was installed in.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
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
from moto.dynamodb.models.dynamo_type import DDBType, DynamoType, Item, LimitedSizeDict
from moto.dynamodb.responses import DynamoResult
from moto.sqs.models import Message

ATOMICITY = "atomicity"
DECIMAL_ARITHMETIC = "decimal-arithmetic"
EFFICIENT_TRANSACTIONS = "efficient-transactions"
CHEAP_SQS_CLOCK = "cheap-sqs-clock"
PLAIN_JSON_READS = "plain-json-item-reads"
CONTENTION = "contention"

# Reentrant: a transaction's writes go through the backend's (locked) single-item operations.
LOCK = threading.RLock()
LOCKED_OPERATIONS = ("put_item", "update_item", "delete_item", "transact_write_items")
READ_OPERATIONS = ("get_item", "query", "scan")


@dataclass(frozen=True)
class Replacement:
    """``owner.name`` becomes ``make(what it was)``: moto's attribute, or an earlier patch's."""

    owner: type
    name: str
    make: Callable[[Any], Any]


@dataclass(frozen=True)
class Patch:
    name: str
    replacements: tuple[Replacement, ...]


def _serialized(operation: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(operation)
    def run(*args: Any, **kwargs: Any) -> Any:
        with LOCK:
            return operation(*args, **kwargs)

    return run


def _serialized_read(operation: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(operation)
    def run(*args: Any, **kwargs: Any) -> Any:
        with LOCK:
            return _detached(operation(*args, **kwargs))

    return run


def _detached(result: Any) -> Any:
    """The items of a read as they are now, apart from the stored ones (whose attributes later writes
    replace, never change in place: a copy of the attribute dict is enough)."""
    if isinstance(result, Item):
        detached = copy.copy(result)
        detached.attrs = LimitedSizeDict(result.attrs)
        return detached
    if isinstance(result, tuple):
        return tuple(_detached(part) for part in result)
    if isinstance(result, list):
        return [_detached(part) for part in result]
    return result


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

    return run


def item_key(table: Any, attributes: dict[str, Any]) -> dict[str, Any]:
    key = {table.hash_key_attr: attributes[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attributes[table.range_key_attr]
    return key


def operation_key(table: Any, operation_type: str, operation: dict[str, Any]) -> dict[str, Any]:
    if operation_type == "Put":
        return item_key(table, operation["Item"])
    key: dict[str, Any] = operation["Key"]
    return key


def target(table_name: str, key: dict[str, Any]) -> tuple[str, str]:
    """One item, comparable whichever request named it (moto compares keys the same way)."""
    return (table_name, str(dict(sorted(key.items()))))


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
        key = operation_key(table, operation_type, operation)
        if target(operation["TableName"], key) in targets:
            raise MultipleTransactionsException()
        targets.add(target(operation["TableName"], key))
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

    return execute_result


def _visible(message: Message) -> bool:
    return time.time() * 1000.0 > message.visible_at


def _delayed(message: Message) -> bool:
    return time.time() * 1000.0 < message.delayed_until


def _replace_with(value: Any) -> Callable[[Any], Any]:
    return lambda _: value


def _locked(name: str) -> Replacement:
    return Replacement(DynamoDBBackend, name, _serialized)


# In the order they are composed: the lock wraps the efficient transaction, and contention wraps
# the lock, because it holds items for a while without it.
FIDELITY_PATCHES = (
    Patch(
        EFFICIENT_TRANSACTIONS,
        (Replacement(DynamoDBBackend, "transact_write_items", _replace_with(_transact_write_items)),),
    ),
    Patch(
        DECIMAL_ARITHMETIC,
        (
            Replacement(DynamoType, "__add__", lambda add: _decimal_arithmetic(add, Decimal.__add__)),
            Replacement(DynamoType, "__sub__", lambda sub: _decimal_arithmetic(sub, Decimal.__sub__)),
        ),
    ),
    Patch(
        ATOMICITY,
        tuple(_locked(name) for name in LOCKED_OPERATIONS)
        + tuple(Replacement(DynamoDBBackend, name, _serialized_read) for name in READ_OPERATIONS),
    ),
    Patch(
        CHEAP_SQS_CLOCK,
        (
            Replacement(Message, "visible", _replace_with(property(_visible))),
            Replacement(Message, "delayed", _replace_with(property(_delayed))),
        ),
    ),
    Patch(PLAIN_JSON_READS, (Replacement(DynamoResult, "execute_result", _plain_json_for_item_reads),)),
)


def all_patches() -> tuple[Patch, ...]:
    from localdev.moto_contention import CONTENTION_PATCH  # it builds on this module

    return (*FIDELITY_PATCHES, CONTENTION_PATCH)


_INHERITED = object()  # moto's class takes the attribute from a base class
_moto_attributes: dict[tuple[type, str], Any] = {}
_ours: dict[tuple[type, str], Any] = {}  # what was last set, to notice anyone else replacing it
_installed: frozenset[str] = frozenset()
_registry = threading.Lock()


def moto_attribute(owner: type, name: str) -> Any:
    """moto's own ``owner.name``, as it was before any patch (raw: a function, not a bound method)."""
    slot = (owner, name)
    if slot not in _moto_attributes:
        _moto_attributes[slot] = owner.__dict__.get(name, _INHERITED)
    found = _moto_attributes[slot]
    if found is _INHERITED:
        return next(klass.__dict__[name] for klass in owner.__mro__[1:] if name in klass.__dict__)
    return found


def installed() -> frozenset[str]:
    return _installed


def install(*names: str) -> None:
    _install_exactly(_installed | set(names))


def uninstall(*names: str) -> None:
    _install_exactly(_installed - set(names))


@contextmanager
def only(names: Iterable[str]) -> Iterator[None]:
    """Exactly these patches for the duration (tests prove each patch needed this way)."""
    before = _installed
    _install_exactly(frozenset(names))
    try:
        yield
    finally:
        _install_exactly(before)


def without(*names: str) -> AbstractContextManager[None]:
    return only(_installed - set(names))


def make_moto_faithful() -> None:
    """Install every patch (again: nothing changes), and contention if the environment asks for it."""
    from localdev.moto_contention import configure_from_environment

    _install_exactly(frozenset(patch.name for patch in all_patches()))
    configure_from_environment()


def _install_exactly(names: frozenset[str]) -> None:
    global _installed
    patches = all_patches()
    unknown = names - {patch.name for patch in patches}
    if unknown:
        raise ValueError(f"no such moto patch: {sorted(unknown)}")
    with _registry:
        if names == _installed:
            return
        composed: dict[tuple[type, str], Any] = {}
        for patch in patches:
            for replacement in patch.replacements:
                slot = (replacement.owner, replacement.name)
                below = composed.get(slot, moto_attribute(*slot))
                composed[slot] = replacement.make(below) if patch.name in names else below
        for owner, name in composed:
            if owner.__dict__.get(name, _INHERITED) is not _ours.get((owner, name), _moto_attributes[(owner, name)]):
                raise RuntimeError(f"{owner.__name__}.{name} was replaced outside localdev.moto_fidelity")
        for (owner, name), value in composed.items():
            if _moto_attributes[(owner, name)] is _INHERITED and value is moto_attribute(owner, name):
                if name in owner.__dict__:
                    delattr(owner, name)
            else:
                setattr(owner, name, value)
            _ours[(owner, name)] = owner.__dict__.get(name, _INHERITED)
        _installed = names
