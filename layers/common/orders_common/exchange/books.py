"""The static book source: a synthetic, deterministic book around the static price (local runs and
tests), so that depth, partial fills and slippage behave as on a venue without one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from orders_common.domain.book import OrderBook, synthetic_book
from orders_common.models.numbers import utc_now

if TYPE_CHECKING:
    from orders_common.exchange.base import PriceSource


class StaticBookSource:
    """``levels`` per side of ``level_size`` units, ``step_bps`` apart, around the price source's mid:
    the book moves with the price (``/_local/prices`` moves both)."""

    def __init__(
        self,
        prices: PriceSource,
        *,
        levels: int,
        level_size: Decimal,
        step_bps: Decimal,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._prices = prices
        self._levels = levels
        self._level_size = level_size
        self._step_bps = step_bps
        self._clock = clock

    def get_book(self, symbol: str) -> OrderBook:
        mid = self._prices.get_price(symbol)
        return synthetic_book(
            symbol.upper(),
            mid,
            levels=self._levels,
            level_size=self._level_size,
            step_bps=self._step_bps,
            quoted_at=self._clock(),
        )
