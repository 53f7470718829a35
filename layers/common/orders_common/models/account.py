"""Accounts: who owns them, their cash and their positions (spot holdings per symbol)."""

from __future__ import annotations

from pydantic import ConfigDict, computed_field

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


class Account(Model):
    model_config = ConfigDict(frozen=True)

    account_id: int
    user_id: int
    available_cash: ExactDecimal
    reserved_cash: ExactDecimal
    positions: tuple[Position, ...] = ()
    created_at: UtcDateTime
    updated_at: UtcDateTime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cash(self) -> ExactDecimal:
        return self.available_cash + self.reserved_cash
