"""Read-only use cases of accounts: a user's accounts, an account's ledger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.errors import AccountNotFound

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.accounts import AccountLists, AccountReads, LedgerReads
    from orders_common.logic.ports.values import LedgerFilters
    from orders_common.models.account import AccountSummary
    from orders_common.models.ledger import LedgerEntry
    from orders_common.models.paging import Page, PageRequest


@dataclass(frozen=True)
class ListUserAccounts:
    accounts: AccountLists

    def __call__(self, user_id: int, page: PageRequest, caller: Caller) -> Page[AccountSummary]:
        caller.require_user_or_admin(user_id, f"the accounts of user {user_id}")
        return self.accounts.list_user_accounts(user_id, page)


@dataclass(frozen=True)
class ListLedger:
    accounts: AccountReads
    ledger: LedgerReads

    def __call__(self, account_id: int, page: PageRequest, filters: LedgerFilters, caller: Caller) -> Page[LedgerEntry]:
        owner = self.accounts.get_owner(account_id)
        if owner is None:
            raise AccountNotFound(account_id)
        caller.require_user_or_admin(owner, f"account {account_id}")
        return self.ledger.list_entries(account_id, page, filters)
