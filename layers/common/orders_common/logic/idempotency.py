"""Idempotency-Key records for the changes that take one: whose key it is, what it was used for, and
what a retry with it is answered."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from orders_common.errors import IdempotencyKeyReused
from orders_common.logic.ports.values import IdempotencyRecord

if TYPE_CHECKING:
    from orders_common.auth import Caller


def scope(caller: Caller, account_id: int) -> str:
    """Keys are the caller's own: two clients can never collide on one."""
    return f"user:{caller.user_id}" if caller.user_id is not None else f"account:{account_id}"


def request_hash(operation: str, payload: Any) -> str:
    canonical = json.dumps({"operation": operation, "request": payload}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_record(
    *,
    caller: Caller,
    account_id: int,
    key: str,
    operation: str,
    payload: Any,
    at: datetime,
    ttl_seconds: int,
    result_id: int = 0,
    response: str | None = None,
) -> IdempotencyRecord:
    return IdempotencyRecord(
        scope=scope(caller, account_id),
        key=key,
        request_hash=request_hash(operation, payload),
        result_id=result_id,
        expires_at=int(at.timestamp()) + ttl_seconds,
        response=response,
    )


def require_same_request(existing: IdempotencyRecord, attempted: IdempotencyRecord) -> None:
    if existing.request_hash != attempted.request_hash:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request; use a new key for a new request."
        )


def replayed_response(existing: IdempotencyRecord, attempted: IdempotencyRecord | None) -> str:
    """What the first request with this key answered, for a retry of the same request."""
    if attempted is None or existing.response is None:  # a change that takes a key always keeps its answer
        raise RuntimeError("an Idempotency-Key record without the answer it must give again")
    require_same_request(existing, attempted)
    return existing.response
