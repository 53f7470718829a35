"""Accounts: who owns them, their cash and their positions (spot holdings per symbol)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import ConfigDict, Field, computed_field

from orders_common.domain.settlement import average_cost
from orders_common.models.base import Model
from orders_common.models.numbers import ExactDecimal, UtcDateTime


class Position(Model):
    model_config = ConfigDict(frozen=True)

    symbol: str
    available_quantity: ExactDecimal
    reserved_quantity: ExactDecimal
    cost_basis: ExactDecimal

    @computed_field  # type: ignore[prop-decorator]
    @property
    def quantity(self) -> ExactDecimal:
        return self.available_quantity + self.reserved_quantity

    @computed_field  # type: ignore[prop-decorator]
    @property
    def average_cost(self) -> ExactDecimal | None:
        return average_cost(self.cost_basis, self.quantity)


class AccountSummary(Model):
    """An account without its positions (what a user's list of accounts shows)."""

    model_config = ConfigDict(frozen=True)

    account_id: int
    user_id: int
    name: str | None = None
    available_cash: ExactDecimal
    reserved_cash: ExactDecimal = Field(description="Cash held back by pending buys.")
    frozen: bool = Field(default=False, description="A frozen account takes no new orders and no withdrawals.")
    cancel_after: UtcDateTime | None = Field(
        default=None, description="Dead man's switch: every pending order is cancelled at this time unless re-armed."
    )
    realized_pnl: ExactDecimal = Field(
        default=Decimal(0),
        description="Sum of every sale's proceeds less the average cost of what it sold (commissions apart).",
    )
    fees_paid: ExactDecimal = Field(default=Decimal(0), description="Sum of every commission paid.")
    net_deposits: ExactDecimal | None = Field(
        default=None,
        description="Deposits less withdrawals, as the ledger sums them; null for an account opened before "
        "this figure was kept.",
    )
    created_at: UtcDateTime
    updated_at: UtcDateTime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cash(self) -> ExactDecimal:
        return self.available_cash + self.reserved_cash


class Account(AccountSummary):
    positions: tuple[Position, ...] = ()
