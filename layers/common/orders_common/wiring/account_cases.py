"""The use cases of accounts and their ledger, each built from the adapters as they are when asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders_common.wiring.adapters import Adapters

if TYPE_CHECKING:
    from orders_common.logic.account_queries import ListLedger, ListUserAccounts
    from orders_common.logic.adjust_position import AdjustPosition
    from orders_common.logic.audit import AuditAccount, AuditEveryAccount
    from orders_common.logic.fills import ListAccountFills
    from orders_common.logic.freeze_account import FreezeAccount
    from orders_common.logic.open_account import OpenAccount
    from orders_common.logic.portfolio import GetPortfolio
    from orders_common.logic.transfers import Transfer


class AccountUseCases(Adapters):
    @property
    def open_account(self) -> OpenAccount:
        from orders_common.logic.open_account import OpenAccount

        return OpenAccount(
            changes=self.accounts,
            accounts=self.accounts,
            ids=self.account_ids,
            idempotency_ttl_seconds=self.settings.idempotency_ttl_seconds,
        )

    @property
    def transfer(self) -> Transfer:
        from orders_common.logic.transfers import Transfer

        return Transfer(changes=self.accounts, idempotency_ttl_seconds=self.settings.idempotency_ttl_seconds)

    @property
    def adjust_position(self) -> AdjustPosition:
        from orders_common.logic.adjust_position import AdjustPosition

        return AdjustPosition(changes=self.accounts, idempotency_ttl_seconds=self.settings.idempotency_ttl_seconds)

    @property
    def freeze_account(self) -> FreezeAccount:
        from orders_common.logic.freeze_account import FreezeAccount

        return FreezeAccount(changes=self.accounts)

    @property
    def list_user_accounts(self) -> ListUserAccounts:
        from orders_common.logic.account_queries import ListUserAccounts

        return ListUserAccounts(accounts=self.account_reads)

    @property
    def get_portfolio(self) -> GetPortfolio:
        from orders_common.logic.portfolio import GetPortfolio

        return GetPortfolio(lists=self.account_reads, accounts=self.account_reads, prices=self.prices)

    @property
    def list_ledger(self) -> ListLedger:
        from orders_common.logic.account_queries import ListLedger

        return ListLedger(accounts=self.account_reads, ledger=self.ledger)

    @property
    def list_account_fills(self) -> ListAccountFills:
        from orders_common.logic.fills import ListAccountFills

        return ListAccountFills(accounts=self.account_reads, fills=self.fill_reads)

    @property
    def audit_account(self) -> AuditAccount:
        from orders_common.logic.audit import AuditAccount

        return AuditAccount(accounts=self.account_reads, ledger=self.ledger, orders=self.orders)

    @property
    def audit_every_account(self) -> AuditEveryAccount:
        from orders_common.logic.audit import AuditEveryAccount

        return AuditEveryAccount(audit=self.audit_account, ids=self.counters, cursors=self.counters, log=self.counters)
