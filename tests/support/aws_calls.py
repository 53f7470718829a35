"""Count the requests a client sends, through botocore's event hooks."""

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
