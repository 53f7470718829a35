"""What every fake change shares: one lock, balances moved by movements that become ledger entries,
Idempotency-Key records."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from orders_common.domain.ledger import CASH, Movement, performance, totals
from orders_common.domain.money import ZERO, add
from orders_common.logic.order_timeline import event_of_bulk_cancel, events_of_change
from orders_common.logic.ports.refusals import IdempotencyKeyTaken
from orders_common.logic.ports.values import IdempotencyRecord, OpenOrder
from orders_common.models.account import AccountSummary
from orders_common.models.audit import AuditStatus
from orders_common.models.fill import FillRecord
from orders_common.models.ledger import LedgerEntry
from orders_common.models.order import Order
from orders_common.models.order_event import OrderEvent
from orders_common.origin import current_origin


@dataclass
class _Holding:
    available: Decimal = ZERO
    reserved: Decimal = ZERO
    cost_basis: Decimal = ZERO
    version: int = 0


@dataclass
class _AccountState:
    summary: AccountSummary
    version: int = 0
    entries: list[LedgerEntry] = field(default_factory=list)


class StoreBase:
    """The state every part of the in-memory store shares."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.orders: dict[int, Order] = {}
        self.queued_at: dict[int, datetime] = {}
        self.accounts: dict[int, _AccountState] = {}
        self.positions: dict[tuple[int, str], _Holding] = {}
        self.client_order_ids: dict[tuple[int, str], int] = {}
        self.idempotency: dict[tuple[str, str], IdempotencyRecord] = {}
        self.counters: dict[str, int] = {}
        self.cursors: dict[str, str] = {}
        self.audit_status: AuditStatus | None = None
        self.schedule_run: datetime | None = None  # the process-all schedule's heartbeat
        self.switches: dict[int, datetime] = {}  # account id -> deadline
        self.fills: dict[int, list[FillRecord]] = {}  # order id -> its fill records, in order
        self.events: dict[int, list[OrderEvent]] = {}  # order id -> its timeline, oldest first
        self.calls: list[str] = []

    # The events of a change, with it (the caller holds the lock)

    def _keep(self, before: Order | None, after: Order) -> Order:
        """Store ``after`` with the events of the change from ``before``; the order as written."""
        self.events.setdefault(after.id, []).extend(events_of_change(before, after, current_origin()))
        written = after.as_written()
        self.orders[after.id] = written
        return written

    def _keep_bulk_cancel(self, order: OpenOrder, cancelled: Order) -> None:
        self.events.setdefault(order.id, []).append(event_of_bulk_cancel(order, cancelled.updated_at, current_origin()))
        self.orders[order.id] = cancelled

    # The movements of a change: balances and ledger entries together

    def _apply(
        self,
        account_id: int,
        movements: list[Movement],
        *,
        at: datetime,
        tag: str,
        order_id: int | None = None,
        reference: str | None = None,
    ) -> list[LedgerEntry]:
        state = self.accounts[account_id]
        for asset, moved in totals(movements).items():
            if asset == CASH:
                summary = state.summary
                figures = performance(movements)
                state.summary = summary.model_copy(
                    update={
                        "available_cash": add(summary.available_cash, moved.available),
                        "reserved_cash": add(summary.reserved_cash, moved.reserved),
                        "realized_pnl": add(summary.realized_pnl, figures.realized_pnl),
                        "fees_paid": add(summary.fees_paid, figures.fees_paid),
                        "net_deposits": (
                            None if summary.net_deposits is None else add(summary.net_deposits, figures.net_deposits)
                        ),
                        "updated_at": at,
                    }
                )
                state.version += 1
            else:
                held = self.positions.setdefault((account_id, asset), _Holding())
                held.available = add(held.available, moved.available)
                held.reserved = add(held.reserved, moved.reserved)
                held.cost_basis = add(held.cost_basis, moved.cost_basis)
                held.version += 1
        entries = LedgerEntry.of(account_id, movements, at=at, tag=tag, order_id=order_id, reference=reference)
        state.entries += entries
        return entries

    def _claim_key(self, record: IdempotencyRecord | None, now: datetime) -> None:
        if record is None:
            return
        existing = self.idempotency.get((record.scope, record.key))
        if existing is not None and existing.expires_at >= int(now.timestamp()):
            raise IdempotencyKeyTaken(existing)

    def _keep_key(self, record: IdempotencyRecord | None) -> None:
        if record is not None:
            self.idempotency[(record.scope, record.key)] = record
