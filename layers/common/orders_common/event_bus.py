"""The stack's EventBridge bus: order events for integrators (source ``hyperoru.orders``, detail-type
the event's kind, detail the event and the order right after it, exact decimals as JSON numbers)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from orders_common.aws_clients import guarded_client
from orders_common.exact_json import dumps
from orders_common.logic.ports.events import EventNotPublished
from orders_common.logic.publish_events import EVENT_SOURCE

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

    from orders_common.models.published_event import PublishedOrderEvent

_CLIENT_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=1, read_timeout=2)


def event_detail(event: PublishedOrderEvent) -> str:
    """The ``detail`` JSON: the API's own form (exact numbers, ``Z`` times), field changes as from/to."""
    return dumps(event.model_dump(mode="python", by_alias=True))


def put_events_entry(event: PublishedOrderEvent, bus_name: str) -> dict[str, Any]:
    return {
        "Source": EVENT_SOURCE,
        "DetailType": event.kind.value,
        "Detail": event_detail(event),
        "EventBusName": bus_name,
        "Time": event.at,  # when it happened, not when it was published
    }


class EventBridgeBus:
    def __init__(self, bus_name: str, client: EventBridgeClient | None = None) -> None:
        self.bus_name = bus_name
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self) -> EventBridgeClient:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = guarded_client("events", _CLIENT_CONFIG, 3.0)
        return self._client

    def publish(self, event: PublishedOrderEvent) -> None:
        try:
            response = self.client.put_events(Entries=[put_events_entry(event, self.bus_name)])
        except (ClientError, BotoCoreError) as error:
            raise EventNotPublished(event.event_id, f"the bus is unavailable ({error})") from error
        # PutEvents answers 200 with failed entries: each entry says whether it was taken.
        (entry,) = response["Entries"]
        if response.get("FailedEntryCount", 0) or entry.get("ErrorCode") or not entry.get("EventId"):
            raise EventNotPublished(event.event_id, f"{entry.get('ErrorCode')}: {entry.get('ErrorMessage')}")
