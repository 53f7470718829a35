"""Every movement of cash or of a position, as the ledger records it: which balance, how much, why.

A movement changes an asset's holdings (``amount``) and says which part moves: ``available`` and
``reserved`` (their sum is the amount), plus for a position the cost basis. A reservation moves value
from available to reserved (amount 0); a fill moves value out of or into the account. The balance
items are changed by exactly the sum of a change's movements, in the transaction that records them:
the sum of an account's cash entries is its cash, for ever.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from orders_common.domain.money import ZERO, add

if TYPE_CHECKING:
    from orders_common.domain.settlement import BuySettlement, SellSettlement

CASH = "cash"


class EntryType(StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    ADJUSTMENT = "adjustment"
    RESERVE = "reserve"  # an order holds back what it needs
    RELEASE = "release"  # what an order held back is available again
    TRADE = "trade"  # a fill: cash out and position in, or the other way round
    COMMISSION = "commission"


class Movement(NamedTuple):
    type: EntryType
    asset: str  # "cash" or a symbol
    available: Decimal = ZERO
    reserved: Decimal = ZERO
    cost_basis: Decimal = ZERO
    realized_pnl: Decimal | None = None  # a sale's proceeds against the average cost of what it sold

    @property
    def amount(self) -> Decimal:
        """The change of the asset's holdings (available and reserved together)."""
        return add(self.available, self.reserved)


def new_tag() -> str:
    """A transaction's tag in its entries' ids: keeps two transactions of one microsecond apart."""
    return secrets.token_hex(6)


def entry_id(at: str, tag: str, number: int) -> str:
    """Sorts by time within the account; ``number`` orders a transaction's own entries."""
    return f"{at}#{tag}#{number:02d}"


def deposit(amount: Decimal) -> list[Movement]:
    return [Movement(EntryType.DEPOSIT, CASH, available=amount)]


def withdrawal(amount: Decimal) -> list[Movement]:
    return [Movement(EntryType.WITHDRAWAL, CASH, available=-amount)]


def adjustment(symbol: str, quantity: Decimal, cost_basis: Decimal) -> list[Movement]:
    return [Movement(EntryType.ADJUSTMENT, symbol, available=quantity, cost_basis=cost_basis)]


def reservation(*, asset: str, amount: Decimal) -> list[Movement]:
    """An order holds back ``amount`` of ``asset`` (cash for a buy, the symbol for a sell)."""
    if amount == 0:
        return []
    return [Movement(EntryType.RESERVE, asset, available=-amount, reserved=amount)]


def release(*, asset: str, amount: Decimal) -> list[Movement]:
    if amount == 0:
        return []
    return [Movement(EntryType.RELEASE, asset, available=amount, reserved=-amount)]


def buy_fill(symbol: str, quantity: Decimal, settlement: BuySettlement) -> list[Movement]:
    """The reservation comes back, the fill and its commission are paid, the position grows."""
    return [
        *release(asset=CASH, amount=settlement.released),
        Movement(EntryType.TRADE, CASH, available=-settlement.cost),
        *_commission(settlement.commission),
        Movement(EntryType.TRADE, symbol, available=quantity, cost_basis=settlement.cost),
    ]


def sell_fill(symbol: str, reserved_quantity: Decimal, settlement: SellSettlement) -> list[Movement]:
    """The reserved units leave with their share of the cost basis; proceeds in, commission out."""
    return [
        Movement(
            EntryType.TRADE,
            symbol,
            reserved=-reserved_quantity,
            cost_basis=-settlement.cost_relief,
            realized_pnl=settlement.realized_pnl,
        ),
        Movement(EntryType.TRADE, CASH, available=settlement.proceeds),
        *_commission(settlement.commission),
    ]


def _commission(commission: Decimal) -> list[Movement]:
    return [Movement(EntryType.COMMISSION, CASH, available=-commission)] if commission else []


class Totals(NamedTuple):
    available: Decimal = ZERO
    reserved: Decimal = ZERO
    cost_basis: Decimal = ZERO


def totals(movements: list[Movement]) -> dict[str, Totals]:
    """What the movements change, per asset."""
    found: dict[str, Totals] = {}
    for movement in movements:
        before = found.get(movement.asset, Totals())
        found[movement.asset] = Totals(
            add(before.available, movement.available),
            add(before.reserved, movement.reserved),
            add(before.cost_basis, movement.cost_basis),
        )
    return found


class Performance(NamedTuple):
    """What movements add to an account's running figures (kept on the account item beside its cash)."""

    realized_pnl: Decimal = ZERO
    fees_paid: Decimal = ZERO
    net_deposits: Decimal = ZERO

    @property
    def is_zero(self) -> bool:
        return self.realized_pnl == 0 and self.fees_paid == 0 and self.net_deposits == 0


def performance(movements: list[Movement]) -> Performance:
    """Realized P&L of sales, commissions paid, and deposits less withdrawals."""
    realized = fees = deposited = ZERO
    for movement in movements:
        if movement.realized_pnl is not None:
            realized = add(realized, movement.realized_pnl)
        if movement.type is EntryType.COMMISSION:
            fees = add(fees, -movement.available)
        elif movement.type in (EntryType.DEPOSIT, EntryType.WITHDRAWAL):
            deposited = add(deposited, movement.available)
    return Performance(realized, fees, deposited)
