"""Idempotency-Key records as items: written in the transaction of what they protect (see
``order_writes.insert``), removed by the table's TTL on ``expiration``."""

from __future__ import annotations

from typing import Any

from orders_common.dal import keys
from orders_common.logic.ports import IdempotencyRecord


def record_to_item(record: IdempotencyRecord) -> dict[str, Any]:
    return {
        **keys.idempotency_key(record.scope, record.key),
        "entity": "idempotency_key",
        "scope": record.scope,
        "key": record.key,
        "request_hash": record.request_hash,
        "result_id": record.result_id,
        "expiration": record.expires_at,
    }


def record_from_item(item: dict[str, Any]) -> IdempotencyRecord:
    return IdempotencyRecord(
        scope=str(item.get("scope", "")),
        key=str(item.get("key", "")),
        request_hash=str(item.get("request_hash", "")),
        result_id=int(item.get("result_id", 0)),
        expires_at=int(item.get("expiration", 0)),
    )
