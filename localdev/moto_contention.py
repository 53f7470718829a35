"""Contention: transactions on one item conflict as they do on DynamoDB. Off unless asked for.

moto answers one request at a time (``localdev.moto_fidelity`` even locks it so), so a transaction is
instantaneous there and two never meet: the service's handling of conflicts never runs locally, while
on AWS concurrent fills of one account's orders do conflict. With contention on, a TransactWriteItems
holds its items for a hold time, standing for the service-side duration of a transaction, without
holding moto's lock, so that other requests really overlap it. While its items are held:

- another TransactWriteItems that touches one of them is cancelled and applies nothing:
  ``TransactionCanceledException``, reason ``TransactionConflict`` for that item, ``None`` for the others;
- a PutItem, UpdateItem or DeleteItem of one of them fails with ``TransactionConflictException``;
- reads (GetItem, Query, Scan) are answered, with the items as they were until the transaction applies.

Not emulated: TransactGetItems and BatchWriteItem, which AWS also refuses on held items (the service
sends neither), and a transaction meeting a single write in progress (single writes take no time here).

From Python: ``with contention(hold_ms=10) as counts:`` (``counts.conflicts`` tells how many requests
it refused, so a test can prove that contention happened), or ``set_contention(10)``. From the
environment, for ``make run`` and the moto server: ``HYPERORU_MOTO_CONTENTION_MS=10``, or ``5-20`` for
a hold drawn from that range for each transaction, read by ``make_moto_faithful()``.
"""

from __future__ import annotations

import functools
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException, TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend

from localdev.moto_fidelity import CONTENTION, LOCK, Patch, Replacement, install, item_key, operation_key, target

ENVIRONMENT_VARIABLE = "HYPERORU_MOTO_CONTENTION_MS"
CONFLICT = "TransactionConflict"
ONGOING = "Transaction is ongoing for the item"  # AWS's message, in both errors

Hold = tuple[float, float]  # milliseconds: shortest, longest


class TransactionConflictException(DynamodbException):
    error_type = ERROR_TYPE_PREFIX + "TransactionConflictException"

    def __init__(self) -> None:
        super().__init__(self.error_type, message=ONGOING)


@dataclass
class ContentionCounts:
    held: int = 0  # transactions that held their items
    cancelled: int = 0  # transactions cancelled with TransactionConflict
    refused: int = 0  # single-item writes refused with TransactionConflictException

    @property
    def conflicts(self) -> int:
        return self.cancelled + self.refused


@dataclass
class _Mode:
    hold: Hold | None = None
    counts: ContentionCounts = field(default_factory=ContentionCounts)


_mode = _Mode()
_held: set[tuple[str, str]] = set()
_thread = threading.local()  # ``applying``: this thread applies a transaction, whose items it holds


def _hold(hold_ms: float | Hold | None) -> Hold | None:
    shortest, longest = hold_ms if isinstance(hold_ms, tuple) else (hold_ms or 0, hold_ms or 0)
    if not 0 <= shortest <= longest:
        raise ValueError(f"contention hold must be 0 or more milliseconds, shortest first: {hold_ms!r}")
    return (shortest, longest) if longest > 0 else None


def set_contention(hold_ms: float | Hold | None) -> ContentionCounts:
    """Contention on with this hold in milliseconds (a pair: each transaction's hold is drawn from
    that range), or off with ``None`` or 0. Counting starts again; the counts are returned."""
    hold = _hold(hold_ms)
    if hold is not None:
        install(CONTENTION)
    with LOCK:
        _mode.hold, _mode.counts = hold, ContentionCounts()
        return _mode.counts


def contention_counts() -> ContentionCounts:
    return _mode.counts


@contextmanager
def contention(hold_ms: float | Hold | None = 10) -> Iterator[ContentionCounts]:
    """Contention for the duration; the mode and counts from before come back afterwards."""
    before = (_mode.hold, _mode.counts)
    try:
        yield set_contention(hold_ms)
    finally:
        with LOCK:
            _mode.hold, _mode.counts = before


def parse_hold(text: str) -> Hold | None:
    """``10`` or ``5-20`` (milliseconds); ``0`` is off."""
    try:
        shortest, _, longest = text.strip().partition("-")
        return _hold((float(shortest), float(longest or shortest)))
    except ValueError:
        raise ValueError(f"{ENVIRONMENT_VARIABLE} must be milliseconds such as 10 or 5-20, not {text!r}") from None


def configure_from_environment(environ: Mapping[str, str] = os.environ) -> None:
    """Set the mode from the environment when the variable is there; leave it alone otherwise."""
    text = environ.get(ENVIRONMENT_VARIABLE)
    if text:
        set_contention(parse_hold(text))


def _applying() -> bool:
    return bool(getattr(_thread, "applying", False))


def _targets(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[tuple[str, str]] | None:
    """The items a transaction touches; None when it is malformed, which moto's validation answers."""
    found = []
    try:
        for entry in transact_items:
            ((kind, operation),) = entry.items()
            table = backend.get_table(operation["TableName"])
            found.append(target(operation["TableName"], operation_key(table, kind, operation)))
    except (ValueError, KeyError, TypeError, AttributeError, JsonRESTError):
        return None
    return found if len(set(found)) == len(found) else None


def _contended_transaction(transact: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(transact)
    def run(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Any:
        hold = _mode.hold
        targets = None if hold is None or _applying() else _targets(self, transact_items)
        if hold is None or targets is None:
            return transact(self, transact_items)
        with LOCK:
            busy = [item in _held for item in targets]
            if any(busy):
                _mode.counts.cancelled += 1
                reasons = [(CONFLICT, ONGOING, None) if taken else (None, None, None) for taken in busy]
                raise TransactionCanceledException(reasons)
            _held.update(targets)
            _mode.counts.held += 1
        try:
            time.sleep(random.uniform(*hold) / 1000)
            _thread.applying = True
            with LOCK:
                return transact(self, transact_items)
        finally:
            _thread.applying = False
            with LOCK:
                _held.difference_update(targets)

    return run


def _refused_while_held(
    write: Callable[..., Any], key_of: Callable[[Any, dict[str, Any]], dict[str, Any]]
) -> Callable[..., Any]:
    @functools.wraps(write)
    def run(self: DynamoDBBackend, table_name: str, key_or_item: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        if _mode.hold is None or _applying():
            return write(self, table_name, key_or_item, *args, **kwargs)
        with LOCK:
            try:
                item = target(table_name, key_of(self.get_table(table_name), key_or_item))
            except (KeyError, JsonRESTError):
                item = None  # moto's validation answers it
            if item in _held:
                _mode.counts.refused += 1
                raise TransactionConflictException()
            return write(self, table_name, key_or_item, *args, **kwargs)

    return run


def _the_key(_: Any, key: dict[str, Any]) -> dict[str, Any]:
    return key


CONTENTION_PATCH = Patch(
    CONTENTION,
    (
        Replacement(DynamoDBBackend, "transact_write_items", _contended_transaction),
        Replacement(DynamoDBBackend, "put_item", lambda write: _refused_while_held(write, item_key)),
        Replacement(DynamoDBBackend, "update_item", lambda write: _refused_while_held(write, _the_key)),
        Replacement(DynamoDBBackend, "delete_item", lambda write: _refused_while_held(write, _the_key)),
    ),
)
