"""Lambda's DynamoDB stream event source, emulated on moto's stream of the table.

``StreamReader`` reads the stream from the template's ``StartingPosition`` on, keeps the records that
pass the event's ``FilterCriteria`` (as Lambda filters: the rest are never delivered) and builds the
event Lambda delivers. ``StreamPoller`` invokes the function with batches of ``BatchSize`` and, as
Lambda does with ``ReportBatchItemFailures``, delivers again from the first record the function
reported failed, at most ``MaximumRetryAttempts`` times; then it sends Lambda's failure record (the
batch's shard and sequence numbers, not the records) to the ``OnFailure`` queue and goes on.

moto answers TransactWriteItems with a stream record per written item, as DynamoDB does
(``tests/integration/test_order_event_publishing.py`` pins it). botocore sends stream requests for an
ARN naming an account to an account endpoint (``<account>.streams-ddb...``) that moto does not serve,
so the reader's client uses the regional endpoint (``account_id_endpoint_mode="disabled"``).
"""

from __future__ import annotations

import base64
import json
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config

from localdev.functions import LocalFunction

_STREAMS_CONFIG = Config(account_id_endpoint_mode="disabled")


class UnsupportedPattern(ValueError):
    """A filter this emulation cannot evaluate faithfully: refused rather than guessed."""


def matches(pattern: Any, value: Any) -> bool:
    """Lambda's event filtering for the parts this stack uses: nested keys, exact values, ``prefix``."""
    if isinstance(pattern, Mapping):
        return isinstance(value, Mapping) and all(
            key in value and matches(sub, value[key]) for key, sub in pattern.items()
        )
    if isinstance(pattern, list):
        return any(_matches_rule(rule, value) for rule in pattern)
    raise UnsupportedPattern(f"a filter pattern's leaves must be lists, not {pattern!r}")


def _matches_rule(rule: Any, value: Any) -> bool:
    if isinstance(rule, Mapping):
        if set(rule) == {"prefix"}:
            return isinstance(value, str) and value.startswith(rule["prefix"])
        raise UnsupportedPattern(f"filter rule {rule!r} is not emulated")
    return bool(rule == value)


def lambda_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """A record of GetRecords as Lambda delivers it: JSON (times as epoch seconds) with the stream's ARN."""
    return {**_jsonable(record), "eventSourceARN": stream_arn}


def stream_event(records: Sequence[Mapping[str, Any]], stream_arn: str) -> dict[str, Any]:
    return {"Records": [lambda_record(record, stream_arn) for record in records]}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


@dataclass
class StreamReader:
    stream_arn: str
    patterns: list[Any] = field(default_factory=list)  # any one matching lets a record through
    starting_position: str = "TRIM_HORIZON"
    _iterator: str | None = None
    _client: Any = None

    @classmethod
    def for_event(cls, properties: Mapping[str, Any], stream_arn: str) -> StreamReader:
        filters = (properties.get("FilterCriteria") or {}).get("Filters", [])
        return cls(
            stream_arn,
            [json.loads(entry["Pattern"]) for entry in filters],
            properties.get("StartingPosition", "TRIM_HORIZON"),
        )

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("dynamodbstreams", config=_STREAMS_CONFIG)
        return self._client

    def read(self) -> list[dict[str, Any]]:
        """The records written since the last read that pass the filters, oldest first."""
        if self._iterator is None:
            shard = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"][0]
            self._iterator = self.client.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType=self.starting_position
            )["ShardIterator"]
        found: list[dict[str, Any]] = []
        while True:
            response = self.client.get_records(ShardIterator=self._iterator, Limit=1000)
            self._iterator = response["NextShardIterator"]
            found += response["Records"]
            if not response["Records"]:
                break
        return [record for record in found if self.passes(record)]

    def passes(self, record: Mapping[str, Any]) -> bool:
        return not self.patterns or any(matches(pattern, record) for pattern in self.patterns)


def _say(message: str) -> None:
    sys.stderr.write(f"{message}\n")


@dataclass
class StreamPoller:
    function: LocalFunction
    reader: StreamReader
    batch_size: int = 100
    max_retries: int = -1  # -1: until the record expires, as Lambda's default
    on_failure_queue_url: str | None = None
    interval: float = 0.05
    stop: threading.Event = field(default_factory=threading.Event)
    quiet: bool = False
    on_delivered: Callable[[int], None] = lambda count: None
    invocations: int = 0
    _waiting: list[dict[str, Any]] = field(default_factory=list)
    _attempts: int = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                if not self.poll_once():
                    self.stop.wait(self.interval)
            except Exception as error:
                _say(f"[stream] {self.function.spec.logical_id}: {error!r}")
                self.stop.wait(1)

    def poll_once(self) -> int:
        """Deliver what the stream holds, one batch at a time; returns how many records were settled."""
        self._waiting += self.reader.read()
        settled = 0
        while self._waiting and not self.stop.is_set():
            batch = self._waiting[: self.batch_size]
            failed_at = self._deliver(batch)
            if failed_at is not None and not (0 <= self.max_retries < self._attempts):
                # Lambda checkpoints before the first failed record and retries from it after a pause.
                del self._waiting[:failed_at]
                settled += failed_at
                break
            if failed_at is not None:
                self._give_up(batch[failed_at:])
            self._attempts = 0
            del self._waiting[: len(batch)]
            settled += len(batch)
        if settled:
            self.on_delivered(settled)
        return settled

    def _deliver(self, batch: list[dict[str, Any]]) -> int | None:
        """Index of the first record the function reported failed (all on an error), or None."""
        self.invocations += 1
        try:
            result = self.function.invoke(stream_event(batch, self.reader.stream_arn)) or {}
            failed = {failure["itemIdentifier"] for failure in result.get("batchItemFailures", [])}
        except Exception as error:
            _say(f"[stream] {self.function.spec.logical_id} raised {error!r}")
            failed = {record["dynamodb"]["SequenceNumber"] for record in batch}
        if not self.quiet:
            _say(f"[stream] {self.function.spec.logical_id}: {len(batch)} records, {len(failed)} failed")
        if not failed:
            return None
        self._attempts += 1
        return next(n for n, record in enumerate(batch) if record["dynamodb"]["SequenceNumber"] in failed)

    def _give_up(self, records: list[dict[str, Any]]) -> None:
        """Lambda's on-failure record: where the records are in the stream, not the records."""
        _say(f"[stream] {self.function.spec.logical_id}: {len(records)} records sent to the on-failure destination")
        if self.on_failure_queue_url is None:
            return
        sequence = [record["dynamodb"]["SequenceNumber"] for record in records]
        document = {
            "requestContext": {
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": self._attempts,
                "functionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{self.function.spec.logical_id}",
            },
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": "shardId-local",
                "startSequenceNumber": sequence[0],
                "endSequenceNumber": sequence[-1],
                "batchSize": len(records),
                "streamArn": self.reader.stream_arn,
            },
        }
        boto3.client("sqs").send_message(QueueUrl=self.on_failure_queue_url, MessageBody=json.dumps(document))
