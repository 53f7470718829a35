"""The peers' DynamoDB access, written as a user of boto3's client would: one GetItem (strongly
consistent, as the project's) for an order, and for a create what the contract asks of one: the order,
the cash it reserves taken from the owner's account (conditional on the owner, the account not frozen
and enough available), the ledger entry explaining that movement and the order's first event, in one
TransactWriteItems, as the project writes them (``tests/unit/test_peer_apps.py`` compares the items)."""

from __future__ import annotations

import json
import os
import secrets
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_client = boto3.client("dynamodb")
_table = os.environ["TABLE_NAME"]
_deserializer = TypeDeserializer()
_serializer = TypeSerializer()
PENDING_SHARDS = int(os.environ["PENDING_INDEX_SHARDS"])  # the template's


def get_order(order_id: int, user_id: int) -> dict[str, Any] | None:
    """The order, when it is the user's."""
    found = _client.get_item(TableName=_table, Key={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}},
                             ConsistentRead=True).get("Item")  # fmt: skip
    if found is None or found["user_id"]["N"] != str(user_id):
        return None
    return {name: _deserializer.deserialize(value) for name, value in found.items() if name not in ("pk", "sk")}


def insert_order(order: dict[str, Any], request_id: str) -> None:
    """The order (``reserved_cash`` set) and the movements it makes, in one transaction; its event names
    the caller and the request, as the project's do."""
    at, order_id, account_id = order["created_at"], order["id"], order["account_id"]
    index_sk = f"{at}#{order_id:020d}"
    reserved = order["reserved_cash"]
    stored = {name: value for name, value in order.items() if value is not None}
    item = {name: _serializer.serialize(value) for name, value in stored.items()}
    item.update(pk={"S": f"ORDER#{order_id}"}, sk={"S": "ORDER"}, entity={"S": "order"},
                by_account_pk={"S": f"ACCOUNT#{account_id}"}, by_account_sk={"S": index_sk},
                by_user_pk={"S": f"USER#{order['user_id']}"}, by_user_sk={"S": index_sk},
                pending_pk={"S": f"PENDING#{order_id % PENDING_SHARDS}"}, pending_sk={"S": index_sk},
                pending_account={"S": f"ACCOUNT#{account_id}"})  # fmt: skip
    entry_id = f"{at}#{secrets.token_hex(6)}#00"
    entry = {"pk": f"LEDGER#{account_id}", "sk": entry_id, "entity": "ledger", "entry_id": entry_id,
             "account_id": account_id, "type": "reserve", "asset": "cash", "amount": 0,
             "available_change": -reserved, "reserved_change": reserved, "order_id": order_id,
             "created_at": at}  # fmt: skip
    snapshot = json.dumps(stored, default=str, separators=(",", ":"))
    event = {"pk": f"ORDER#{order_id}", "sk": "EVENT#0000000001#01", "entity": "order_event",
             "event_id": f"{order_id}-1-1", "kind": "created", "order_id": order_id, "account_id": account_id,
             "user_id": order["user_id"], "order_version": 1, "at": at, "actor_kind": "user",
             "actor_user_id": order["user_id"], "request_id": request_id, "order": snapshot,
             "before": "{}"}  # fmt: skip
    new = {"TableName": _table, "ConditionExpression": "attribute_not_exists(pk)"}
    _client.transact_write_items(TransactItems=[
        {"Put": {**new, "Item": item}},
        {"Update": {
            "TableName": _table,
            "Key": {"pk": {"S": f"ACCOUNT#{account_id}"}, "sk": {"S": "ACCOUNT"}},
            "UpdateExpression": "SET updated_at = :at ADD available_cash :available, reserved_cash :reserved, "
                                "version :one",
            "ConditionExpression": "attribute_exists(pk) AND user_id = :owner AND (attribute_not_exists(frozen) "
                                   "OR frozen <> :frozen) AND available_cash >= :required",
            "ExpressionAttributeValues": {
                ":at": {"S": at}, ":available": {"N": str(-reserved)}, ":reserved": {"N": str(reserved)},
                ":one": {"N": "1"}, ":owner": {"N": str(order["user_id"])}, ":frozen": {"BOOL": True},
                ":required": {"N": str(reserved)},
            },
        }},
        {"Put": {**new, "Item": {name: _serializer.serialize(value) for name, value in entry.items()}}},
        {"Put": {**new, "Item": {name: _serializer.serialize(value) for name, value in event.items()}}},
    ])  # fmt: skip


def user_of(claims: dict[str, Any] | None) -> int | None:
    """The user the authorizer's verified claims name (every claim a string), None when they name none."""
    user_id = str((claims or {}).get("user_id", ""))
    return int(user_id) if user_id.isdigit() else None


def number(value: Decimal) -> int | float:
    """A Decimal for ``json.dumps``."""
    return int(value) if value == value.to_integral_value() else float(value)
