"""In-memory fakes of every port in ``orders_common.logic.ports``: the use cases run on them at unit
speed. ``tests/integration/test_store_contract.py`` holds them to the same answers and refusals as
the DynamoDB adapters, so a unit test on a fake says something about the real store.

Every change applies whole or not at all, under one lock: its conditions are checked first, then its
movements change the balances and become ledger entries, as the DynamoDB transactions do.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from orders_common.domain import ledger
from orders_common.domain.ledger import CASH, Movement, totals
from orders_common.domain.money import ZERO, add
from orders_common.domain.settlement import BuySettlement, SellSettlement
from orders_common.errors import ExchangeUnavailable, StoreUnavailable, UnknownSymbol
from orders_common.exchange.base import Decision, Fill
from orders_common.logic.ports import (
    AccountRefused,
    ClientOrderIdTaken,
    FillUnaffordable,
    HeldPosition,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    LedgerFilters,
    OrderStateChanged,
    OrderSummary,
    PositionChanged,
    PositionRefused,
)
from orders_common.models.account import Account, AccountSummary, Position
from orders_common.models.audit import AuditStatus
from orders_common.models.ledger import LedgerEntry
from orders_common.models.numbers import format_utc, utc_now
from orders_common.models.order import Order, OrderStatus, Side
from orders_common.models.paging import OrderFilters, Page, PageRequest


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


class InMemoryStore:
    """Orders, accounts, positions, their ledger, ids, cursors and Idempotency-Key records."""

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
        self.calls: list[str] = []

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
                state.summary = summary.model_copy(
                    update={
                        "available_cash": add(summary.available_cash, moved.available),
                        "reserved_cash": add(summary.reserved_cash, moved.reserved),
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

    # AccountReads / AccountChanges / AccountLists

    def get_account(self, account_id: int) -> Account | None:
        self.calls.append("get_account")
        with self._lock:
            state = self.accounts.get(account_id)
            if state is None:
                return None
            positions = tuple(
                Position(
                    symbol=symbol,
                    available_quantity=held.available,
                    reserved_quantity=held.reserved,
                    cost_basis=held.cost_basis,
                )
                for (owner_account, symbol), held in sorted(self.positions.items())
                if owner_account == account_id
            )
            return Account.model_validate({**state.summary.model_dump(), "positions": positions})

    def get_summary(self, account_id: int) -> tuple[AccountSummary, int] | None:
        with self._lock:
            state = self.accounts.get(account_id)
            return (state.summary, state.version) if state else None

    def get_owner(self, account_id: int) -> int | None:
        self.calls.append("get_owner")
        state = self.accounts.get(account_id)
        return state.summary.user_id if state else None

    def get_position(self, account_id: int, symbol: str) -> HeldPosition | None:
        self.calls.append("get_position")
        with self._lock:
            held = self.positions.get((account_id, symbol))
            if held is None:
                return None
            position = Position(
                symbol=symbol,
                available_quantity=held.available,
                reserved_quantity=held.reserved,
                cost_basis=held.cost_basis,
            )
            return HeldPosition(position=position, version=held.version)

    def list_user_accounts(self, user_id: int, page: PageRequest) -> Page[AccountSummary]:
        mine = sorted(
            (state.summary for state in self.accounts.values() if state.summary.user_id == user_id),
            key=lambda summary: (summary.created_at, summary.account_id),
        )
        if page.after is not None:
            mine = [s for s in mine if f"{format_utc(s.created_at)}#{s.account_id:020d}" > page.after]
        if len(mine) > page.limit:
            last = mine[page.limit - 1]
            return Page(mine[: page.limit], f"{format_utc(last.created_at)}#{last.account_id:020d}")
        return Page(mine)

    def open(
        self, account: AccountSummary, movements: list[Movement], *, tag: str, idempotency: IdempotencyRecord | None
    ) -> list[LedgerEntry]:
        with self._lock:
            self._claim_key(idempotency, account.created_at)
            if account.account_id in self.accounts:
                raise RuntimeError(f"account {account.account_id} exists")
            entries = LedgerEntry.of(
                account.account_id, movements, at=account.created_at, tag=tag, reference="account opened"
            )
            self.accounts[account.account_id] = _AccountState(account, entries=list(entries))
            self._keep_key(idempotency)
            return entries

    def move_cash(
        self,
        account_id: int,
        movements: list[Movement],
        *,
        version: int,
        at: datetime,
        tag: str,
        reference: str | None,
        idempotency: IdempotencyRecord | None,
        unless_frozen: bool,
    ) -> list[LedgerEntry]:
        with self._lock:
            self._claim_key(idempotency, at)
            state = self.accounts.get(account_id)
            change = sum((movement.available for movement in movements), start=ZERO)
            if (
                state is None
                or state.version != version
                or state.summary.available_cash + change < 0
                or (unless_frozen and state.summary.frozen)
            ):
                summary = state.summary if state else None
                raise AccountRefused(
                    summary.user_id if summary else None,
                    summary.available_cash if summary else None,
                    frozen=bool(summary and summary.frozen),
                    version=state.version if state else None,
                )
            entries = self._apply(account_id, movements, at=at, tag=tag, reference=reference)
            self._keep_key(idempotency)
            return entries

    def adjust(
        self,
        account_id: int,
        movements: list[Movement],
        *,
        position_version: int | None,
        at: datetime,
        tag: str,
        reference: str,
        idempotency: IdempotencyRecord | None,
    ) -> list[LedgerEntry]:
        with self._lock:
            self._claim_key(idempotency, at)
            if account_id not in self.accounts:
                raise AccountRefused(None, None)
            moved = movements[0]
            held = self.positions.get((account_id, moved.asset))
            if (held is None) != (position_version is None) or (
                held is not None
                and (
                    held.version != position_version
                    or add(held.available, moved.available) < 0
                    or add(held.cost_basis, moved.cost_basis) < 0
                )
            ):
                raise PositionRefused(
                    held.available if held else None,
                    held.cost_basis if held else None,
                    version=held.version if held else None,
                )
            entries = self._apply(account_id, movements, at=at, tag=tag, reference=reference)
            self._keep_key(idempotency)
            return entries

    def set_frozen(self, account_id: int, frozen: bool, at: datetime) -> AccountSummary | None:
        with self._lock:
            state = self.accounts.get(account_id)
            if state is None:
                return None
            state.summary = state.summary.model_copy(update={"frozen": frozen, "updated_at": at})
            return state.summary

    # LedgerReads

    def list_entries(self, account_id: int, page: PageRequest, filters: LedgerFilters) -> Page[LedgerEntry]:
        state = self.accounts.get(account_id)
        chosen = [
            entry
            for entry in sorted(state.entries if state else [], key=lambda e: e.entry_id, reverse=True)
            if (filters.type is None or entry.type is filters.type)
            and (filters.asset is None or entry.asset == filters.asset)
            and (filters.since is None or entry.entry_id >= format_utc(filters.since))
            and (filters.until is None or entry.entry_id < format_utc(filters.until))
            and (page.after is None or entry.entry_id < page.after)
        ]
        if len(chosen) > page.limit:
            return Page(chosen[: page.limit], chosen[page.limit - 1].entry_id)
        return Page(chosen)

    def entries(self, account_id: int, *, after: str | None = None) -> Iterator[LedgerEntry]:
        state = self.accounts.get(account_id)
        for entry in sorted(state.entries if state else [], key=lambda e: e.entry_id):
            if after is None or entry.entry_id > after:
                yield entry

    # OrderReads / PendingSummaries

    def get_order(self, order_id: int) -> Order | None:
        self.calls.append("get_order")
        return self.orders.get(order_id)

    def list_account_orders(self, account_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        return self._page([o for o in self.orders.values() if o.account_id == account_id], page, filters, newest=True)

    def list_user_orders(self, user_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        return self._page([o for o in self.orders.values() if o.user_id == user_id], page, filters, newest=True)

    def list_pending_orders(self, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        self.calls.append("list_pending_orders")
        pending = [o for o in self.orders.values() if o.status is OrderStatus.PENDING]
        return self._page(pending, page, filters, newest=False)

    def pending_summaries(self, page: PageRequest) -> Page[OrderSummary]:
        found = self._page(
            [o for o in self.orders.values() if o.status is OrderStatus.PENDING], page, OrderFilters(), newest=False
        )
        return Page([self._summary(order) for order in found.items], found.next_cursor)

    def executing_before(self, claimed_before: datetime) -> list[OrderSummary]:
        return [
            self._summary(order)
            for order in self.orders.values()
            if order.status is OrderStatus.EXECUTING and order.updated_at < claimed_before
        ]

    def count_pending(self) -> int:
        return sum(1 for order in self.orders.values() if order.status is OrderStatus.PENDING)

    def ping(self) -> None:
        return None

    def _summary(self, order: Order) -> OrderSummary:
        return OrderSummary(
            id=order.id,
            account_id=order.account_id,
            symbol=order.symbol,
            side=order.side.value,
            order_type=order.order_type.value,
            price=order.price,
            status=order.status,
            updated_at=order.updated_at,
            queued_at=self.queued_at.get(order.id),
        )

    @staticmethod
    def _page(orders: list[Order], page: PageRequest, filters: OrderFilters, *, newest: bool) -> Page[Order]:
        def position(order: Order) -> str:
            return f"{format_utc(order.created_at)}#{order.id:020d}"

        chosen = sorted(
            (
                o
                for o in orders
                if (filters.status is None or o.status is filters.status)
                and (filters.symbol is None or o.symbol == filters.symbol)
            ),
            key=position,
            reverse=newest,
        )
        if page.after is not None:
            chosen = [o for o in chosen if (position(o) < page.after if newest else position(o) > page.after)]
        if len(chosen) > page.limit:
            return Page(chosen[: page.limit], position(chosen[page.limit - 1]))
        return Page(chosen)

    # OrderInserts

    def insert(self, order: Order, *, idempotency: IdempotencyRecord | None = None) -> None:
        self.calls.append("insert")
        with self._lock:
            self._claim_key(idempotency, order.created_at)
            if order.client_order_id is not None and (order.account_id, order.client_order_id) in self.client_order_ids:
                raise ClientOrderIdTaken(self.client_order_ids[(order.account_id, order.client_order_id)])
            state = self.accounts.get(order.account_id)
            summary = state.summary if state else None
            short = order.side is Side.BUY and summary is not None and summary.available_cash < order.reserved_cash
            if summary is None or summary.user_id != order.user_id or summary.frozen or short:
                raise AccountRefused(
                    summary.user_id if summary else None,
                    summary.available_cash if summary else None,
                    frozen=bool(summary and summary.frozen),
                )
            if order.side is Side.BUY:
                movements = ledger.reservation(asset=CASH, amount=order.reserved_cash)
            else:
                held = self.positions.get((order.account_id, order.symbol))
                if held is None or held.available < order.reserved_quantity:
                    raise PositionRefused(held.available if held else None)
                movements = ledger.reservation(asset=order.symbol, amount=order.reserved_quantity)
            self._apply(order.account_id, movements, at=order.created_at, tag=ledger.new_tag(), order_id=order.id)
            self.orders[order.id] = order
            if order.client_order_id is not None:
                self.client_order_ids[(order.account_id, order.client_order_id)] = order.id
            self._keep_key(idempotency)

    # OrderTransitions

    def fill(
        self, order: Order, fill: Fill, settlement: BuySettlement | SellSettlement, *, position_version: int | None
    ) -> Order:
        self.calls.append("fill")
        with self._lock:
            self._require_state(order)
            summary = self.accounts[order.account_id].summary
            if isinstance(settlement, BuySettlement):
                if summary.reserved_cash < settlement.released or summary.available_cash < settlement.shortfall:
                    raise FillUnaffordable(summary.available_cash)
                movements = ledger.buy_fill(order.symbol, fill.quantity, settlement)
            else:
                held = self.positions.get((order.account_id, order.symbol))
                if held is None or held.version != position_version or held.reserved < order.reserved_quantity:
                    raise PositionChanged("position changed")
                if settlement.credit < 0 and summary.available_cash < -settlement.credit:
                    raise FillUnaffordable(summary.available_cash)
                movements = ledger.sell_fill(order.symbol, order.reserved_quantity, settlement)
            self._apply(order.account_id, movements, at=fill.executed_at, tag=ledger.new_tag(), order_id=order.id)
            filled = order.model_copy(
                update={
                    "status": OrderStatus.FILLED,
                    "filled_price": fill.price,
                    "filled_quantity": fill.quantity,
                    "commission": fill.commission,
                    "exchange": fill.exchange,
                    "exchange_order_id": fill.exchange_order_id,
                    "executed_at": fill.executed_at,
                    "updated_at": fill.executed_at,
                    "reserved_cash": ZERO,
                    "reserved_quantity": ZERO,
                }
            )
            self.orders[order.id] = filled
            return filled

    def close(self, order: Order, status: OrderStatus, *, reason: str | None = None) -> Order:
        self.calls.append("close")
        with self._lock:
            self._require_state(order)
            now = utc_now()
            buy = order.side is Side.BUY
            movements = ledger.release(
                asset=CASH if buy else order.symbol, amount=order.reserved_cash if buy else order.reserved_quantity
            )
            self._apply(order.account_id, movements, at=now, tag=ledger.new_tag(), order_id=order.id, reference=reason)
            update: dict[str, object] = {
                "status": status,
                "updated_at": now,
                "reserved_cash": ZERO,
                "reserved_quantity": ZERO,
            }
            if status is OrderStatus.CANCELLED:
                update["cancelled_at"] = now
            if reason is not None:
                update["rejection_reason"] = reason
            closed = order.model_copy(update=update)
            self.orders[order.id] = closed
            return closed

    def claim(self, order: Order) -> Order:
        return self._move(order, OrderStatus.EXECUTING)

    def release_claim(self, order: Order) -> Order:
        return self._move(order, OrderStatus.PENDING)

    def _move(self, order: Order, target: OrderStatus) -> Order:
        with self._lock:
            self._require_state(order)
            moved = order.model_copy(update={"status": target, "updated_at": utc_now()})
            self.orders[order.id] = moved
            return moved

    def mark_queued(self, order_id: int, *, at: datetime, unless_since: datetime) -> bool:
        with self._lock:
            current = self.orders.get(order_id)
            if current is None or current.status is not OrderStatus.PENDING:
                return False
            queued = self.queued_at.get(order_id)
            if queued is not None and queued >= unless_since:
                return False
            self.queued_at[order_id] = at
            return True

    def _require_state(self, order: Order) -> None:
        current = self.orders.get(order.id)
        if current is None or current.status is not order.status:
            raise OrderStateChanged(current.status.value if current else "gone")

    # IdSource / IdCounters / Cursors / AuditLog

    def reserve_ids(self, name: str, count: int) -> range:
        with self._lock:
            last = self.counters.get(name, 0) + count
            self.counters[name] = last
            return range(last - count + 1, last + 1)

    def current(self, name: str) -> int:
        return self.counters.get(name, 0)

    def get_cursor(self, name: str) -> str | None:
        return self.cursors.get(name)

    def put_cursor(self, name: str, position: str | None) -> None:
        if position is None:
            self.cursors.pop(name, None)
        else:
            self.cursors[name] = position

    def save_status(self, status: AuditStatus) -> None:
        self.audit_status = status

    def last_status(self) -> AuditStatus | None:
        return self.audit_status


@dataclass
class FakeQueue:
    """The execution queue: remembers what was sent; ``down`` makes every send fail."""

    sent: list[int] = field(default_factory=list)
    down: bool = False

    def send(self, order_ids: Iterable[int]) -> int:
        if self.down:
            raise StoreUnavailable("The execution queue is unavailable; try again shortly.")
        ids = list(order_ids)
        self.sent += ids
        return len(ids)


class FakePrices:
    """Prices a test sets; ``down`` makes every request fail as an unreachable venue does."""

    name = "fake"

    def __init__(self, prices: Mapping[str, Decimal]) -> None:
        self.prices = dict(prices)
        self.down = False
        self.requests = 0

    def get_price(self, symbol: str) -> Decimal:
        self.requests += 1
        if self.down:
            raise ExchangeUnavailable("prices are unavailable")
        try:
            return self.prices[symbol]
        except KeyError:
            raise UnknownSymbol(symbol) from None


class ScriptedExchange:
    """An external venue whose answers a test scripts: a decision, or an exception, per call."""

    name = "scripted"
    is_external = True

    def __init__(self) -> None:
        self.answers: list[Decision | BaseException] = []
        self.received: dict[str, Decision] = {}
        self.calls = 0

    def execute(self, order: Order, market_price: Decimal, client_order_id: str) -> Decision:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        self.received[client_order_id] = answer
        return answer

    def find(self, client_order_id: str) -> Decision | None:
        return self.received.get(client_order_id)


def demo_store() -> InMemoryStore:
    """A store holding the demo accounts, opened and funded through the account use cases."""
    from localdev.demo import seed_demo_accounts
    from orders_common.logic.adjust_position import AdjustPosition
    from orders_common.logic.ids import ACCOUNT_IDS, IdAllocator
    from orders_common.logic.open_account import OpenAccount

    store = InMemoryStore()
    seed_demo_accounts(
        OpenAccount(store, store, IdAllocator(store, ACCOUNT_IDS, 1), 86400), AdjustPosition(store, 86400)
    )
    return store
