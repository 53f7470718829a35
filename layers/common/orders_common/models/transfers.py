"""What a transfer (deposit, withdrawal) or a position adjustment answers: its ledger entry and the
balance right after it. Apart from ``models.ledger``: every change of money writes a ledger entry,
and an order's changes need not load the account's models for it."""

from __future__ import annotations

from pydantic import computed_field

from orders_common.models.account import Position
from orders_common.models.base import Model
from orders_common.models.ledger import LedgerEntry
from orders_common.models.numbers import ExactDecimal


class CashBalances(Model):
    available_cash: ExactDecimal
    reserved_cash: ExactDecimal

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cash(self) -> ExactDecimal:
        return self.available_cash + self.reserved_cash


class TransferResult(Model):
    """A deposit's or withdrawal's answer: the entry, and the account's cash right after it."""

    entry: LedgerEntry
    balances: CashBalances


class AdjustmentResult(Model):
    """An adjustment's answer: the entry, and the position right after it."""

    entry: LedgerEntry
    position: Position
