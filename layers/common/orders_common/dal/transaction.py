"""A DynamoDB transaction whose items have names, and the refusal that says which of them failed.

DynamoDB reports a cancelled transaction as a list of reasons in the order of its items; code that
reads ``reasons[1]`` breaks as soon as an item is added in front. Here every item is named where it is
added, and a refusal maps names to what DynamoDB found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Item = dict[str, Any]


@dataclass
class Transaction:
    """Operations to apply all together or not at all, each under a name unique in the transaction."""

    operations: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def put(
        self, name: str, item: Mapping[str, Any], *, condition: str | None = None, **expression: Any
    ) -> Transaction:
        return self._add(name, "Put", {"Item": dict(item)}, condition, expression)

    def update(
        self, name: str, key: Mapping[str, Any], update: str, *, condition: str | None = None, **expression: Any
    ) -> Transaction:
        return self._add(name, "Update", {"Key": dict(key), "UpdateExpression": update}, condition, expression)

    def check(self, name: str, key: Mapping[str, Any], condition: str, **expression: Any) -> Transaction:
        return self._add(name, "ConditionCheck", {"Key": dict(key)}, condition, expression)

    def delete(
        self, name: str, key: Mapping[str, Any], *, condition: str | None = None, **expression: Any
    ) -> Transaction:
        return self._add(name, "Delete", {"Key": dict(key)}, condition, expression)

    @property
    def names(self) -> list[str]:
        return [name for name, _, _ in self.operations]

    def _add(
        self, name: str, kind: str, body: dict[str, Any], condition: str | None, expression: Mapping[str, Any]
    ) -> Transaction:
        if name in self.names:
            raise ValueError(f"transaction item {name!r} added twice")
        if condition is not None:
            body["ConditionExpression"] = condition
        if expression.get("values"):
            body["ExpressionAttributeValues"] = dict(expression["values"])
        if expression.get("names"):
            body["ExpressionAttributeNames"] = dict(expression["names"])
        self.operations.append((name, kind, body))
        return self


class TransactionRefused(Exception):
    """Conditions of the named items failed; ``failed[name]`` is the item as DynamoDB found it (None if
    absent). Nothing was applied."""

    def __init__(self, failed: Mapping[str, Item | None]) -> None:
        super().__init__(f"transaction refused by {', '.join(failed)}")
        self.failed = dict(failed)

    def refused(self, name: str) -> bool:
        return name in self.failed

    def found(self, name: str) -> Item:
        """What the named item held when its condition failed ({} when it did not exist)."""
        return self.failed.get(name) or {}
