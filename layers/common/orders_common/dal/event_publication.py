"""Order events as the publisher sees them: decoded from the table stream's item image, and marked
published on their own item (``published_at``), the mark that lets a duplicated delivery be skipped."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.dal.client import ConditionFailed, DynamoTable
from orders_common.dal.order_event_reads import event_from_item, order_after
from orders_common.logic.ports.events import StoredEvent
from orders_common.models.numbers import format_utc

if TYPE_CHECKING:
    from orders_common.models.order_event import OrderEvent

PUBLISHED_AT = "published_at"


def event_key(event: OrderEvent) -> dict[str, str]:
    number = int(event.event_id.rsplit("-", 1)[1])
    return keys.order_event_key(event.order_id, event.order_version, number)


class DynamoStoredEvents:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def from_image(self, image: Mapping[str, Any]) -> StoredEvent:
        item = dict(image)
        return StoredEvent(event=event_from_item(item), order=order_after(item))

    def is_published(self, event: OrderEvent) -> bool:
        # Consistent: the mark a previous delivery wrote a moment ago must be seen.
        item = self.table.get(event_key(event), consistent=True, projection=PUBLISHED_AT)
        return bool(item and item.get(PUBLISHED_AT))

    def mark_published(self, event: OrderEvent, at: datetime) -> None:
        try:
            self.table.update(
                event_key(event),
                f"SET {PUBLISHED_AT} = :at",
                values={":at": format_utc(at)},
                # Only the event's own item, and only once: the first publication's time stays.
                condition=f"attribute_exists(pk) AND attribute_not_exists({PUBLISHED_AT})",
            )
        except ConditionFailed as refused:
            if refused.item is None:
                raise LookupError(f"event {event.event_id} has no item to mark") from None
