"""An in-memory order repository: the same answers as the DynamoDB one for creating and reading
orders, without any I/O (to measure what the handlers themselves cost)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from itertools import count

from orders_common.errors import AccountNotFound, Forbidden, InsufficientFunds
from orders_common.models.account import Account
from orders_common.models.order import Order, Side
from orders_common.models.paging import OrderFilters, Page, PageRequest


class InMemoryOrderRepository:
    def __init__(self, accounts: list[Account]) -> None:
        self.accounts = {account.account_id: account for account in accounts}
        self.orders: dict[int, Order] = {}
        self._counter = count(1)
        self._lock = threading.Lock()

    def get_order(self, order_id: int) -> Order | None:
        return self.orders.get(order_id)

    def get_account(self, account_id: int) -> Account | None:
        return self.accounts.get(account_id)

    def get_account_owner(self, account_id: int) -> int | None:
        account = self.accounts.get(account_id)
        return account.user_id if account else None

    def put_account(self, account: Account) -> None:
        self.accounts[account.account_id] = account

    def reserve_order_ids(self, size: int) -> range:
        with self._lock:
            first = next(self._counter)
            for _ in range(size - 1):
                next(self._counter)
            return range(first, first + size)

    def insert_order(self, order: Order) -> None:
        with self._lock:
            account = self.accounts.get(order.account_id)
            if account is None:
                raise AccountNotFound(order.account_id)
            if account.user_id != order.user_id:
                raise Forbidden(f"You may not access account {order.account_id}.")
            if order.side is Side.BUY:
                if account.available_cash < order.reserved_cash:
                    raise InsufficientFunds(f"Account {order.account_id} cannot pay {order.reserved_cash}.")
                self.accounts[order.account_id] = account.model_copy(
                    update={
                        "available_cash": account.available_cash - order.reserved_cash,
                        "reserved_cash": account.reserved_cash + order.reserved_cash,
                    }
                )
            self.orders[order.id] = order

    def list_account_orders(self, account_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        found = sorted((o for o in self.orders.values() if o.account_id == account_id), key=lambda o: -o.id)
        return Page(found[: page.limit])

    def list_user_orders(self, user_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        found = sorted((o for o in self.orders.values() if o.user_id == user_id), key=lambda o: -o.id)
        return Page(found[: page.limit])

    def list_pending_orders(self, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        return Page([o for o in self.orders.values() if o.is_pending][: page.limit])

    def iter_pending_orders(self, page_size: int = 500) -> Iterator[Order]:
        yield from (o for o in list(self.orders.values()) if o.is_pending)

    def count_pending_orders(self) -> int:
        return sum(1 for o in self.orders.values() if o.is_pending)

    def ping(self) -> None:
        return None
