"""Freeze or unfreeze an account: a frozen account takes no new orders and no withdrawals; its pending
orders can still be cancelled (and still execute)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.errors import AccountNotFound
from orders_common.models.numbers import utc_now
from orders_common.observability import logger

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.accounts import AccountChanges
    from orders_common.models.account import AccountSummary


@dataclass(frozen=True)
class FreezeAccount:
    changes: AccountChanges

    def __call__(self, account_id: int, frozen: bool, caller: Caller) -> AccountSummary:
        caller.require_admin("Freezing and unfreezing accounts")
        account = self.changes.set_frozen(account_id, frozen, utc_now())
        if account is None:
            raise AccountNotFound(account_id)
        logger.info("Account frozen" if frozen else "Account unfrozen", account_id=account_id)
        return account
