"""The DynamoDB every candidate of ``benchmarks.peers`` talks to: recorded answers, replayed.

botocore's HTTP send is replaced, nothing else: each request is still serialized, signed and its answer
parsed (and CRC-checked) as on Lambda. The answer is the one recorded for the same request body, else
for the same operation and ``Key`` (a write's body changes with its timestamps), else the operation's
default (a GetItem: the recorded order); an operation never recorded answers ``{}`` (as PutItem does)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def answer_keys(operation: str, body: bytes | str | None) -> list[str]:
    """The keys an answer is recorded and looked up under, the most precise first."""
    text = body.decode() if isinstance(body, bytes) else (body or "")
    try:
        key = json.loads(text or "{}").get("Key")
    except ValueError:
        key = None
    return [f"{operation} {text}", *([f"{operation} {json.dumps(key, sort_keys=True)}"] if key else []), operation]


def install(path: str) -> None:
    from botocore.awsrequest import AWSResponse
    from botocore.endpoint import Endpoint

    with open(path, encoding="utf-8") as recorded:
        answers: dict[str, dict[str, Any]] = json.load(recorded)

    def send(self: Endpoint, request: Any) -> AWSResponse:
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).split(".")[-1]
        found = next((answers[key] for key in answer_keys(operation, request.body) if key in answers), None)
        if found is None:
            return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.0"}, _Raw(b"{}"))
        return AWSResponse(request.url, found["status"], found["headers"], _Raw(found["body"].encode()))

    Endpoint._send = send  # type: ignore[method-assign]
