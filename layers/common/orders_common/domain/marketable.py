"""When an order can trade against the market price: the one rule the paper exchange fills by and the
schedule decides what to send to the executor by."""

from __future__ import annotations

from decimal import Decimal


def can_trade(*, side: str, limit_price: Decimal | None, market_price: Decimal) -> bool:
    """A market order always can; a limit buy when the market is at or below its limit, a limit sell
    when the market is at or above it."""
    if limit_price is None:
        return True
    return market_price <= limit_price if side == "buy" else market_price >= limit_price
