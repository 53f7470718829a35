"""Give moto's DynamoDB the atomicity real DynamoDB guarantees.

DynamoDB applies each write, including a condition and a whole transaction, atomically; moto's
in-memory backend checks a condition and then writes with no lock between, and rolls a failed
transaction back by restoring a copy of the whole table. Under concurrent requests (the concurrency
tests, ``make run`` with several clients) that would let two conditional writes both succeed or a
rollback erase another request's write: failures the real service cannot produce. Serializing the
backend's item operations with one lock removes them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

_LOCK = threading.RLock()
_OPERATIONS = ("get_item", "put_item", "update_item", "delete_item", "query", "scan", "transact_write_items")


def _serialized(operation: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(operation)
    def run(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return operation(*args, **kwargs)

    run.__dict__["serialized"] = True
    return run


def make_moto_dynamodb_atomic() -> None:
    for name in _OPERATIONS:
        operation = getattr(DynamoDBBackend, name)
        if not getattr(operation, "serialized", False):
            setattr(DynamoDBBackend, name, _serialized(operation))
