"""Audit accounts: every balance must be what the ledger says (the sum of its entries), and what is
held back must be what the open orders hold.

- cash: the sum of the cash entries is ``available_cash + reserved_cash``; their available and reserved
  parts sum to each balance; ``reserved_cash`` is what the open buys reserve;
- each position: the same for quantity and cost basis; ``reserved_quantity`` is what the open sells
  reserve;
- the account's running figures: ``realized_pnl`` is the sum of the sales' realized P&L entries,
  ``fees_paid`` of the commissions, ``net_deposits`` of the deposits and withdrawals. Only for accounts
  that kept them from their opening (``net_deposits`` not null): older ones count from the upgrade on.

The account is read before and after the ledger: if anything moved in between, the audit reads again
(a movement and its entries commit together, so a stable account and its ledger always agree). Open
orders come from an index that can trail writes by a moment; a mismatch there is looked at again
before the scheduled audit reports it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from orders_common.domain.ledger import CASH, EntryType
from orders_common.domain.money import ZERO, add
from orders_common.errors import AccountNotFound
from orders_common.logic.ids import ACCOUNT_IDS
from orders_common.models.audit import AuditCheck, AuditReport, AuditRunResult, AuditStatus
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, Side
from orders_common.models.paging import OrderFilters, PageRequest
from orders_common.observability import count, logger

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.accounts import AccountReads, AuditLog, Cursors, IdCounters, LedgerReads
    from orders_common.logic.ports.orders import OrderReads
    from orders_common.models.account import Account
    from orders_common.models.ledger import LedgerEntry

READS = 3
OPEN = (OrderStatus.PENDING, OrderStatus.PARTIALLY_FILLED, OrderStatus.EXECUTING)


@dataclass
class _Sums:
    amount: Decimal = ZERO
    available: Decimal = ZERO
    reserved: Decimal = ZERO
    cost_basis: Decimal = ZERO

    def add(self, entry: LedgerEntry) -> None:
        self.amount = add(self.amount, entry.amount)
        self.available = add(self.available, entry.available_change)
        self.reserved = add(self.reserved, entry.reserved_change)
        self.cost_basis = add(self.cost_basis, entry.cost_basis_change or ZERO)


@dataclass
class _Figures:
    realized_pnl: Decimal = ZERO
    fees_paid: Decimal = ZERO
    net_deposits: Decimal = ZERO

    def add(self, entry: LedgerEntry) -> None:
        if entry.realized_pnl is not None:
            self.realized_pnl = add(self.realized_pnl, entry.realized_pnl)
        if entry.type is EntryType.COMMISSION:
            self.fees_paid = add(self.fees_paid, -entry.amount)
        elif entry.type in (EntryType.DEPOSIT, EntryType.WITHDRAWAL):
            self.net_deposits = add(self.net_deposits, entry.amount)


@dataclass
class _Held:
    cash: Decimal = ZERO
    quantities: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))


def compare(
    account: Account, entries: Iterable[LedgerEntry], open_orders: Iterable[Order]
) -> tuple[list[AuditCheck], int]:
    """The checks of one account (pure: what was read in, what matches out) and the entries counted."""
    sums: dict[str, _Sums] = defaultdict(_Sums)
    figures = _Figures()
    counted = 0
    for entry in entries:
        sums[entry.asset].add(entry)
        figures.add(entry)
        counted += 1
    held = _Held()
    for order in open_orders:
        if order.side is Side.BUY:
            held.cash = add(held.cash, order.reserved_cash)
        else:
            held.quantities[order.symbol] = add(held.quantities[order.symbol], order.reserved_quantity)
    cash = sums[CASH]
    checks = [
        _check("cash: ledger sum = cash", cash.amount, account.cash),
        _check("cash: ledger available = available_cash", cash.available, account.available_cash),
        _check("cash: ledger reserved = reserved_cash", cash.reserved, account.reserved_cash),
        _check("cash: reserved_cash = open buys' reservations", held.cash, account.reserved_cash),
    ]
    if account.net_deposits is not None:
        checks += [
            _check("ledger realized P&L = realized_pnl", figures.realized_pnl, account.realized_pnl),
            _check("ledger commissions = fees_paid", figures.fees_paid, account.fees_paid),
            _check("ledger deposits less withdrawals = net_deposits", figures.net_deposits, account.net_deposits),
        ]
    positions = {position.symbol: position for position in account.positions}
    for symbol in sorted(set(positions) | {asset for asset in sums if asset != CASH} | set(held.quantities)):
        moved = sums[symbol]
        position = positions.get(symbol)
        quantity = position.quantity if position else ZERO
        reserved = position.reserved_quantity if position else ZERO
        checks += [
            _check(f"{symbol}: ledger sum = quantity", moved.amount, quantity),
            _check(f"{symbol}: ledger reserved = reserved_quantity", moved.reserved, reserved),
            _check(
                f"{symbol}: ledger cost basis = cost_basis", moved.cost_basis, position.cost_basis if position else ZERO
            ),
            _check(f"{symbol}: reserved_quantity = open sells' reservations", held.quantities[symbol], reserved),
        ]
    return checks, counted


def _check(name: str, expected: Decimal, actual: Decimal) -> AuditCheck:
    return AuditCheck(name=name, expected=expected, actual=actual, matches=expected == actual)


@dataclass(frozen=True)
class AuditAccount:
    accounts: AccountReads
    ledger: LedgerReads
    orders: OrderReads

    def __call__(self, account_id: int, caller: Caller) -> AuditReport:
        caller.require_admin("Auditing accounts")
        return self.audit(account_id)

    def audit(self, account_id: int) -> AuditReport:
        for _ in range(READS):
            before = self.accounts.get_account(account_id)
            if before is None:
                raise AccountNotFound(account_id)
            checks, counted = compare(before, self.ledger.entries(account_id), self._open_orders(account_id))
            if self.accounts.get_account(account_id) == before:
                break  # nothing moved while the ledger was read
        mismatches = [check.name for check in checks if not check.matches]
        return AuditReport(
            account_id=account_id,
            checked_at=utc_now(),
            matches=not mismatches,
            entries=counted,
            checks=checks,
            mismatches=mismatches,
        )

    def _open_orders(self, account_id: int) -> list[Order]:
        found: list[Order] = []
        for status in OPEN:
            cursor: str | None = None
            while True:
                page = self.orders.list_account_orders(
                    account_id, PageRequest(limit=1000, after=cursor), OrderFilters(status=status)
                )
                found += page.items
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
        return found


Clock = Callable[[], float]
CURSOR = "AUDIT"
RECHECK_AFTER_SECONDS = 2.0


@dataclass(frozen=True)
class AuditEveryAccount:
    """The scheduled audit: every account in id order (ids run 1, 2, 3 ...: no scan), one at a time, so
    memory holds one account's figures; a run out of time saves where it stopped."""

    audit: AuditAccount
    ids: IdCounters
    cursors: Cursors
    log: AuditLog
    sleep: Callable[[float], None] = time.sleep

    def __call__(self, *, seconds: float, clock: Clock = time.monotonic) -> AuditRunResult:
        deadline = clock() + seconds
        resumed_from = self.cursors.get_cursor(CURSOR)
        first = int(resumed_from) + 1 if resumed_from else 1
        last = self.ids.current(ACCOUNT_IDS)
        checked, mismatched = 0, []
        account_id = first
        while account_id <= last and (account_id == first or clock() < deadline):  # at least one per run
            report = self._audit(account_id)
            checked += report is not None
            if report is not None and not report.matches:
                mismatched.append(account_id)
                logger.error("Audit mismatch", account_id=account_id, mismatches=report.mismatches,
                             checks=[c.model_dump(mode="json") for c in report.checks if not c.matches])  # fmt: skip
            account_id += 1
        complete = account_id > last
        self.cursors.put_cursor(CURSOR, None if complete else str(account_id - 1))
        count("AuditMismatches", len(mismatched))
        count("AccountsAudited", checked)
        self.log.save_status(
            AuditStatus(last_run_at=utc_now(), accounts_checked=checked, mismatches=len(mismatched), complete=complete)
        )
        logger.info("Audit run", accounts_checked=checked, mismatches=len(mismatched), complete=complete)
        return AuditRunResult(
            accounts_checked=checked,
            mismatches=len(mismatched),
            mismatched_accounts=mismatched[:100],
            complete=complete,
            resumed=resumed_from is not None,
        )

    def _audit(self, account_id: int) -> AuditReport | None:
        try:
            report = self.audit.audit(account_id)
            if not report.matches:
                # The open orders come from an index that may trail a fill by a moment: look again.
                self.sleep(RECHECK_AFTER_SECONDS)
                report = self.audit.audit(account_id)
        except AccountNotFound:
            return None  # an id whose account was never opened (a failed open)
        return report
