"""Counters (ids handed out atomically, never twice) and cursors (where a long job stopped)."""

from __future__ import annotations

from orders_common.dal import keys
from orders_common.dal.client import DynamoTable


class DynamoCounters:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def reserve_ids(self, name: str, count: int) -> range:
        attributes = self.table.update(
            keys.counter_key(name),
            "ADD #value :count",
            names={"#value": "value"},
            values={":count": count},
            return_values="UPDATED_NEW",
        )
        last = int(attributes["value"])
        return range(last - count + 1, last + 1)

    def get_cursor(self, name: str) -> str | None:
        item = self.table.get(keys.cursor_key(name), consistent=True)
        return str(item["position"]) if item and "position" in item else None

    def put_cursor(self, name: str, position: str | None) -> None:
        if position is None:
            self.table.update(keys.cursor_key(name), "REMOVE #position", names={"#position": "position"})
        else:
            self.table.update(
                keys.cursor_key(name),
                "SET #position = :position",
                names={"#position": "position"},
                values={":position": position},
            )
