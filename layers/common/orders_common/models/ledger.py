"""The ledger: every movement of an account's cash and positions."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from orders_common.domain.ledger import CASH, EntryType, Movement, entry_id
from orders_common.models.base import Model
from orders_common.models.numbers import ExactDecimal, UtcDateTime, format_utc


class LedgerEntry(Model):
    model_config = ConfigDict(frozen=True)

    entry_id: str = Field(description="Unique within the account; entries sort by it in time order.")
    account_id: int
    type: EntryType
    asset: str = Field(description="cash, or the symbol of a position.")
    amount: ExactDecimal = Field(description="Change of the asset's holdings (signed).")
    available_change: ExactDecimal = Field(description="Part of the change to what is available.")
    reserved_change: ExactDecimal = Field(description="Part of the change to what pending orders hold back.")
    cost_basis_change: ExactDecimal | None = Field(default=None, description="Positions only.")
    realized_pnl: ExactDecimal | None = Field(
        default=None,
        description="A sale's position entry: its proceeds less the average cost of the units sold "
        "(commission not deducted: it is its own entry).",
    )
    order_id: int | None = None
    reference: str | None = None
    created_at: UtcDateTime

    @classmethod
    def of(
        cls,
        account_id: int,
        movements: list[Movement],
        *,
        at: datetime,
        tag: str,
        order_id: int | None = None,
        reference: str | None = None,
    ) -> list[LedgerEntry]:
        """The entries a change writes for its ``movements``."""
        stamp = format_utc(at)
        return [
            cls(
                entry_id=entry_id(stamp, tag, number),
                account_id=account_id,
                type=movement.type,
                asset=movement.asset,
                amount=movement.amount,
                available_change=movement.available,
                reserved_change=movement.reserved,
                cost_basis_change=None if movement.asset == CASH else movement.cost_basis,
                realized_pnl=movement.realized_pnl,
                order_id=order_id,
                reference=reference,
                created_at=at,
            )
            for number, movement in enumerate(movements)
        ]
