"""Accounts and their positions: one partition per account (the account item and a position item per
symbol), read whole with one strongly consistent Query."""

from __future__ import annotations

import threading

from orders_common.dal import keys
from orders_common.dal.client import DynamoTable
from orders_common.dal.mapping import account_to_item, item_to_position, items_to_account, position_to_item
from orders_common.dal.transaction import Transaction
from orders_common.logic.ports import HeldPosition
from orders_common.models.account import Account


class DynamoAccounts:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table
        self._owners: dict[int, int] = {}
        self._owners_lock = threading.Lock()

    def get_account(self, account_id: int) -> Account | None:
        found, _ = self.table.query(
            KeyConditionExpression="pk = :partition",
            ExpressionAttributeValues={":partition": keys.account_partition(account_id)},
            ConsistentRead=True,
        )
        return items_to_account(found)

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
        item = self.table.get(keys.position_key(account_id, symbol), consistent=True)
        if item is None:
            return None
        return HeldPosition(position=item_to_position(item), version=int(item.get("version", 0)))

    def put_account(self, account: Account) -> None:
        """Create or replace an account and its positions (demo data)."""
        transaction = Transaction().put("account", account_to_item(account))
        for position in account.positions:
            transaction.put(f"position {position.symbol}", position_to_item(account, position))
        self.table.transact(transaction)
