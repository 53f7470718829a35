"""The asynchronous half of the stack, emulated: Lambda's SQS event source and EventBridge schedules.

- ``QueuePoller`` reads a queue the way Lambda's event source mapping does (batch size and batching
  window from the template), invokes the function with a real SQS event and deletes only the messages
  not reported in ``batchItemFailures``. Failed messages come back after the queue's visibility
  timeout; moto moves them to the dead-letter queue after the redrive policy's ``maxReceiveCount``.
- ``Schedule`` invokes a function with an EventBridge "Scheduled Event" at the template's rate.
- ``StreamPoller`` (``localdev.streams``) delivers the table's stream to its function as Lambda's
  DynamoDB event source mapping does (filters, batch size, partial failures, retries, on-failure queue).
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

from localdev.events import scheduled_event, sqs_event
from localdev.functions import LocalFunction
from localdev.streams import StreamPoller, StreamReader
from localdev.template import Resolver, Template

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> float:
    """Seconds between runs of an EventBridge ``rate(...)`` expression."""
    found = _RATE.match(expression.strip())
    if found is None:
        raise ValueError(f"only rate(...) schedules run locally, not {expression!r}")
    return int(found.group(1)) * _UNIT_SECONDS[found.group(2).rstrip("s")]


def _say(message: str) -> None:
    sys.stderr.write(f"{message}\n")


@dataclass
class QueuePoller:
    function: LocalFunction
    queue_url: str
    queue_arn: str
    batch_size: int = 10
    batching_window: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)
    quiet: bool = False
    invocations: int = 0

    def run(self) -> None:
        sqs = boto3.client("sqs")
        while not self.stop.is_set():
            try:
                messages = self._receive(sqs)
                if messages:
                    self._deliver(sqs, messages)
            except Exception as error:
                _say(f"[queue] {self.function.spec.logical_id}: {error!r}")
                self.stop.wait(1)

    def _receive(self, sqs: Any) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        window_ends = time.monotonic() + self.batching_window
        while len(messages) < self.batch_size and not self.stop.is_set():
            received = sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(10, self.batch_size - len(messages)),
                WaitTimeSeconds=1,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            messages += received
            if not received or time.monotonic() >= window_ends:
                break
        return messages

    def _deliver(self, sqs: Any, messages: list[dict[str, Any]]) -> None:
        self.invocations += 1
        try:
            result = self.function.invoke(sqs_event(messages, self.queue_arn)) or {}
            failed = {failure["itemIdentifier"] for failure in result.get("batchItemFailures", [])}
        except Exception as error:
            _say(f"[queue] {self.function.spec.logical_id} raised {error!r}")
            failed = {message["MessageId"] for message in messages}
        done = [message for message in messages if message["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)],
            )
        if not self.quiet:
            _say(f"[queue] {self.function.spec.logical_id}: {len(messages)} messages, {len(failed)} failed")


@dataclass
class Schedule:
    function: LocalFunction
    interval: float
    rule_arn: str
    stop: threading.Event = field(default_factory=threading.Event)
    quiet: bool = False
    runs: int = 0

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            self.runs += 1
            try:
                result = self.function.invoke(scheduled_event(self.rule_arn))
                if not self.quiet:
                    _say(f"[schedule] {self.function.spec.logical_id}: {result}")
            except Exception as error:
                _say(f"[schedule] {self.function.spec.logical_id} raised {error!r}")


@dataclass
class Pipeline:
    """Every SQS event source and schedule of the template, each on its own thread."""

    pollers: list[QueuePoller]
    schedules: list[Schedule]
    stop: threading.Event
    threads: list[threading.Thread] = field(default_factory=list)
    streams: list[StreamPoller] = field(default_factory=list)

    @classmethod
    def from_template(
        cls,
        template: Template,
        resolver: Resolver,
        functions: Mapping[str, LocalFunction],
        *,
        schedule_seconds: float | None = None,
        quiet: bool = False,
    ) -> Pipeline:
        stop = threading.Event()
        queue_urls = {
            arn: url
            for (logical_id, attribute), arn in resolver.attributes.items()
            if attribute == "Arn" and (url := resolver.refs.get(logical_id, "")).startswith("http")
        }
        pollers = []
        for spec, properties in template.events_of_type("SQS"):
            queue_arn = resolver.resolve(properties["Queue"])
            pollers.append(
                QueuePoller(
                    functions[spec.logical_id],
                    queue_url=queue_urls[queue_arn],
                    queue_arn=queue_arn,
                    batch_size=int(properties.get("BatchSize", 10)),
                    batching_window=float(properties.get("MaximumBatchingWindowInSeconds", 0)),
                    stop=stop,
                    quiet=quiet,
                )
            )
        schedules = []
        for spec, properties in template.events_of_type("Schedule"):
            if not resolver.resolve(properties.get("Enabled", True)):
                continue
            interval = schedule_seconds or rate_seconds(resolver.resolve(properties["Schedule"]))
            schedules.append(
                Schedule(
                    functions[spec.logical_id],
                    interval=interval,
                    rule_arn=f"arn:aws:events:us-east-1:123456789012:rule/{spec.logical_id}-schedule",
                    stop=stop,
                    quiet=quiet,
                )
            )
        streams = [
            stream_poller(functions[spec.logical_id], properties, resolver, queue_urls, stop=stop, quiet=quiet)
            for spec, properties in template.events_of_type("DynamoDB")
        ]
        return cls(pollers, schedules, stop, streams=streams)

    def start(self) -> None:
        workers: list[QueuePoller | Schedule | StreamPoller] = [*self.pollers, *self.schedules, *self.streams]
        for worker in workers:
            thread = threading.Thread(
                target=worker.run, name=f"pipeline-{worker.function.spec.logical_id}", daemon=True
            )
            thread.start()
            self.threads.append(thread)

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=5)

    def describe(self) -> list[str]:
        return (
            [
                f"SQS {p.queue_url.rsplit('/', 1)[-1]} -> {p.function.spec.logical_id} (batch {p.batch_size})"
                for p in self.pollers
            ]
            + [f"every {s.interval:g} s -> {s.function.spec.logical_id}" for s in self.schedules]
            + [
                f"DynamoDB stream {s.reader.stream_arn.split('/')[1]} -> {s.function.spec.logical_id} "
                f"(batch {s.batch_size})"
                for s in self.streams
            ]
        )


def stream_poller(
    function: LocalFunction,
    properties: Mapping[str, Any],
    resolver: Resolver,
    queue_urls: Mapping[str, str],
    *,
    stop: threading.Event,
    quiet: bool = False,
) -> StreamPoller:
    """A DynamoDB event of the template, as Lambda's event source mapping would run it."""
    on_failure = resolver.resolve(properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"))
    return StreamPoller(
        function,
        StreamReader.for_event(properties, resolver.resolve(properties["Stream"])),
        batch_size=int(properties.get("BatchSize", 100)),
        max_retries=int(properties.get("MaximumRetryAttempts", -1)),
        on_failure_queue_url=queue_urls.get(on_failure) if on_failure else None,
        stop=stop,
        quiet=quiet,
    )
