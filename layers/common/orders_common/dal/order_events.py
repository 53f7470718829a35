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

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from orders_common.dal import keys
from orders_common.dal.mapping import order_snapshot
from orders_common.exact_json import dumps
from orders_common.logic.order_timeline import event_id, event_of_bulk_cancel, events_of_change
from orders_common.models.numbers import format_utc
from orders_common.models.order_event import OrderEventKind
from orders_common.origin import Origin, current_origin

if TYPE_CHECKING:
    from orders_common.dal.transaction import Transaction
    from orders_common.logic.ports.values import OpenOrder
    from orders_common.models.order import Order
    from orders_common.models.order_event import FieldChange, OrderEvent


def add_events(transaction: Transaction, before: Order | None, after: Order) -> None:
    """The events of changing ``before`` (None: creating it) into ``after``, as items of ``transaction``."""
    shown = order_snapshot(after)
    origin = current_origin()
    if before is None:
        # A creation has one event, changing no field: written from the order itself, without the
        # event model a change needs to work out its kinds and fields (``events_of_change``: a test
        # holds the two items equal).
        _add(transaction, _created(after, origin), shown)
        return
    for event in events_of_change(before, after, origin):
        _add(transaction, _described(event), shown)


def add_bulk_cancel_event(transaction: Transaction, order: OpenOrder, at: datetime) -> None:
    _add(transaction, _described(event_of_bulk_cancel(order, at, current_origin())), None)


def _created(order: Order, origin: Origin) -> _Event:
    actor = origin.actor
    return _Event(
        event_id=event_id(order.id, order.version, 1),
        number=1,
        kind=OrderEventKind.CREATED.value,
        order_id=order.id,
        account_id=order.account_id,
        user_id=order.user_id,
        order_version=order.version,
        at=order.updated_at,
        actor_kind=actor.kind.value,
        actor_user_id=actor.user_id,
        request_id=origin.request_id,
        changes={},
    )


def _described(event: OrderEvent) -> _Event:
    return _Event(
        event_id=event.event_id,
        number=int(event.event_id.rsplit("-", 1)[1]),
        kind=event.kind.value,
        order_id=event.order_id,
        account_id=event.account_id,
        user_id=event.user_id,
        order_version=event.order_version,
        at=event.at,
        actor_kind=event.actor.kind.value,
        actor_user_id=event.actor.user_id,
        request_id=event.request_id,
        changes=event.changes,
    )


class _Event(NamedTuple):
    """What an event item holds, from an event model or (a creation) from the order it made."""

    event_id: str
    number: int
    kind: str
    order_id: int
    account_id: int
    user_id: int
    order_version: int
    at: datetime
    actor_kind: str
    actor_user_id: int | None
    request_id: str | None
    changes: Mapping[str, FieldChange]


def _add(transaction: Transaction, event: _Event, order: str | None) -> None:
    item: dict[str, Any] = {
        **keys.order_event_key(event.order_id, event.order_version, event.number),
        "entity": "order_event",
        "event_id": event.event_id,
        "kind": event.kind,
        "order_id": event.order_id,
        "account_id": event.account_id,
        "user_id": event.user_id,
        "order_version": event.order_version,
        "at": format_utc(event.at),
        "actor_kind": event.actor_kind,
    }
    if event.actor_user_id is not None:
        item["actor_user_id"] = event.actor_user_id
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
