"""In-memory fakes of every port in ``orders_common.logic.ports``: the use cases run on them at unit
speed. ``tests/integration/test_store_contract.py`` holds them to the same answers and refusals as
the DynamoDB adapters, so a unit test on a fake says something about the real store."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from orders_common.domain.money import ZERO, add, subtract
from orders_common.domain.settlement import BuySettlement, SellSettlement
from orders_common.errors import ExchangeUnavailable, UnknownSymbol
from orders_common.exchange.base import Decision, Fill
from orders_common.logic.ports import (
    AccountRefused,
    ClientOrderIdTaken,
    FillUnaffordable,
    HeldPosition,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    OrderStateChanged,
    OrderSummary,
    PositionChanged,
    PositionRefused,
)
from orders_common.models.account import Account, Position
from orders_common.models.order import Order, OrderStatus, Side
from orders_common.models.paging import OrderFilters, Page, PageRequest


@dataclass
class _Holding:
    owner: int
    available: Decimal
    reserved: Decimal
    cost_basis: Decimal
    version: int = 0


@dataclass
class _AccountState:
    owner: int
    available: Decimal
    reserved: Decimal
    created_at: datetime
    updated_at: datetime


class InMemoryStore:
    """Orders, accounts, positions, ids, cursors and Idempotency-Key records, with the conditional
    semantics of the DynamoDB adapters: every change applies whole or not at all, under one lock."""

    def __init__(self, accounts: Iterable[Account] = ()) -> None:
        self._lock = threading.RLock()
        self.orders: dict[int, Order] = {}
        self.queued_at: dict[int, datetime] = {}
        self.accounts: dict[int, _AccountState] = {}
        self.positions: dict[tuple[int, str], _Holding] = {}
        self.client_order_ids: dict[tuple[int, str], int] = {}
        self.idempotency: dict[tuple[str, str], IdempotencyRecord] = {}
        self.counters: dict[str, int] = {}
        self.cursors: dict[str, str] = {}
        self.calls: list[str] = []
        for account in accounts:
            self.put_account(account)

    # AccountWrites / AccountReads

    def put_account(self, account: Account) -> None:
        with self._lock:
            self.accounts[account.account_id] = _AccountState(
                account.user_id, account.available_cash, account.reserved_cash, account.created_at, account.updated_at
            )
            for position in account.positions:
                self.positions[(account.account_id, position.symbol)] = _Holding(
                    account.user_id, position.available_quantity, position.reserved_quantity, position.cost_basis
                )

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
            return Account(
                account_id=account_id,
                user_id=state.owner,
                available_cash=state.available,
                reserved_cash=state.reserved,
                positions=positions,
                created_at=state.created_at,
                updated_at=state.updated_at,
            )

    def get_owner(self, account_id: int) -> int | None:
        self.calls.append("get_owner")
        state = self.accounts.get(account_id)
        return state.owner if state else None

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
            return f"{order.created_at.isoformat()}#{order.id:020d}"

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
            if idempotency is not None:
                existing = self.idempotency.get((idempotency.scope, idempotency.key))
                if existing is not None and existing.expires_at >= int(order.created_at.timestamp()):
                    raise IdempotencyKeyTaken(existing)
            if order.client_order_id is not None and (order.account_id, order.client_order_id) in self.client_order_ids:
                raise ClientOrderIdTaken(self.client_order_ids[(order.account_id, order.client_order_id)])
            if order.side is Side.BUY:
                state = self.accounts.get(order.account_id)
                if state is None or state.owner != order.user_id or state.available < order.reserved_cash:
                    raise AccountRefused(state.owner if state else None, state.available if state else None)
                state.available = subtract(state.available, order.reserved_cash)
                state.reserved = add(state.reserved, order.reserved_cash)
            else:
                held = self.positions.get((order.account_id, order.symbol))
                if held is None or held.owner != order.user_id or held.available < order.reserved_quantity:
                    raise PositionRefused(held.owner if held else None, held.available if held else None)
                held.available = subtract(held.available, order.reserved_quantity)
                held.reserved = add(held.reserved, order.reserved_quantity)
                held.version += 1
            self.orders[order.id] = order
            if order.client_order_id is not None:
                self.client_order_ids[(order.account_id, order.client_order_id)] = order.id
            if idempotency is not None:
                self.idempotency[(idempotency.scope, idempotency.key)] = idempotency

    # OrderTransitions

    def fill(
        self, order: Order, fill: Fill, settlement: BuySettlement | SellSettlement, *, position_version: int | None
    ) -> Order:
        self.calls.append("fill")
        with self._lock:
            self._require_state(order)
            state = self.accounts[order.account_id]
            key = (order.account_id, order.symbol)
            if isinstance(settlement, BuySettlement):
                if state.reserved < settlement.released or state.available < settlement.shortfall:
                    raise FillUnaffordable(state.available)
                state.reserved = subtract(state.reserved, settlement.released)
                state.available = add(state.available, settlement.available_change)
                held = self.positions.setdefault(key, _Holding(order.user_id, ZERO, ZERO, ZERO))
                held.available = add(held.available, fill.quantity)
                held.cost_basis = add(held.cost_basis, settlement.cost)
                held.version += 1
            else:
                held_now = self.positions.get(key)
                if (
                    held_now is None
                    or held_now.version != position_version
                    or held_now.reserved < order.reserved_quantity
                ):
                    raise PositionChanged("position changed")
                if settlement.credit < 0 and state.available < -settlement.credit:
                    raise FillUnaffordable(state.available)
                state.available = add(state.available, settlement.credit)
                held_now.reserved = subtract(held_now.reserved, order.reserved_quantity)
                held_now.cost_basis = subtract(held_now.cost_basis, settlement.cost_relief)
                held_now.version += 1
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
            if order.side is Side.BUY:
                state = self.accounts[order.account_id]
                state.available = add(state.available, order.reserved_cash)
                state.reserved = subtract(state.reserved, order.reserved_cash)
            elif order.reserved_quantity:
                held = self.positions[(order.account_id, order.symbol)]
                held.available = add(held.available, order.reserved_quantity)
                held.reserved = subtract(held.reserved, order.reserved_quantity)
                held.version += 1
            now = datetime.now(order.created_at.tzinfo)
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
            moved = order.model_copy(update={"status": target, "updated_at": datetime.now(order.created_at.tzinfo)})
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

    # IdSource / Cursors

    def reserve_ids(self, name: str, count: int) -> range:
        with self._lock:
            last = self.counters.get(name, 0) + count
            self.counters[name] = last
            return range(last - count + 1, last + 1)

    def get_cursor(self, name: str) -> str | None:
        return self.cursors.get(name)

    def put_cursor(self, name: str, position: str | None) -> None:
        if position is None:
            self.cursors.pop(name, None)
        else:
            self.cursors[name] = position


@dataclass
class FakeQueue:
    """The execution queue: remembers what was sent; ``down`` makes every send fail."""

    sent: list[int] = field(default_factory=list)
    down: bool = False

    def send(self, order_ids: Iterable[int]) -> int:
        from orders_common.errors import StoreUnavailable

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
