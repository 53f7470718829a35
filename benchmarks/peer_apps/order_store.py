"""The peers' DynamoDB access: one GetItem (strongly consistent, as the project's) and one PutItem."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_client = boto3.client("dynamodb")
_table = os.environ["TABLE_NAME"]
_deserializer = TypeDeserializer()
_serializer = TypeSerializer()


def get_order(order_id: int) -> dict[str, Any] | None:
    found = _client.get_item(TableName=_table, Key={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}},
                             ConsistentRead=True).get("Item")  # fmt: skip
    if found is None:
        return None
    return {name: _deserializer.deserialize(value) for name, value in found.items() if name not in ("pk", "sk")}


def put_order(order: dict[str, Any]) -> None:
    item = {name: _serializer.serialize(value) for name, value in order.items() if value is not None}
    item.update(pk={"S": f"ORDER#{order['id']}"}, sk={"S": "ORDER"})
    _client.put_item(TableName=_table, Item=item, ConditionExpression="attribute_not_exists(pk)")


def number(value: Decimal) -> int | float:
    """A Decimal for ``json.dumps``."""
    return int(value) if value == value.to_integral_value() else float(value)
