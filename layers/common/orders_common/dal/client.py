"""A thin layer over the low-level DynamoDB client: typed values in and out, SDK errors as domain errors,
and retries that end in time for the function to answer.

The low-level client (not ``boto3.resource``, nor boto3 itself: ``aws_clients``) keeps cold starts
short; values are typed as boto3's ``TypeSerializer`` / ``TypeDeserializer`` type them, numbers as exact
``Decimal`` (``dal.attributes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from orders_common.aws_clients import guarded_client
from orders_common.dal.attributes import deserialize, serialize
from orders_common.errors import StoreUnavailable
from orders_common.observability import logger
from orders_common.timing import back_off, seconds_left

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from orders_common.dal.transaction import Item, Transaction

# Standard retry mode backs off with jitter on throttling and transient faults (three attempts in all).
# Each attempt may take CONNECT + READ seconds at worst; an attempt is only started when that much time
# is left before the invocation's deadline (``timing.guard_attempts``), so a slow or throttled table
# answers 503 + Retry-After rather than a Lambda timeout.
CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 2.0
ATTEMPT_SECONDS = CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3},
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
    tcp_keepalive=True,
    # Requests are built by this module and tested; validating each against the API model again
    # costs CPU on every call (a third of a transaction's client-side time).
    parameter_validation=False,
)

# Transactions that collide on an item (two fills of one account) are tried again after a pause that
# grows and is jittered, so that colliding writers spread out: within an invocation for as long as its
# deadline allows (a busy account is worth waiting for), outside one this many times.
CONFLICT_ATTEMPTS = 10
CONFLICT_ATTEMPTS_WITH_DEADLINE = 100
CONFLICT_BACKOFF_BASE_SECONDS = 0.02
CONFLICT_BACKOFF_CAP_SECONDS = 0.5

# Cancellation reasons that say nothing about the request itself: another request held the item, or
# the table throttled. Anything else but a failed condition (ValidationError: an item too large, a
# number out of range) is permanent and never retried.
_RETRYABLE_CANCELLATIONS = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
)
_TRANSIENT_ERROR_CODES = frozenset(
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


class TransactionConflict(StoreUnavailable):
    """A transaction kept colliding with others on one of its items; it can be tried again later."""


class StoreRefusedRequest(Exception):
    """DynamoDB refused a request as invalid (not retryable, a fault of ours: it answers 500)."""


class ConditionFailed(Exception):
    """A conditional write found the item in another state; ``item`` is what it found (or None)."""

    def __init__(self, item: Item | None) -> None:
        super().__init__("condition failed")
        self.item = item


def create_client() -> DynamoDBClient:
    client: DynamoDBClient = guarded_client("dynamodb", CLIENT_CONFIG, ATTEMPT_SECONDS)
    return client


class DynamoTable:
    """One table, addressed with plain Python values."""

    def __init__(self, name: str, client: DynamoDBClient | None = None) -> None:
        self.name = name
        self.client = client or create_client()

    def get(self, key: Mapping[str, Any], *, consistent: bool = True, projection: str | None = None) -> Item | None:
        request: dict[str, Any] = {"TableName": self.name, "Key": serialize(key), "ConsistentRead": consistent}
        if projection:
            request["ProjectionExpression"] = projection
        found = self._call("get_item", request).get("Item")
        return deserialize(found) if found else None

    def query(self, **request: Any) -> tuple[list[Item], Item | None]:
        """One Query request; returns the items and the LastEvaluatedKey (deserialized) if any."""
        response = self._call("query", self._query_request(request))
        last_key = response.get("LastEvaluatedKey")
        return [deserialize(item) for item in response.get("Items", [])], deserialize(last_key) if last_key else None

    def count(self, **request: Any) -> int:
        """Count the items a query matches, following pages (a page reads at most 1 MB)."""
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
        return deserialize(self._call("update_item", request).get("Attributes", {}))

    def transact(self, transaction: Transaction) -> None:
        """Apply every operation or none. Raises ``TransactionRefused`` naming the items whose
        conditions failed; collisions with other transactions are tried again (see above)."""
        items = []
        for _, kind, body in transaction.operations:
            request = {**body, "TableName": self.name}
            for typed in ("Key", "Item", "ExpressionAttributeValues"):
                if typed in request:
                    request[typed] = serialize(request[typed])
            if "ConditionExpression" in request:
                request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
            items.append({kind: request})
        attempt = 1
        while True:
            try:
                self._call("transact_write_items", {"TransactItems": items}, names=transaction.names)
                return
            except TransactionConflict:
                # Nothing was applied: wait a little, longer each time, and try again while time allows.
                limit = CONFLICT_ATTEMPTS if seconds_left() is None else CONFLICT_ATTEMPTS_WITH_DEADLINE
                if attempt >= limit or not back_off(
                    attempt,
                    base=CONFLICT_BACKOFF_BASE_SECONDS,
                    cap=CONFLICT_BACKOFF_CAP_SECONDS,
                    then_needs=ATTEMPT_SECONDS,
                ):
                    raise
                attempt += 1

    def _call(self, operation: str, request: dict[str, Any], *, names: list[str] | None = None) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self.client, operation)(**request)
            return response
        except ClientError as error:
            raise translate(error, operation, names or []) from error
        except BotoCoreError as error:
            # Connection failures and timeouts, after the client's own retries.
            logger.warning("DynamoDB unreachable", operation=operation, error=str(error))
            raise StoreUnavailable("The order store is unreachable; try again shortly.") from error


def translate(error: ClientError, operation: str, names: list[str]) -> Exception:
    """The domain's view of a DynamoDB error (``names`` are a transaction's item names, in order)."""
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        found: dict[str, Any] | None = error.response.get("Item")  # type: ignore[assignment]
        return ConditionFailed(deserialize(found) if found else None)
    if code == "TransactionCanceledException":
        return _cancellation(error.response.get("CancellationReasons", []), operation, names)
    if code in _TRANSIENT_ERROR_CODES:
        logger.warning("DynamoDB throttled or failed", operation=operation, code=code)
        return StoreUnavailable("The order store is busy; try again shortly.")
    if code == "ResourceNotFoundException":
        logger.error("DynamoDB table missing", operation=operation)
        return StoreUnavailable("The order store is not available.")
    if code == "ValidationException":
        logger.error("DynamoDB refused a request", operation=operation, error=str(error))
        return StoreRefusedRequest(str(error))
    return error


def _cancellation(reasons: list[Any], operation: str, names: list[str]) -> Exception:
    codes = [None if reason.get("Code") in (None, "None") else str(reason.get("Code")) for reason in reasons]
    if any(code in _RETRYABLE_CANCELLATIONS for code in codes):
        logger.info("DynamoDB transaction collided", operation=operation, reasons=codes)
        return TransactionConflict("The order store is busy; try again shortly.")
    if any(code not in (None, "ConditionalCheckFailed") for code in codes):
        logger.error("DynamoDB refused a transaction", operation=operation, reasons=codes)
        return StoreRefusedRequest(f"transaction refused: {codes}")
    failed = {
        names[index] if index < len(names) else str(index): deserialize(reason["Item"]) if reason.get("Item") else None
        for index, (reason, code) in enumerate(zip(reasons, codes, strict=False))
        if code == "ConditionalCheckFailed"
    }
    from orders_common.dal.transaction import TransactionRefused  # here: a read-only function never loads it

    return TransactionRefused(failed)
