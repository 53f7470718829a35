"""Ports of orders: reads, the schedule's summaries, inserts and transitions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

# Types only (see accounts.py).
if TYPE_CHECKING:
    from datetime import datetime
    from decimal import Decimal

    from orders_common.domain.settlement import BuySettlement, SellSettlement
    from orders_common.logic.fill_progress import FillPlan
    from orders_common.logic.ports.answers import OrderAnswer
    from orders_common.logic.ports.values import BulkClose, FillFilters, IdempotencyRecord, OpenOrder, OrderSummary
    from orders_common.models.fill import FillRecord
    from orders_common.models.order import Order, OrderStatus, Side
    from orders_common.models.order_event import OrderEvent
    from orders_common.models.paging import OrderFilters, Page, PageRequest


class OrderAnswers(Protocol):
    def order_answer(self, order_id: int) -> OrderAnswer | None:
        """The order as a GET answers it, read from its item without the model's round trip (None when
        there is none)."""


class OrderReads(Protocol):
    def get_order(self, order_id: int) -> Order | None: ...

    def list_account_orders(self, account_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]: ...

    def list_user_orders(self, user_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]: ...

    def list_pending_orders(self, page: PageRequest, filters: OrderFilters) -> Page[Order]: ...


class PendingSummaries(Protocol):
    def pending_summaries(self, page: PageRequest) -> Page[OrderSummary]: ...

    def executing_before(self, claimed_before: datetime) -> list[OrderSummary]: ...

    def count_pending(self) -> int: ...

    def ping(self) -> None:
        """One cheap read that proves the store answers (``StoreUnavailable`` when it does not)."""


class PendingAges(Protocol):
    def oldest_pending_since(self) -> datetime | None:
        """When the oldest pending order was created (None when none is pending): the first entry of
        each shard of the pending index, no more."""


class OrderInserts(Protocol):
    def insert(self, order: Order, *, idempotency: IdempotencyRecord | None = None) -> None:
        """Store a new pending order and its reservation in one transaction. Raises ``AccountRefused``,
        ``PositionRefused``, ``ClientOrderIdTaken`` or ``IdempotencyKeyTaken``."""


class OrderTransitions(Protocol):
    def fill(
        self, plan: FillPlan, settlement: BuySettlement | SellSettlement, *, position_version: int | None
    ) -> Order:
        """Store ``plan.after`` with the fill's money, ledger entries and fill records, in one
        transaction. Raises ``OrderStateChanged``, ``FillUnaffordable`` (buys) or ``PositionChanged``
        (sells)."""

    def close(self, order: Order, status: OrderStatus, *, reason: str | None = None) -> Order:
        """Cancel or reject, releasing the reservation. Raises ``OrderStateChanged``."""

    def claim(self, order: Order) -> Order:
        """Pending -> executing, before an external exchange is called. Raises ``OrderStateChanged``."""

    def release_claim(self, order: Order) -> Order:
        """Executing -> pending: the exchange certainly never took it. Raises ``OrderStateChanged``."""

    def rest_on_venue(self, order: Order, exchange: str, exchange_order_id: str) -> Order:
        """Executing -> open again, resting on the venue's book under ``exchange_order_id``. Raises
        ``OrderStateChanged``."""

    def record_trigger(self, order: Order) -> Order:
        """Keep that ``order`` triggered (it did not trade yet). Raises ``OrderStateChanged``."""

    def follow_trail(self, order_id: int, side: Side, mark: Decimal, stop_price: Decimal) -> bool:
        """Keep a trailing stop's better mark and its stop price; False when it is no longer pending
        (or already has a mark as good)."""

    def mark_queued(self, order_id: int, *, at: datetime, unless_since: datetime) -> bool:
        """Note that the order was handed to the queue, unless it already was after ``unless_since``
        (or is no longer pending): False then, and it should not be sent again."""


class FillReads(Protocol):
    def order_fills(self, order_id: int, page: PageRequest) -> Page[FillRecord]:
        """The order's fills in the order they were made (its first fill first), read consistently."""

    def account_fills(self, account_id: int, page: PageRequest, filters: FillFilters) -> Page[FillRecord]:
        """The account's fills, newest first (from an index: the latest may be missing for a moment)."""


class OrderEventReads(Protocol):
    def order_events(self, order_id: int, page: PageRequest) -> Page[OrderEvent]:
        """The order's events, oldest first, read consistently."""


class OrderAmends(Protocol):
    def amend(self, order: Order, amended: Order) -> Order:
        """Store ``amended`` in place of ``order`` (as read), its reservation moved by the difference
        with its ledger entry, in one transaction. Raises ``OrderStateChanged``,
        ``OrderVersionChanged``, ``AccountRefused`` or ``PositionRefused``."""


class OpenOrderReads(Protocol):
    def open_orders(self, account_id: int) -> list[OpenOrder]:
        """The account's pending orders (from an index: one created a moment ago may be missing)."""


class BulkCloses(Protocol):
    def close_many(self, orders: list[OpenOrder], *, reason: str) -> BulkClose:
        """Cancel ``orders`` of one account in one transaction (as many as ``fits_one_close``)."""


class ClientOrders(Protocol):
    def find_by_client(self, account_id: int, client_order_id: str) -> Order | None:
        """The order an account gave this client order id, in one read."""

    def order_id_for_client(self, account_id: int, client_order_id: str) -> int | None:
        """The id of that order, read consistently (a cancel acts on it)."""
