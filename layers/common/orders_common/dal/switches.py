"""Dead man's switches: the deadline on the account item (what the account shows) and an item under
``SWITCH#<shard>`` sorted by deadline (what the schedule reads), changed together."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.dal.paging import in_parallel
from orders_common.dal.transaction import Transaction, TransactionRefused
from orders_common.logic.ports.refusals import AccountRefused
from orders_common.logic.ports.values import ArmedSwitch
from orders_common.models.numbers import format_utc, utc_now

if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable

# Switches spread over this many partitions: accounts re-arming every few seconds never make one hot.
SWITCH_SHARDS = 8


def switch_key(account_id: int, deadline: datetime) -> dict[str, str]:
    return {
        "pk": keys.switch_partition(account_id % SWITCH_SHARDS),
        "sk": keys.switch_sort_key(deadline, account_id),
    }


class DynamoSwitches:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def arm(self, account_id: int, deadline: datetime | None, *, previous: datetime | None) -> None:
        values: dict[str, Any] = {":at": format_utc(utc_now())}
        if previous is None:
            condition = "attribute_exists(pk) AND attribute_not_exists(cancel_after)"
        else:
            condition = "attribute_exists(pk) AND cancel_after = :previous"
            values[":previous"] = format_utc(previous)
        if deadline is None:
            update = "SET updated_at = :at REMOVE cancel_after"
        else:
            update = "SET updated_at = :at, cancel_after = :deadline"
            values[":deadline"] = format_utc(deadline)
        transaction = Transaction().update(
            "account", keys.account_key(account_id), update, condition=condition, values=values
        )
        if previous is not None:
            transaction.delete("previous switch", switch_key(account_id, previous))
        if deadline is not None:
            transaction.put(
                "switch",
                {
                    **switch_key(account_id, deadline),
                    "entity": "switch",
                    "account_id": account_id,
                    "deadline": format_utc(deadline),
                },
            )
        try:
            self.table.transact(transaction)
        except TransactionRefused as refused:
            found = refused.found("account")
            owner = found.get("user_id")
            raise AccountRefused(int(owner) if owner is not None else None, None) from None

    def due(self, now: datetime) -> list[ArmedSwitch]:
        bound = f"{format_utc(now)}#~"  # after every "<now>#<account>"

        def read(shard: int) -> list[ArmedSwitch]:
            found: list[ArmedSwitch] = []
            start: dict[str, Any] | None = None
            while True:
                items, start = self.table.query(
                    KeyConditionExpression="pk = :partition AND sk <= :bound",
                    ExpressionAttributeValues={":partition": keys.switch_partition(shard), ":bound": bound},
                    ExclusiveStartKey=start,
                )
                found += [
                    ArmedSwitch(int(item["account_id"]), datetime.fromisoformat(str(item["deadline"])))
                    for item in items
                ]
                if start is None:
                    return found

        return [switch for shard in in_parallel(read, range(SWITCH_SHARDS)) for switch in shard]

    def disarm(self, switch: ArmedSwitch) -> bool:
        transaction = (
            Transaction()
            .delete("switch", switch_key(switch.account_id, switch.deadline), condition="attribute_exists(pk)")
            .update(
                "account",
                keys.account_key(switch.account_id),
                "REMOVE cancel_after",
                condition="cancel_after = :deadline",
                values={":deadline": format_utc(switch.deadline)},
            )
        )
        try:
            self.table.transact(transaction)
        except TransactionRefused:
            return False
        return True
