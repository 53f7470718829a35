"""Inject DynamoDB faults at the (moto) service: the request reaches the fake DynamoDB, which answers
with the error the real one would send and applies nothing. The client's own retry logic runs as in
production, and every attempt that reaches the service is counted."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from moto.dynamodb.exceptions import DynamodbException, TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend

ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"


def service_error(code: str, status: int = 400) -> Callable[[], Exception]:
    def make() -> Exception:
        error = DynamodbException(ERROR_PREFIX + code, message=f"injected {code}")
        error.code = status
        return error

    return make


def transaction_conflict(items: int) -> Callable[[], Exception]:
    return lambda: TransactionCanceledException(
        [("TransactionConflict", "injected conflict", None)] + [(None, None, None)] * (items - 1)
    )


@dataclass
class Fault:
    error: Callable[[], Exception]
    times: int | None = None  # None: every call
    attempts: int = 0

    def hit(self) -> bool:
        self.attempts += 1
        return self.times is None or self.attempts <= self.times


def inject(monkeypatch: pytest.MonkeyPatch, operation: str, fault: Fault) -> Fault:
    """Make the fake DynamoDB fail ``operation`` (e.g. ``transact_write_items``) as ``fault`` says."""
    original = getattr(DynamoDBBackend, operation)

    def failing(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        if fault.hit():
            raise fault.error()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, operation, failing)
    return fault


def inject_after(monkeypatch: pytest.MonkeyPatch, operation: str, fault: Fault) -> Fault:
    """Apply ``operation`` and then fail it as ``fault`` says, whatever it answered: the write is done
    (or refused), the caller is told it failed (a response lost on the way back)."""
    original = getattr(DynamoDBBackend, operation)

    def applied_then_failing(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, *args, **kwargs)
        finally:
            if fault.hit():
                raise fault.error()

    monkeypatch.setattr(DynamoDBBackend, operation, applied_then_failing)
    return fault


def cancellation(reason: str, items: int) -> Callable[[], Exception]:
    """A transaction cancelled for ``reason`` on its first item (``ValidationError``: a number out of
    range, an item too large; permanent, unlike ``TransactionConflict``)."""
    return lambda: TransactionCanceledException(
        [(reason, f"injected {reason}", None)] + [(None, None, None)] * (items - 1)
    )


def slow(seconds: float, then: Callable[[], Exception]) -> Callable[[], Exception]:
    """A store that takes ``seconds`` to answer with ``then``."""

    def wait_then_fail() -> Exception:
        time.sleep(seconds)
        return then()

    return wait_then_fail
