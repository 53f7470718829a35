"""Lists of orders: an account's, a user's, and every pending order (admin)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.errors import AccountNotFound

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.accounts import AccountReads
    from orders_common.logic.ports.orders import OrderReads
    from orders_common.models.order import Order
    from orders_common.models.paging import OrderFilters, Page, PageRequest


@dataclass(frozen=True)
class ListAccountOrders:
    orders: OrderReads
    accounts: AccountReads

    def __call__(self, account_id: int, page: PageRequest, filters: OrderFilters, caller: Caller) -> Page[Order]:
        owner = self.accounts.get_owner(account_id)
        if owner is None:
            raise AccountNotFound(account_id)
        caller.require_user(owner, f"account {account_id}")
        return self.orders.list_account_orders(account_id, page, filters)


@dataclass(frozen=True)
class ListUserOrders:
    orders: OrderReads

    def __call__(self, user_id: int, page: PageRequest, filters: OrderFilters, caller: Caller) -> Page[Order]:
        caller.require_user(user_id, f"the orders of user {user_id}")
        return self.orders.list_user_orders(user_id, page, filters)


@dataclass(frozen=True)
class ListPendingOrders:
    orders: OrderReads

    def __call__(self, page: PageRequest, filters: OrderFilters, caller: Caller) -> Page[Order]:
        caller.require_admin("Listing the pending orders of every account")
        return self.orders.list_pending_orders(page, filters)
