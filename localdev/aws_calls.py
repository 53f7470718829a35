"""Count the requests a client sends and what they read, through botocore's event hooks."""

from __future__ import annotations

from collections import Counter
from typing import Any


class RequestLog:
    def __init__(self) -> None:
        self.operations: list[str] = []

    def record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)

    def clear(self) -> None:
        self.operations.clear()

    @property
    def counts(self) -> Counter[str]:
        return Counter(self.operations)


def watch(client: Any) -> RequestLog:
    log = RequestLog()
    client.meta.events.register(f"before-call.{client.meta.service_model.endpoint_prefix}", log.record)
    return log


class ReadLog:
    """What each Query and GetItem read: requests, items returned (Count) and items read (ScannedCount)."""

    def __init__(self) -> None:
        self.requests = 0
        self.count = 0
        self.scanned = 0

    def record(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.requests += 1
        if model.name == "GetItem":
            found = 1 if parsed.get("Item") else 0
            self.count += found
            self.scanned += found
        else:
            self.count += int(parsed.get("Count", 0))
            self.scanned += int(parsed.get("ScannedCount", 0))


def watch_reads(client: Any) -> ReadLog:
    log = ReadLog()
    client.meta.events.register("after-call.dynamodb", log.record)
    return log
