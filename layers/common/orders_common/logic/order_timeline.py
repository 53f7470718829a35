"""What a change of an order was, as the events of its timeline: pure, so the store and its fakes
write the same events for the same change."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from orders_common.models.numbers import format_utc
from orders_common.models.order import Order, OrderStatus
from orders_common.models.order_event import FieldChange, OrderEvent, OrderEventKind

if TYPE_CHECKING:
    from orders_common.logic.ports.values import OpenOrder
    from orders_common.origin import Origin

# Bookkeeping of every change, not a change of its own; and what follows from the fields that changed
# (the order after the event carries them).
_NOT_CHANGES = frozenset({"version", "updated_at", "remaining_quantity", "average_fill_price"})
_TRIGGER_FIELDS = frozenset({"triggered_at", "trail_mark", "stop_price"})

_BY_STATUS = {
    OrderStatus.EXECUTING: OrderEventKind.CLAIMED,
    OrderStatus.PARTIALLY_FILLED: OrderEventKind.PARTIALLY_FILLED,
    OrderStatus.FILLED: OrderEventKind.FILLED,
    OrderStatus.CANCELLED: OrderEventKind.CANCELLED,
    OrderStatus.REJECTED: OrderEventKind.REJECTED,
    OrderStatus.EXPIRED: OrderEventKind.EXPIRED,
}


def event_id(order_id: int, version: int, number: int) -> str:
    """Stable across retries and deliveries: a change applies once, at one version."""
    return f"{order_id}-{version}-{number}"


def event_kinds(before: Order | None, after: Order, origin: Origin) -> list[OrderEventKind]:
    """What a change from ``before`` to ``after`` was, in the order it happened."""
    if before is None:
        return [OrderEventKind.CREATED]
    kinds = [OrderEventKind.TRIGGERED] if before.triggers_now else []
    if origin.reconciling:
        kinds.append(OrderEventKind.RECONCILED)
    if after.filled_quantity > before.filled_quantity:
        kinds.append(OrderEventKind.FILLED if after.status is OrderStatus.FILLED else OrderEventKind.PARTIALLY_FILLED)
    elif before.status is OrderStatus.EXECUTING and after.is_open:
        accepted = after.exchange_order_id is not None and before.exchange_order_id is None
        kinds.append(OrderEventKind.ACCEPTED if accepted else OrderEventKind.RELEASED)
    elif after.status is not before.status:
        kinds.append(_BY_STATUS[after.status])
    elif not kinds:
        kinds.append(OrderEventKind.AMENDED)
    return kinds


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, FieldChange]:
    return {
        name: FieldChange(before=before.get(name), after=value)
        for name, value in after.items()
        if name not in _NOT_CHANGES and before.get(name) != value
    }


def events_of_change(before: Order | None, after: Order, origin: Origin) -> list[OrderEvent]:
    """The events of changing ``before`` (None: creating it) into ``after``."""
    changes: dict[str, FieldChange] = {}
    if before is not None:  # a creation changes no field: the order it makes travels with its event
        was = as_shown(before)
        if before.triggers_now:  # the order read had not triggered: the attempt set triggered_at
            was["triggered_at"] = None
        changes = changed_fields(was, as_shown(after))
    kinds = event_kinds(before, after, origin)
    return [
        _event(after.id, after.account_id, after.user_id, after.version, number, kind, after.updated_at, origin,
               _share(changes, kinds, kind))
        for number, kind in enumerate(kinds, start=1)
    ]  # fmt: skip


def event_of_bulk_cancel(order: OpenOrder, at: datetime, origin: Origin) -> OrderEvent:
    """Cancelling ``order`` among others, from what the account's pending index told of it."""
    changes = {
        "status": FieldChange(before=order.status.value, after=OrderStatus.CANCELLED.value),
        "cancelled_at": FieldChange(before=None, after=format_utc(at)),
    }
    for name, held in (("reserved_cash", order.reserved_cash), ("reserved_quantity", order.reserved_quantity)):
        if held:
            changes[name] = FieldChange(before=held, after=Decimal(0))
    kind = OrderEventKind.CANCELLED
    return _event(order.id, order.account_id, order.user_id, order.version + 1, 1, kind, at, origin, changes)


def as_shown(order: Order) -> dict[str, Any]:
    """The order's fields as the API writes them: amounts exact JSON numbers, times ISO 8601 UTC."""
    return {name: _plain(value) for name, value in order.model_dump(by_alias=True).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _share(
    changes: dict[str, FieldChange], kinds: list[OrderEventKind], kind: OrderEventKind
) -> dict[str, FieldChange]:
    """A change's fields among its events: a trigger's own fields to it, the rest to the event that
    ends the change (a fill, a claim); a reconciliation only announces what follows it."""
    if kind is kinds[-1]:
        if OrderEventKind.TRIGGERED in kinds[:-1]:
            return {name: change for name, change in changes.items() if name not in _TRIGGER_FIELDS}
        return changes
    if kind is OrderEventKind.TRIGGERED:
        return {name: change for name, change in changes.items() if name in _TRIGGER_FIELDS}
    return {}


def _event(
    order_id: int,
    account_id: int,
    user_id: int,
    version: int,
    number: int,
    kind: OrderEventKind,
    at: datetime,
    origin: Origin,
    changes: dict[str, FieldChange],
) -> OrderEvent:
    return OrderEvent(
        event_id=event_id(order_id, version, number),
        kind=kind,
        order_id=order_id,
        account_id=account_id,
        user_id=user_id,
        order_version=version,
        at=at,
        actor=origin.actor,
        request_id=origin.request_id,
        changes=changes,
    )
