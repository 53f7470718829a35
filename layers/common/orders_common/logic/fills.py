"""Reading fills (the owner of the account or an admin): an order's, oldest first, and an account's, newest
first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.errors import AccountNotFound, OrderNotFound

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.accounts import AccountReads
    from orders_common.logic.ports.orders import FillReads, OrderReads
    from orders_common.logic.ports.values import FillFilters
    from orders_common.models.fill import FillRecord
    from orders_common.models.order import Order
    from orders_common.models.paging import Page, PageRequest


def readable_order(orders: OrderReads, order_id: int, caller: Caller) -> Order:
    """The order whose records ``caller`` asks for: its owner's, or any for an operator."""
    order = orders.get_order(order_id)
    if order is None:
        raise OrderNotFound(order_id)
    caller.require_user_or_admin(order.user_id, f"order {order_id}")
    return order


@dataclass(frozen=True)
class ListOrderFills:
    orders: OrderReads
    fills: FillReads

    def __call__(self, order_id: int, page: PageRequest, caller: Caller) -> Page[FillRecord]:
        readable_order(self.orders, order_id, caller)
        return self.fills.order_fills(order_id, page)


@dataclass(frozen=True)
class ListAccountFills:
    accounts: AccountReads
    fills: FillReads

    def __call__(self, account_id: int, page: PageRequest, filters: FillFilters, caller: Caller) -> Page[FillRecord]:
        owner = self.accounts.get_owner(account_id)
        if owner is None:
            raise AccountNotFound(account_id)
        caller.require_user_or_admin(owner, f"account {account_id}")
        return self.fills.account_fills(account_id, page, filters)
