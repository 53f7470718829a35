"""A thin layer over the low-level DynamoDB client: typed values in and out, SDK errors as domain errors.

The low-level client (not ``boto3.resource``) keeps cold starts short; ``TypeSerializer`` /
``TypeDeserializer`` keep numbers as exact ``Decimal``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from orders_common.errors import StoreUnavailable
from orders_common.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Item = dict[str, Any]

# Standard retry mode backs off with jitter on throttling and transient faults; three attempts in all
# keep a throttled request within a few seconds, well inside API Gateway's 30 s.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3},
    connect_timeout=2,
    read_timeout=5,
    tcp_keepalive=True,
    # Requests are built by this module and tested; validating each against the API model again
    # costs CPU on every call (a third of a transaction's client-side time).
    parameter_validation=False,
)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

TRANSIENT_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
        "TransactionInProgressException",
        "LimitExceededException",
    }
)


CONFLICT_ATTEMPTS = 4
CONFLICT_BACKOFF_SECONDS = 0.01


class TransactionConflict(StoreUnavailable):
    """A transaction was cancelled because another one held an item; it can be tried again."""


class ConditionFailed(Exception):
    """A conditional write found the item in another state; ``item`` is what it found (or None)."""

    def __init__(self, item: Item | None) -> None:
        super().__init__("condition failed")
        self.item = item


@dataclass
class TransactionCancelled(Exception):
    """A transaction was refused; ``reasons[i]`` tells why item ``i`` failed (``None`` when it did not)."""

    reasons: list[str | None]
    items: list[Item | None] = field(default_factory=list)

    def failed(self, index: int) -> bool:
        return self.reasons[index] == "ConditionalCheckFailed"


def serialize(value: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(attribute) for name, attribute in value.items()}


def deserialize(item: Mapping[str, Any]) -> Item:
    return {name: _deserializer.deserialize(attribute) for name, attribute in item.items()}


def create_client() -> DynamoDBClient:
    # Region and endpoint come from the standard AWS environment (AWS_REGION, AWS_ENDPOINT_URL...),
    # which is how `make run` and the tests point the functions at moto.
    return boto3.client("dynamodb", config=CLIENT_CONFIG)


class DynamoTable:
    """One table, addressed with plain Python values."""

    def __init__(self, name: str, client: DynamoDBClient | None = None) -> None:
        self.name = name
        self.client = client or create_client()

    def get(self, key: Mapping[str, Any], *, consistent: bool = True, projection: str | None = None) -> Item | None:
        request: dict[str, Any] = {"TableName": self.name, "Key": serialize(key), "ConsistentRead": consistent}
        if projection:
            request["ProjectionExpression"] = projection
        response = self._call("get_item", request)
        found = response.get("Item")
        return deserialize(found) if found else None

    def query(self, **request: Any) -> tuple[list[Item], Item | None]:
        """One Query request; returns the items and the LastEvaluatedKey (deserialized) if any."""
        response = self._call("query", self._query_request(request))
        last_key = response.get("LastEvaluatedKey")
        return [deserialize(item) for item in response.get("Items", [])], deserialize(last_key) if last_key else None

    def count(self, **request: Any) -> int:
        """Count the items a query matches, following pages (a page reads at most 1 MB of keys)."""
        total = 0
        page = self._query_request({**request, "Select": "COUNT"})
        while True:
            response = self._call("query", page)
            total += int(response.get("Count", 0))
            if not response.get("LastEvaluatedKey"):
                return total
            page["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _query_request(self, request: Mapping[str, Any]) -> dict[str, Any]:
        prepared = {name: value for name, value in request.items() if value is not None}
        prepared["TableName"] = self.name
        for typed in ("ExpressionAttributeValues", "ExclusiveStartKey"):
            if prepared.get(typed):
                prepared[typed] = serialize(prepared[typed])
        return prepared

    def update(
        self,
        key: Mapping[str, Any],
        expression: str,
        *,
        values: Mapping[str, Any] | None = None,
        names: Mapping[str, str] | None = None,
        condition: str | None = None,
        return_values: str = "NONE",
    ) -> Item:
        request: dict[str, Any] = {
            "TableName": self.name,
            "Key": serialize(key),
            "UpdateExpression": expression,
            "ReturnValues": return_values,
        }
        if values:
            request["ExpressionAttributeValues"] = serialize(values)
        if names:
            request["ExpressionAttributeNames"] = dict(names)
        if condition:
            request["ConditionExpression"] = condition
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        response = self._call("update_item", request)
        return deserialize(response.get("Attributes", {}))

    def put(self, item: Mapping[str, Any], *, condition: str | None = None) -> None:
        request: dict[str, Any] = {"TableName": self.name, "Item": serialize(item)}
        if condition:
            request["ConditionExpression"] = condition
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        self._call("put_item", request)

    def transact(self, operations: Sequence[Mapping[str, Any]]) -> None:
        """Apply all operations or none. Each operation is ``{"Put"|"Update"|"ConditionCheck": {...}}``
        with plain values; table name, serialization and failure reporting are filled in here."""
        items = []
        for operation in operations:
            ((kind, body),) = operation.items()
            body = {**body, "TableName": self.name}
            for typed in ("Key", "Item", "ExpressionAttributeValues"):
                if typed in body:
                    body[typed] = serialize(body[typed])
            if "ConditionExpression" in body:
                body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
            items.append({kind: body})
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                self._call("transact_write_items", {"TransactItems": items})
                return
            except TransactionConflict:
                # Another transaction held one of the items (say, two orders of one account filled at
                # once). Nothing was applied: try again shortly, a bounded number of times.
                if attempt == CONFLICT_ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, CONFLICT_BACKOFF_SECONDS * 2**attempt))  # noqa: S311 - jitter

    def _call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self.client, operation)(**request)
            return response
        except ClientError as error:
            raise _translate(error, operation) from error
        except BotoCoreError as error:
            # Connection failures and timeouts, after the client's own retries.
            logger.warning("DynamoDB unreachable", operation=operation, error=str(error))
            raise StoreUnavailable("The order store is unreachable; try again shortly.") from error


def _translate(error: ClientError, operation: str) -> Exception:
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        found: dict[str, Any] | None = error.response.get("Item")  # type: ignore[assignment]
        return ConditionFailed(deserialize(found) if found else None)
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons", [])
        codes: list[str | None] = [None if r.get("Code") in (None, "None") else r.get("Code") for r in reasons]
        if any(c not in (None, "ConditionalCheckFailed") for c in codes):
            # Cancelled by a conflict or throttling, not by our conditions: it may be tried again.
            logger.warning("DynamoDB transaction conflicted", operation=operation, reasons=codes)
            return TransactionConflict("The order store is busy; try again shortly.")
        items = [deserialize(r["Item"]) if r.get("Item") else None for r in reasons]
        return TransactionCancelled(reasons=codes, items=items)
    if code in TRANSIENT_ERROR_CODES:
        logger.warning("DynamoDB throttled or failed", operation=operation, code=code)
        return StoreUnavailable("The order store is busy; try again shortly.")
    if code == "ResourceNotFoundException":
        logger.error("DynamoDB table missing", operation=operation)
        return StoreUnavailable("The order store is not available.")
    return error
