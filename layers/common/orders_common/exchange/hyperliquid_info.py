"""Requests to Hyperliquid's public info endpoint (``POST /info``), shared by its price and book sources.

Failures are retried with exponential backoff and jitter, never past the invocation's deadline; when
every attempt fails the caller gets ``ExchangeUnavailable``. Answers are parsed by the caller's
parser, which raises ``Retryable`` for an answer that cannot be used (a malformed body is as likely to
be transient as a timeout).
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar

from orders_common.errors import ExchangeUnavailable
from orders_common.observability import logger
from orders_common.timing import has_time_for

_RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RESPONSE_BYTES = 2 * 1024 * 1024

Parsed = TypeVar("Parsed")


class Retryable(Exception):
    """An attempt that failed in a way another attempt may not."""


class InfoClient:
    def __init__(
        self,
        url: str,
        *,
        timeout_seconds: float = 2.0,
        max_attempts: int = 3,
        backoff_seconds: float = 0.1,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.timeout = timeout_seconds
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._sleep = sleep
        self.requests_sent = 0

    def ask(self, body: dict[str, Any], parse: Callable[[bytes], Parsed], *, what: str) -> Parsed:
        """``body`` posted and its answer parsed, retried as the module says; ``what`` names the data
        in logs and errors ("prices", "the BTC book")."""
        problem = "no attempt made"
        for attempt in range(1, self._max_attempts + 1):
            if not has_time_for(self.timeout):
                problem = "no time left in this invocation"
                break
            try:
                return parse(self._post(body, what))
            except Retryable as error:
                problem = str(error)
                logger.warning("Hyperliquid info request failed", what=what, attempt=attempt, error=problem)
                pause = self._backoff * 2 ** (attempt - 1) * (1 + random.random())  # noqa: S311 - jitter
                if attempt < self._max_attempts and has_time_for(pause + self.timeout):
                    self._sleep(pause)
        raise ExchangeUnavailable(f"Hyperliquid {what} are unavailable ({problem}); the order was not executed.")

    def _post(self, body: dict[str, Any], what: str) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - the URL is configuration, https in deployments
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        self.requests_sent += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload: bytes = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as error:
            if error.code in _RETRYABLE_STATUSES:
                raise Retryable(f"HTTP {error.code}") from error
            raise ExchangeUnavailable(f"Hyperliquid refused the request for {what} (HTTP {error.code}).") from error
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            raise Retryable(f"unreachable: {getattr(error, 'reason', error)}") from error
        if len(payload) > MAX_RESPONSE_BYTES:
            raise Retryable("response too large")
        return payload


def json_document(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise Retryable("malformed response") from error
