"""A small HTTP client for the API over real HTTP (the local server, sam local, a deployed stack)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from decimal import Decimal
from typing import Any


class Client:
    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base.rstrip("/")
        self.token = token

    def call(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        request = urllib.request.Request(
            self.base + path, method=method, data=body.encode() if body else None, headers=headers or {}
        )
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), json.loads(response.read(), parse_float=Decimal)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read(), parse_float=Decimal)
