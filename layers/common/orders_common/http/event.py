"""The request an API Gateway HTTP API (payload 2.0) event carries, read the way the routes need it."""

from __future__ import annotations

import base64
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orders_common.auth import Caller


class HttpRequest:
    __slots__ = ("__dict__", "caller", "raw_event")

    def __init__(self, raw_event: dict[str, Any]) -> None:
        self.raw_event = raw_event
        self.caller: Caller | None = None  # who asks, once read (``http.resolver.current_caller``)

    @property
    def http_method(self) -> str:
        return str(self.raw_event["requestContext"]["http"]["method"]).upper()

    @property
    def path(self) -> str:
        """The path without the stage's name (API Gateway prefixes it on a stage other than $default)."""
        raw_path: str = self.raw_event["rawPath"]
        stage = self.raw_event["requestContext"].get("stage", "$default")
        return raw_path if stage == "$default" else raw_path[len(f"/{stage}") :]

    @property
    def request_id(self) -> str | None:
        request_id: str | None = (self.raw_event.get("requestContext") or {}).get("requestId")
        return request_id

    @cached_property
    def headers(self) -> dict[str, str]:
        """Header names in lower case (HTTP API sends them so; a local client may not), the last one
        of the same name winning."""
        return {name.lower(): value for name, value in (self.raw_event.get("headers") or {}).items()}

    @property
    def query(self) -> dict[str, str]:
        query: dict[str, str] = self.raw_event.get("queryStringParameters") or {}
        return query

    @property
    def raw_query(self) -> str:
        return str(self.raw_event.get("rawQueryString") or "")

    @property
    def body(self) -> str | None:
        body: str | None = self.raw_event.get("body")
        return body

    @cached_property
    def decoded_body(self) -> str | None:
        """The body as text (API Gateway base64-encodes a body it does not take for text)."""
        body = self.body
        if body and self.raw_event.get("isBase64Encoded"):
            return base64.b64decode(body.encode()).decode()
        return body
