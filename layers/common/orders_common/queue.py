"""The execution queue: order ids handed to the executor Lambda through SQS."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from orders_common.aws_clients import guarded_client
from orders_common.batching import batched
from orders_common.concurrency import ContextThreadPool
from orders_common.errors import StoreUnavailable
from orders_common.models.messages import ExecutionMessage
from orders_common.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SQS_BATCH_LIMIT = 10
PARALLEL_REQUESTS = 8
FAILED_ENTRY_RETRIES = 3

_CLIENT_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=1, read_timeout=2)


class ExecutionQueue:
    """Sends ``{"order_id": N}`` messages, ten per request."""

    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self.queue_url = queue_url
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self) -> SQSClient:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = guarded_client("sqs", _CLIENT_CONFIG, 3.0)
        return self._client

    def send(self, order_ids: Iterable[int]) -> int:
        """Enqueue the ids, ten per request and several requests at a time; returns how many SQS
        accepted. Entries SQS refuses for a passing reason are sent again."""
        batches = list(batched(order_ids, SQS_BATCH_LIMIT))
        if len(batches) <= 1:
            return sum(self._send_batch(list(batch)) for batch in batches)
        with ContextThreadPool(max_workers=min(PARALLEL_REQUESTS, len(batches))) as pool:
            return sum(pool.map(lambda batch: self._send_batch(list(batch)), batches))

    def _send_batch(self, order_ids: list[int]) -> int:
        entries: dict[str, Any] = {
            str(order_id): {"Id": str(order_id), "MessageBody": ExecutionMessage(order_id=order_id).model_dump_json()}
            for order_id in order_ids
        }
        accepted = 0
        for _ in range(FAILED_ENTRY_RETRIES):
            try:
                response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=list(entries.values()))
            except (ClientError, BotoCoreError) as error:
                logger.warning("Execution queue unavailable", error=str(error))
                raise StoreUnavailable("The execution queue is unavailable; try again shortly.") from error
            accepted += len(response.get("Successful", []))
            failed = response.get("Failed", [])
            if not failed:
                return accepted
            if any(entry.get("SenderFault") for entry in failed):
                logger.error("Execution queue refused messages", failed=failed)
                break
            entries = {entry["Id"]: entries[entry["Id"]] for entry in failed}
        return accepted


class QueueDepthReader:
    """How many messages a queue holds (the execution DLQ, for health): one GetQueueAttributes."""

    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self.queue_url = queue_url
        self._client = client

    def approximate_messages(self) -> int:
        if self._client is None:
            self._client = guarded_client("sqs", _CLIENT_CONFIG, 3.0)
        try:
            response = self._client.get_queue_attributes(
                QueueUrl=self.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
            )
        except (ClientError, BotoCoreError) as error:
            logger.warning("Queue attributes unavailable", queue_url=self.queue_url, error=str(error))
            raise StoreUnavailable("The queue's depth could not be read.") from error
        return int(response.get("Attributes", {}).get("ApproximateNumberOfMessages", 0))
