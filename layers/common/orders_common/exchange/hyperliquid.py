"""Hyperliquid's public mid prices (``POST /info {"type": "allMids"}``), the deployed price source.

One request answers every symbol, so prices are fetched once and shared by every order of an
invocation (a process-all run or an SQS batch), for at most ``cache_seconds``. Failures are retried
(``hyperliquid_info``); when every attempt fails, callers get ``ExchangeUnavailable``, and so does every
later call of that invocation, at once: a batch of ten orders must not wait ten times for a venue that
is down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from orders_common.errors import ExchangeUnavailable, UnknownSymbol
from orders_common.exchange.hyperliquid_info import InfoClient, Retryable, json_document
from orders_common.exchange.prices import known_prices


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
        self.info = InfoClient(
            url,
            timeout_seconds=timeout_seconds,
            max_attempts=max_attempts,
            backoff_seconds=backoff_seconds,
            sleep=sleep,
        )
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._mids: dict[str, Decimal] | None = None
        self._fetched_at = 0.0
        self._outage: ExchangeUnavailable | None = None

    @property
    def requests_sent(self) -> int:
        return self.info.requests_sent

    def get_price(self, symbol: str) -> Decimal:
        price = self._current_mids().get(symbol.upper())
        if price is None:
            raise UnknownSymbol(symbol)
        return price

    def get_prices(self, symbols: Iterable[str]) -> dict[str, Decimal]:
        return known_prices(self._current_mids(), symbols)

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
                    self._mids = self.info.ask({"type": "allMids"}, _parse_mids, what="prices")
                except ExchangeUnavailable as outage:
                    self._outage = outage
                    raise
                self._fetched_at = self._clock()
            return self._mids


class HyperliquidPriceProbe:
    """Health's look at Hyperliquid's mids: one ``allMids`` request, one attempt, a short timeout, nothing
    remembered (a monitor polling a venue that is down must neither wait through retries nor see an old
    answer)."""

    name = "hyperliquid"

    def __init__(self, url: str, *, timeout_seconds: float) -> None:
        self.info = InfoClient(url, timeout_seconds=timeout_seconds, max_attempts=1)

    def probe(self) -> None:
        self.info.ask({"type": "allMids"}, _parse_mids, what="prices")


def _parse_mids(payload: bytes) -> dict[str, Decimal]:
    document = json_document(payload)
    if not isinstance(document, dict):
        raise Retryable("malformed response")
    mids: dict[str, Decimal] = {}
    for symbol, text in document.items():
        try:
            price = Decimal(str(text))
        except InvalidOperation:
            continue  # one malformed price makes that symbol unknown, not every symbol
        if price.is_finite() and price > 0:
            mids[str(symbol).upper()] = price
    if not mids:
        raise Retryable("no prices in response")
    return mids
