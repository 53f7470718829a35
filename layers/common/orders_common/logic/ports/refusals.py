"""Refusals: a conditional write found the world other than the use case expected; nothing changed.
Each says what the store found (no HTTP, no DynamoDB vocabulary); the use case decides what it means."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orders_common.logic.ports.values import IdempotencyRecord


class Refusal(Exception):
    pass


class OrderStateChanged(Refusal):
    """The order is no longer in the state the change started from (another execution, a cancel)."""

    def __init__(self, status: str) -> None:
        super().__init__(f"order is {status}")
        self.status = status


class OrderVersionChanged(Refusal):
    """The order is still in its state, but was changed (amended) since it was read."""

    def __init__(self, version: int) -> None:
        super().__init__(f"order is at version {version}")
        self.version = version


class AccountRefused(Refusal):
    """The account is missing (``owner`` None), belongs to another user, is frozen, or lacks the cash."""

    def __init__(
        self, owner: int | None, available_cash: Decimal | None, *, frozen: bool = False, version: int | None = None
    ) -> None:
        super().__init__("account refused the change")
        self.owner = owner
        self.available_cash = available_cash
        self.frozen = frozen
        self.version = version


class PositionRefused(Refusal):
    """The position is missing (``available_quantity`` None) or lacks the quantity (or cost basis)."""

    def __init__(
        self, available_quantity: Decimal | None, cost_basis: Decimal | None = None, *, version: int | None = None
    ) -> None:
        super().__init__("position refused the change")
        self.available_quantity = available_quantity
        self.cost_basis = cost_basis
        self.version = version


class ClientOrderIdTaken(Refusal):
    def __init__(self, order_id: int | None) -> None:
        super().__init__("client order id taken")
        self.order_id = order_id


class IdempotencyKeyTaken(Refusal):
    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("idempotency key taken")
        self.record = record


class FillUnaffordable(Refusal):
    """A buy's fill costs more than its reservation and the available cash together."""

    def __init__(self, available_cash: Decimal | None) -> None:
        super().__init__("fill not affordable")
        self.available_cash = available_cash


class PositionChanged(Refusal):
    """The position moved between the read a sale was priced from and its write."""
