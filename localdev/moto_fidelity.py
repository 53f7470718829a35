"""Make moto's DynamoDB keep two promises real DynamoDB keeps and moto's in-memory model does not.

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
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

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


def make_moto_faithful() -> None:
    for name in _OPERATIONS:
        operation = getattr(DynamoDBBackend, name)
        if not getattr(operation, "faithful", False):
            setattr(DynamoDBBackend, name, _serialized(operation))
    if not getattr(DynamoType.__add__, "faithful", False):
        DynamoType.__add__ = _decimal_arithmetic(DynamoType.__add__, Decimal.__add__)  # type: ignore[method-assign]
        DynamoType.__sub__ = _decimal_arithmetic(DynamoType.__sub__, Decimal.__sub__)  # type: ignore[method-assign]
