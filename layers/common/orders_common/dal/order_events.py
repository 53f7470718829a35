"""An order's timeline: the events of a change are items of the change's own transaction, in the
order's partition under its version (``EVENT#<version>#<n>``), so they are written exactly when the
change is, once, and read oldest first with one Query.

Each item keeps the order right after the event (JSON) when the writer has it: the publisher sends it
on without reading the order again, and the event keeps only what each changed field was before (what
it became is in the order): an event of a fill stays under 1 KB, one write unit. Bulk cancels hold only
what cancelling needs; their events carry no order but each change whole, and the publisher reads the
order, which a cancel leaves final.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.dal.mapping import order_snapshot
from orders_common.exact_json import dumps
from orders_common.logic.order_timeline import event_of_bulk_cancel, events_of_change
from orders_common.models.numbers import format_utc
from orders_common.origin import current_origin

if TYPE_CHECKING:
    from orders_common.dal.transaction import Transaction
    from orders_common.logic.ports.values import OpenOrder
    from orders_common.models.order import Order
    from orders_common.models.order_event import OrderEvent


def add_events(transaction: Transaction, before: Order | None, after: Order) -> None:
    """The events of changing ``before`` (None: creating it) into ``after``, as items of ``transaction``."""
    shown = order_snapshot(after)
    for event in events_of_change(before, after, current_origin()):
        _put(transaction, event, shown)


def add_bulk_cancel_event(transaction: Transaction, order: OpenOrder, at: datetime) -> None:
    _put(transaction, event_of_bulk_cancel(order, at, current_origin()), None)


def _put(transaction: Transaction, event: OrderEvent, order: str | None) -> None:
    number = int(event.event_id.rsplit("-", 1)[1])
    item: dict[str, Any] = {
        **keys.order_event_key(event.order_id, event.order_version, number),
        "entity": "order_event",
        "event_id": event.event_id,
        "kind": event.kind.value,
        "order_id": event.order_id,
        "account_id": event.account_id,
        "user_id": event.user_id,
        "order_version": event.order_version,
        "at": format_utc(event.at),
        "actor_kind": event.actor.kind.value,
    }
    if event.actor.user_id is not None:
        item["actor_user_id"] = event.actor.user_id
    if event.request_id is not None:
        item["request_id"] = event.request_id
    if order is not None:
        item["order"] = order
        item["before"] = _json({name: change.before for name, change in event.changes.items()})
    else:
        item["changes"] = _json({name: change.model_dump(by_alias=True) for name, change in event.changes.items()})
    transaction.put(f"event {event.event_id}", item, condition="attribute_not_exists(pk)")


def _json(value: Any) -> str:
    """Exact numbers (read back as Decimal), compact."""
    return dumps(value)
