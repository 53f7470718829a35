"""Idempotency-Key records as items: written by the transaction of what they protect, so a change and
its record exist together or not at all; removed by the table's TTL on ``expiration``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.logic.ports.values import IdempotencyRecord

if TYPE_CHECKING:
    from orders_common.dal.transaction import Transaction


def add_record(transaction: Transaction, record: IdempotencyRecord, *, now: int) -> None:
    """Put the key's record, unless a live one is there (an expired one TTL has not removed yet no
    longer counts): the transaction is then refused, naming ``idempotency``."""
    transaction.put(
        "idempotency",
        record_to_item(record),
        condition="attribute_not_exists(pk) OR expiration < :now",
        values={":now": now},
    )


def record_to_item(record: IdempotencyRecord) -> dict[str, Any]:
    item: dict[str, Any] = {
        **keys.idempotency_key(record.scope, record.key),
        "entity": "idempotency_key",
        "scope": record.scope,
        "key": record.key,
        "request_hash": record.request_hash,
        "result_id": record.result_id,
        "expiration": record.expires_at,
    }
    if record.response is not None:
        item["response"] = record.response
    return item


def record_from_item(item: dict[str, Any]) -> IdempotencyRecord:
    return IdempotencyRecord(
        scope=str(item.get("scope", "")),
        key=str(item.get("key", "")),
        request_hash=str(item.get("request_hash", "")),
        result_id=int(item.get("result_id", 0)),
        expires_at=int(item.get("expiration", 0)),
        response=str(item["response"]) if item.get("response") is not None else None,
    )
