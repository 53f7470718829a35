"""Hyperliquid's order books (``POST /info {"type": "l2Book", "coin": ...}``), the deployed book source.

A book is fetched at most once per symbol per invocation (and kept for at most ``cache_seconds``),
with the retries of ``hyperliquid_info``; a symbol whose book could not be had stays unavailable for
the rest of the invocation, without waiting again. The answer's ``levels`` are two lists of
``{"px", "sz", "n"}``; which one holds the bids is decided by price (the bids are the lower side), so a
reordering of the answer cannot turn a buy into a trade against bids.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from orders_common.domain.book import Level, OrderBook
from orders_common.errors import ExchangeUnavailable, UnknownSymbol
from orders_common.exchange.hyperliquid_info import InfoClient, Retryable, json_document


class HyperliquidBookSource:
    def __init__(
        self, info: InfoClient, *, cache_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.info = info
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._books: dict[str, tuple[float, OrderBook]] = {}
        self._outages: dict[str, ExchangeUnavailable] = {}

    def get_book(self, symbol: str) -> OrderBook:
        coin = symbol.upper()
        with self._lock:
            if coin in self._outages:
                raise self._outages[coin]
            cached = self._books.get(coin)
            if cached is not None and self._clock() - cached[0] <= self._cache_seconds:
                return cached[1]
            try:
                book = self.info.ask({"type": "l2Book", "coin": coin}, _book_parser(coin), what=f"the {coin} book")
            except ExchangeUnavailable as outage:
                self._outages[coin] = outage
                raise
            self._books[coin] = (self._clock(), book)
            return book

    def clear_cache(self) -> None:
        """Forget books and outages (at the start of every invocation)."""
        with self._lock:
            self._books.clear()
            self._outages.clear()


def _book_parser(coin: str) -> Callable[[bytes], OrderBook]:
    def parse(payload: bytes) -> OrderBook:
        document = json_document(payload)
        if document is None:
            raise UnknownSymbol(coin)  # Hyperliquid answers null for a coin it does not list
        if not isinstance(document, dict) or not isinstance(document.get("levels"), list):
            raise Retryable("malformed book")
        sides = document["levels"]
        if len(sides) != 2:
            raise Retryable("malformed book")
        first, second = (_levels(side) for side in sides)
        bids, asks = (first, second) if _best(first, max) <= _best(second, min) else (second, first)
        quoted_at = _quote_time(document.get("time"))
        return OrderBook(
            symbol=coin,
            bids=tuple(sorted(bids, key=lambda level: level.price, reverse=True)),
            asks=tuple(sorted(asks, key=lambda level: level.price)),
            quoted_at=quoted_at,
        )

    return parse


def _levels(side: Any) -> list[Level]:
    if not isinstance(side, list):
        raise Retryable("malformed book")
    levels = []
    for entry in side:
        try:
            price, size = Decimal(str(entry["px"])), Decimal(str(entry["sz"]))
        except (KeyError, TypeError, InvalidOperation):
            raise Retryable("malformed book level") from None
        if not (price.is_finite() and size.is_finite()) or price <= 0 or size <= 0:
            raise Retryable("malformed book level")
        levels.append(Level(price, size))
    return levels


def _best(levels: list[Level], pick: Callable[..., Decimal]) -> Decimal:
    return pick((level.price for level in levels), default=Decimal(0) if pick is max else Decimal("Infinity"))


def _quote_time(millis: Any) -> datetime:
    if isinstance(millis, bool) or not isinstance(millis, int) or millis <= 0:
        raise Retryable("book without a time")
    return datetime.fromtimestamp(millis / 1000, tz=UTC)
