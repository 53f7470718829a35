"""Read-only use cases: one order, lists of orders, one account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders_common.auth import Caller
from orders_common.errors import AccountNotFound, OrderNotFound
from orders_common.models.account import Account
from orders_common.models.order import Order
from orders_common.models.paging import OrderFilters, Page, PageRequest

if TYPE_CHECKING:
    from orders_common.wiring import Services


def get_order(order_id: int, caller: Caller, services: Services) -> Order:
    order = services.repository.get_order(order_id)
    if order is None:
        raise OrderNotFound(order_id)
    caller.require_user(order.user_id, f"order {order_id}")
    return order


def list_account_orders(
    account_id: int, page: PageRequest, filters: OrderFilters, caller: Caller, services: Services
) -> Page[Order]:
    owner = services.repository.get_account_owner(account_id)
    if owner is None:
        raise AccountNotFound(account_id)
    caller.require_user(owner, f"account {account_id}")
    return services.repository.list_account_orders(account_id, page, filters)


def list_user_orders(
    user_id: int, page: PageRequest, filters: OrderFilters, caller: Caller, services: Services
) -> Page[Order]:
    caller.require_user(user_id, f"the orders of user {user_id}")
    return services.repository.list_user_orders(user_id, page, filters)


def list_pending_orders(page: PageRequest, filters: OrderFilters, caller: Caller, services: Services) -> Page[Order]:
    caller.require_admin("Listing the pending orders of every account")
    return services.repository.list_pending_orders(page, filters)


def get_account(account_id: int, caller: Caller, services: Services) -> Account:
    account = services.repository.get_account(account_id)
    if account is None:
        raise AccountNotFound(account_id)
    caller.require_user(account.user_id, f"account {account_id}")
    return account
