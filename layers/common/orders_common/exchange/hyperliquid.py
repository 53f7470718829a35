"""Hyperliquid's public mid prices (``POST /info {"type": "allMids"}``), the deployed price source.

One request answers every symbol, so prices are fetched once and shared by every order of an
invocation (a process-all run or an SQS batch), for at most ``cache_seconds``. Failures are retried
with exponential backoff and jitter, never past the invocation's deadline; when every attempt fails,
callers get ``ExchangeUnavailable``, and so does every later call of that invocation, at once: a batch
of ten orders must not wait ten times for a venue that is down.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from orders_common.errors import ExchangeUnavailable, UnknownSymbol
from orders_common.observability import logger
from orders_common.timing import has_time_for

_RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_RESPONSE_BYTES = 2 * 1024 * 1024


class _Retryable(Exception):
    pass


class HyperliquidPriceSource:
    name = "hyperliquid"

    def __init__(
        self,
        url: str,
        *,
        timeout_seconds: float = 2.0,
        max_attempts: int = 3,
        backoff_seconds: float = 0.1,
        cache_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url = url
        self._timeout = timeout_seconds
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._mids: dict[str, Decimal] | None = None
        self._fetched_at = 0.0
        self._outage: ExchangeUnavailable | None = None
        self.requests_sent = 0

    def get_price(self, symbol: str) -> Decimal:
        price = self._current_mids().get(symbol.upper())
        if price is None:
            raise UnknownSymbol(symbol)
        return price

    def clear_cache(self) -> None:
        """Forget the prices, and any outage (called at the start of every invocation)."""
        with self._lock:
            self._mids = None
            self._outage = None

    def _current_mids(self) -> dict[str, Decimal]:
        # One fetch at a time: concurrent executions of a process-all run share its answer.
        with self._lock:
            if self._outage is not None:
                raise self._outage
            if self._mids is None or self._clock() - self._fetched_at > self._cache_seconds:
                try:
                    self._mids = self._fetch_with_retries()
                except ExchangeUnavailable as outage:
                    self._outage = outage
                    raise
                self._fetched_at = self._clock()
            return self._mids

    def _fetch_with_retries(self) -> dict[str, Decimal]:
        problem = "no attempt made"
        for attempt in range(1, self._max_attempts + 1):
            if not has_time_for(self._timeout):
                problem = "no time left in this invocation"
                break
            try:
                return self._fetch()
            except _Retryable as error:
                problem = str(error)
                logger.warning("Hyperliquid prices failed", attempt=attempt, error=problem)
                pause = self._backoff * 2 ** (attempt - 1) * (1 + random.random())  # noqa: S311 - jitter
                if attempt < self._max_attempts and has_time_for(pause + self._timeout):
                    self._sleep(pause)
        raise ExchangeUnavailable(f"Hyperliquid prices are unavailable ({problem}); the order was not executed.")

    def _fetch(self) -> dict[str, Decimal]:
        request = urllib.request.Request(  # noqa: S310 - the URL is configuration, https in deployments
            self._url,
            data=b'{"type": "allMids"}',
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        self.requests_sent += 1
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                payload = response.read(_MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as error:
            if error.code in _RETRYABLE_STATUSES:
                raise _Retryable(f"HTTP {error.code}") from error
            raise ExchangeUnavailable(f"Hyperliquid refused the price request (HTTP {error.code}).") from error
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            raise _Retryable(f"unreachable: {getattr(error, 'reason', error)}") from error
        if len(payload) > _MAX_RESPONSE_BYTES:
            raise _Retryable("response too large")
        return _parse_mids(payload)


def _parse_mids(payload: bytes) -> dict[str, Decimal]:
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise _Retryable("malformed response") from error
    if not isinstance(document, dict):
        raise _Retryable("malformed response")
    mids: dict[str, Decimal] = {}
    for symbol, text in document.items():
        try:
            price = Decimal(str(text))
        except InvalidOperation:
            continue  # one malformed price makes that symbol unknown, not every symbol
        if price.is_finite() and price > 0:
            mids[str(symbol).upper()] = price
    if not mids:
        raise _Retryable("no prices in response")
    return mids
