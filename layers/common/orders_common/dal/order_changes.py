"""What every change of an order shares: it applies only to the order as it was read (its status and
its version), moves the version on, and says what it found when it was refused."""

from __future__ import annotations

from typing import Any

from orders_common.dal import keys
from orders_common.dal.transaction import Transaction, TransactionRefused
from orders_common.domain.money import ZERO
from orders_common.logic.ports.refusals import OrderStateChanged, OrderVersionChanged
from orders_common.models.numbers import format_utc
from orders_common.models.order import OPEN_STATUSES, Order

STATUS = {"#status": "status"}


def as_read(order: Order) -> tuple[str, dict[str, Any]]:
    """The condition that ``order`` is still as read, its values, and (``:next``) the version the change
    moves it to. Orders stored before versions existed have none: they are at version 1."""
    condition = "#status = :expected AND version = :version"
    if order.version == 1:
        condition = "#status = :expected AND (version = :version OR attribute_not_exists(version))"
    return condition, {":expected": order.status.value, ":version": order.version, ":next": order.version + 1}


def trigger_fields(order: Order) -> tuple[str, dict[str, Any]]:
    """``SET`` clauses recording that a trigger order triggered (in the change that trades it)."""
    if order.triggered_at is None:
        return "", {}
    clause = ", triggered_at = :triggered_at"
    values: dict[str, Any] = {":triggered_at": format_utc(order.triggered_at)}
    if order.trail_mark is not None:
        clause += ", trail_mark = :mark, stop_price = :stop"
        values.update({":mark": order.trail_mark, ":stop": order.stop_price})
    return clause, values


def leave_state(order: Order, expression: str, values: dict[str, Any]) -> Transaction:
    """Move an order out of its current state, only if it is still as read. Its reservation is
    settled or released in the same transaction, and it leaves the pending indexes."""
    triggered, trigger_values = trigger_fields(order)
    condition, read_values = as_read(order)
    return Transaction().update(
        "order",
        keys.order_key(order.id),
        f"{expression}{triggered}, version = :next, reserved_cash = :nothing, reserved_quantity = :nothing "
        "REMOVE pending_pk, pending_sk, pending_account",
        condition=condition,
        names=STATUS,
        values={**values, **trigger_values, **read_values, ":nothing": ZERO},
    )


def state_refusal(found: dict[str, Any] | None, order: Order) -> Exception:
    """What a refused change of ``order`` found: an order no longer open (or in another state), or one
    still open at another version (amended, partly filled meanwhile: read it again)."""
    found = found or {}
    status = str(found.get("status", "gone"))
    version = int(found.get("version", 0))
    still_open = order.is_open and status in {open_status.value for open_status in OPEN_STATUSES}
    if (status == order.status.value or still_open) and version != order.version:
        return OrderVersionChanged(version)
    return OrderStateChanged(status)


def raise_if_state_changed(refused: TransactionRefused, order: Order) -> None:
    if refused.refused("order"):
        raise state_refusal(refused.found("order"), order) from None
