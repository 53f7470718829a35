"""Reading orders in memory: one order, lists with their filters, the schedule's summaries, an
account's pending orders, an order by its client order id."""

from __future__ import annotations

from datetime import datetime

from orders_common.logic.ports.answers import OrderAnswer
from orders_common.logic.ports.values import FillFilters, OpenOrder, OrderSummary
from orders_common.models.base import dump_of
from orders_common.models.fill import FillRecord
from orders_common.models.numbers import format_utc
from orders_common.models.order import Order, OrderStatus
from orders_common.models.order_event import OrderEvent
from orders_common.models.paging import OrderFilters, Page, PageRequest
from tests.support.fakes.base import StoreBase


def _position(order: Order) -> str:
    return f"{format_utc(order.created_at)}#{order.id:020d}"


class OrderReadFakes(StoreBase):
    def get_order(self, order_id: int) -> Order | None:
        self.calls.append("get_order")
        return self.orders.get(order_id)

    def order_answer(self, order_id: int) -> OrderAnswer | None:
        self.calls.append("order_answer")
        order = self.orders.get(order_id)
        return None if order is None else OrderAnswer(order.user_id, order.version, dump_of(order))

    def list_account_orders(self, account_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        return _page([o for o in self.orders.values() if o.account_id == account_id], page, filters, newest=True)

    def list_user_orders(self, user_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        return _page([o for o in self.orders.values() if o.user_id == user_id], page, filters, newest=True)

    def list_pending_orders(self, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        self.calls.append("list_pending_orders")
        pending = [o for o in self.orders.values() if o.is_open]
        return _page(pending, page, filters, newest=False)

    def pending_summaries(self, page: PageRequest) -> Page[OrderSummary]:
        found = _page([o for o in self.orders.values() if o.is_open], page, OrderFilters(), newest=False)
        return Page([self._summary(order) for order in found.items], found.next_cursor)

    def executing_before(self, claimed_before: datetime) -> list[OrderSummary]:
        return [
            self._summary(order)
            for order in self.orders.values()
            if order.status is OrderStatus.EXECUTING and order.updated_at < claimed_before
        ]

    def count_pending(self) -> int:
        return sum(1 for order in self.orders.values() if order.is_open)

    def oldest_pending_since(self) -> datetime | None:
        return min((order.created_at for order in self.orders.values() if order.is_open), default=None)

    def ping(self) -> None:
        return None

    def order_fills(self, order_id: int, page: PageRequest) -> Page[FillRecord]:
        def sort_key(record: FillRecord) -> str:
            return f"FILL#{record.fill_id.split('-')[1].zfill(6)}"

        matching = [
            record for record in self.fills.get(order_id, []) if page.after is None or sort_key(record) > page.after
        ]
        items = matching[: page.limit]
        return Page(items, sort_key(items[-1]) if len(matching) > page.limit else None)

    def order_events(self, order_id: int, page: PageRequest) -> Page[OrderEvent]:
        def sort_key(event: OrderEvent) -> str:
            _, version, number = event.event_id.split("-")
            return f"EVENT#{int(version):010d}#{int(number):02d}"

        with self._lock:
            kept = list(self.events.get(order_id, []))
        matching = [event for event in kept if page.after is None or sort_key(event) > page.after]
        items = matching[: page.limit]
        return Page(items, sort_key(items[-1]) if len(matching) > page.limit else None)

    def account_fills(self, account_id: int, page: PageRequest, filters: FillFilters) -> Page[FillRecord]:
        def sort_key(record: FillRecord) -> str:
            return f"{format_utc(record.executed_at)}#{record.order_id:020d}#{record.fill_id.split('-')[1].zfill(6)}"

        matching = sorted(
            (
                record
                for records in self.fills.values()
                for record in records
                if record.account_id == account_id
                and (filters.symbol is None or record.symbol == filters.symbol)
                and (filters.since is None or record.executed_at >= filters.since)
                and (filters.until is None or record.executed_at < filters.until)
                and (page.after is None or sort_key(record) < page.after)
            ),
            key=sort_key,
            reverse=True,
        )
        items = matching[: page.limit]
        return Page(items, sort_key(items[-1]) if len(matching) > page.limit else None)

    def open_orders(self, account_id: int) -> list[OpenOrder]:
        return [
            OpenOrder.of(order)
            for order in sorted(self.orders.values(), key=_position)
            if order.account_id == account_id and (order.is_open or order.status is OrderStatus.EXECUTING)
        ]

    def find_by_client(self, account_id: int, client_order_id: str) -> Order | None:
        order_id = self.client_order_ids.get((account_id, client_order_id))
        return self.orders.get(order_id) if order_id is not None else None

    def order_id_for_client(self, account_id: int, client_order_id: str) -> int | None:
        return self.client_order_ids.get((account_id, client_order_id))

    def _summary(self, order: Order) -> OrderSummary:
        return OrderSummary(
            id=order.id,
            account_id=order.account_id,
            symbol=order.symbol,
            side=order.side.value,
            order_type=order.order_type,
            price=order.price,
            status=order.status,
            updated_at=order.updated_at,
            queued_at=self.queued_at.get(order.id),
            time_in_force=order.time_in_force,
            expire_at=order.expire_at,
            trigger_price=order.trigger_price,
            trail_percent=order.trail_percent,
            trail_amount=order.trail_amount,
            trail_mark=order.trail_mark,
            triggered_at=order.triggered_at,
            created_at=order.created_at,
        )


def _page(orders: list[Order], page: PageRequest, filters: OrderFilters, *, newest: bool) -> Page[Order]:
    chosen = sorted(
        (
            o
            for o in orders
            if (filters.status is None or o.status is filters.status)
            and (filters.symbol is None or o.symbol == filters.symbol)
            and (filters.side is None or o.side is filters.side)
            and (filters.order_type is None or o.order_type is filters.order_type)
            and (filters.since is None or o.created_at >= filters.since)
            and (filters.until is None or o.created_at < filters.until)
        ),
        key=_position,
        reverse=newest,
    )
    if page.after is not None:
        chosen = [o for o in chosen if (_position(o) < page.after if newest else _position(o) > page.after)]
    if len(chosen) > page.limit:
        return Page(chosen[: page.limit], _position(chosen[page.limit - 1]))
    return Page(chosen)
