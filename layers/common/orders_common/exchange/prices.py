"""The static price source: a fixed table (the ``PriceSource`` port is in ``exchange.base``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from orders_common.errors import ExchangeUnavailable, UnknownSymbol


class StaticPriceSource:
    """A fixed table (local runs and tests): deterministic, never unavailable."""

    name = "static"

    def __init__(self, prices: Mapping[str, Decimal]) -> None:
        self._prices = {symbol.upper(): price for symbol, price in prices.items()}

    def get_price(self, symbol: str) -> Decimal:
        try:
            return self._prices[symbol.upper()]
        except KeyError:
            raise UnknownSymbol(symbol) from None

    def probe(self) -> None:
        """Available unless the table is empty (STATIC_PRICES unset): then every order's symbol is unknown."""
        if not self._prices:
            raise ExchangeUnavailable("No static prices are configured (STATIC_PRICES is empty).")

    def get_prices(self, symbols: Iterable[str]) -> dict[str, Decimal]:
        return known_prices(self._prices, symbols)


def known_prices(table: Mapping[str, Decimal], symbols: Iterable[str]) -> dict[str, Decimal]:
    """The prices ``table`` (by upper-case symbol) has of ``symbols``."""
    wanted = {symbol.upper() for symbol in symbols}
    return {symbol: table[symbol] for symbol in wanted if symbol in table}
