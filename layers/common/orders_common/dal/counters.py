"""Counters (ids handed out atomically, never twice), cursors (where a long job stopped) and the
status a scheduled job leaves for health to show."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from orders_common.dal import keys
from orders_common.models.numbers import format_utc

if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable
    from orders_common.models.audit import AuditStatus


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

    def current(self, name: str) -> int:
        item = self.table.get(keys.counter_key(name), consistent=True)
        return int(item["value"]) if item and "value" in item else 0

    def save_status(self, status: AuditStatus) -> None:
        self.table.update(
            keys.status_key("AUDIT"),
            "SET last_run_at = :at, accounts_checked = :checked, mismatches = :mismatches, complete = :complete",
            values={
                ":at": format_utc(status.last_run_at),
                ":checked": status.accounts_checked,
                ":mismatches": status.mismatches,
                ":complete": status.complete,
            },
        )

    def last_status(self) -> AuditStatus | None:
        from orders_common.models.audit import (
            AuditStatus,  # here: a function that reads no audit status never builds its model
        )

        item = self.table.get(keys.status_key("AUDIT"), consistent=False)
        return AuditStatus.model_validate({name: item[name] for name in AuditStatus.model_fields}) if item else None

    def record_schedule_run(self, at: datetime) -> None:
        self.table.update(keys.status_key("SCHEDULE"), "SET last_run = :at", values={":at": format_utc(at)})

    def last_schedule_run(self) -> datetime | None:
        item = self.table.get(keys.status_key("SCHEDULE"), consistent=False)
        return datetime.fromisoformat(str(item["last_run"])) if item and "last_run" in item else None

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
