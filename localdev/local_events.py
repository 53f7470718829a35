"""``/_local/events``: the last order events on the local stack's bus, as an integrator would receive
them (``id``, ``detail-type``, ``source``, ``time``, ``detail``), oldest first.

What is listed is read from the bus, not from the publisher: a rule of the local stack only (never in
template.yaml, nor in the OpenAPI document) sends every event of ``hyperoru.orders`` to a queue of its
own, which a thread reads into the last ``KEEP`` events.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3

from localdev.routing import HttpResponse
from localdev.server import LocalHandler
from orders_common.exact_json import dumps
from orders_common.logic.publish_events import EVENT_SOURCE

PATH = "/_local/events"
KEEP = 100
TAP_NAME = "hyperoru-local-event-tap"


@dataclass
class EventTap:
    queue_url: str
    keep: int = KEEP
    stop: threading.Event = field(default_factory=threading.Event)
    _events: deque[dict[str, Any]] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    @classmethod
    def on_bus(cls, bus_name: str, *, keep: int = KEEP) -> EventTap:
        sqs, events = boto3.client("sqs"), boto3.client("events")
        url = sqs.create_queue(QueueName=TAP_NAME)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name=TAP_NAME, EventBusName=bus_name, EventPattern=json.dumps({"source": [EVENT_SOURCE]}))
        events.put_targets(Rule=TAP_NAME, EventBusName=bus_name, Targets=[{"Id": "local-events", "Arn": arn}])
        return cls(url, keep)

    def poll_once(self, wait_seconds: int = 0) -> int:
        sqs = boto3.client("sqs")
        messages = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds)
        received = messages.get("Messages", [])
        with self._lock:
            for message in received:
                self._events.append(_shown(json.loads(message["Body"], parse_float=Decimal)))
            while len(self._events) > self.keep:
                self._events.popleft()
        for message in received:
            sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(received)

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._events)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="local-event-tap", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                self.poll_once(wait_seconds=1)
            except Exception as error:
                sys.stderr.write(f"[events] {error!r}\n")
                self.stop.wait(1)


def _shown(event: dict[str, Any]) -> dict[str, Any]:
    return {name: event.get(name) for name in ("id", "detail-type", "source", "time", "detail")}


def events_handler(tap: EventTap) -> LocalHandler:
    def handle(method: str, body: bytes | None) -> HttpResponse:
        if method != "GET":
            document = {"error": f"{PATH} answers GET.", "code": "METHOD_NOT_ALLOWED"}
            return HttpResponse(
                405, {"Content-Type": "application/json", "Allow": "GET"}, json.dumps(document).encode()
            )
        return HttpResponse(200, {"Content-Type": "application/json"}, dumps(tap.events()).encode())  # exact numbers

    return handle
