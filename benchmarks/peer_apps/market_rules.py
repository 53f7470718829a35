"""The desk's per-symbol rules of a create, read from the template's settings as the project reads
them: the symbols its price source lists, the decimal places each trades in, and the largest notional
of an order (a limit order's: the peers have no market price)."""

from __future__ import annotations

import os
from decimal import Decimal


def _by_symbol(setting: str) -> dict[str, str]:
    pairs = (pair.split("=", 1) for pair in os.environ[setting].split(",") if pair.strip())
    return {symbol.strip().upper(): value.strip() for symbol, value in pairs}


LISTED = frozenset(_by_symbol("STATIC_PRICES"))
QUANTITY_DECIMALS = {symbol: int(places) for symbol, places in _by_symbol("QUANTITY_DECIMALS").items()}
PRICE_DECIMALS = {symbol: int(places) for symbol, places in _by_symbol("PRICE_DECIMALS").items()}
MAX_ORDER_NOTIONAL = Decimal(os.environ["MAX_ORDER_NOTIONAL"])


def refusal(symbol: str, quantity: Decimal, price: Decimal | None) -> str | None:
    """Why the desk refuses an order of ``symbol`` (upper case), or None."""
    if symbol not in LISTED:
        return f"{symbol} is not listed"
    if _places(quantity) > QUANTITY_DECIMALS.get(symbol, 8):
        return f"{symbol} quantities have at most {QUANTITY_DECIMALS[symbol]} decimal places"
    if price is not None and _places(price) > PRICE_DECIMALS.get(symbol, 8):
        return f"{symbol} prices have at most {PRICE_DECIMALS[symbol]} decimal places"
    if price is not None and price * quantity > MAX_ORDER_NOTIONAL:
        return f"the order's notional is over {MAX_ORDER_NOTIONAL}"
    return None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
