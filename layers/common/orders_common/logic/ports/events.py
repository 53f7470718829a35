"""Ports of publishing order events: the stored events (as the table's stream carries them, and their
publication mark) and the bus integrators read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from orders_common.models.order import Order
    from orders_common.models.order_event import OrderEvent
    from orders_common.models.published_event import PublishedOrderEvent


@dataclass(frozen=True)
class StoredEvent:
    """An event item: the event, and the order right after it when its writer kept it (bulk cancels
    keep none)."""

    event: OrderEvent
    order: Order | None


class StoredEvents(Protocol):
    def from_image(self, image: Mapping[str, Any]) -> StoredEvent:
        """The event an item image of the table's stream holds (plain values, as Powertools gives them)."""

    def is_published(self, event: OrderEvent) -> bool:
        """Whether the event's item carries its publication mark (a consistent read)."""

    def mark_published(self, event: OrderEvent, at: datetime) -> None:
        """Mark the event's item published (once: a mark already there is left as it is)."""


class EventNotPublished(Exception):
    """The bus refused the event (a failed entry of PutEvents) or could not be reached."""

    def __init__(self, event_id: str, reason: str) -> None:
        super().__init__(f"event {event_id} was not published: {reason}")
        self.event_id = event_id
        self.reason = reason


class EventBus(Protocol):
    def publish(self, event: PublishedOrderEvent) -> None:
        """Put the event on the bus; raises ``EventNotPublished`` unless the bus took it."""
