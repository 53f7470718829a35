"""Reading accounts: one partition per account (the account item and a position item per symbol),
read whole with one strongly consistent Query; a user's accounts from the ``by_user`` index
(``USER#<id>#ACCOUNTS``), one Query.

Apart from the changes (``dal.accounts``), so that a function that only reads accounts never loads
the ledger, movements and transactions that changing one takes. The account models are loaded by the
reads that answer them: a new order only asks an account's owner.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from orders_common.dal import keys

if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable
    from orders_common.logic.ports.values import HeldPosition
    from orders_common.models.account import Account, AccountSummary
    from orders_common.models.paging import Page, PageRequest


class DynamoAccountReads:
    """An account whole, its summary, owner and positions, and a user's accounts."""

    def __init__(self, table: DynamoTable) -> None:
        self.table = table
        self._owners: dict[int, int] = {}
        self._owners_lock = threading.Lock()

    def get_account(self, account_id: int) -> Account | None:
        from orders_common.dal.account_mapping import items_to_account

        found, _ = self.table.query(
            KeyConditionExpression="pk = :partition",
            ExpressionAttributeValues={":partition": keys.account_partition(account_id)},
            ConsistentRead=True,
        )
        return items_to_account(found)

    def get_summary(self, account_id: int) -> tuple[AccountSummary, int] | None:
        """The account item alone, and the version its next priced change is conditioned on."""
        from orders_common.dal.account_mapping import item_to_account_summary

        item = self.table.get(keys.account_key(account_id), consistent=True)
        return (item_to_account_summary(item), int(item.get("version", 0))) if item else None

    def get_owner(self, account_id: int) -> int | None:
        # An account never changes owner, so the answer is kept for the life of the container.
        owner = self._owners.get(account_id)
        if owner is not None:
            return owner
        item = self.table.get(keys.account_key(account_id), consistent=True, projection="user_id")
        if item is None:
            return None
        with self._owners_lock:
            self._owners[account_id] = int(item["user_id"])
        return int(item["user_id"])

    def get_position(self, account_id: int, symbol: str) -> HeldPosition | None:
        from orders_common.dal.account_mapping import item_to_position
        from orders_common.logic.ports.values import HeldPosition

        item = self.table.get(keys.position_key(account_id, symbol), consistent=True)
        if item is None:
            return None
        return HeldPosition(position=item_to_position(item), version=int(item.get("version", 0)))

    def list_user_accounts(self, user_id: int, page: PageRequest) -> Page[AccountSummary]:
        from orders_common.dal.account_mapping import item_to_account_summary
        from orders_common.models.paging import Page

        condition = "by_user_pk = :partition"
        values: dict[str, Any] = {":partition": keys.user_accounts_partition(user_id)}
        if page.after is not None:
            condition += " AND by_user_sk > :after"
            values[":after"] = page.after
        items, last = self.table.query(
            IndexName=keys.USER_INDEX,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            Limit=page.limit,
        )
        return Page([item_to_account_summary(item) for item in items], str(last["by_user_sk"]) if last else None)
