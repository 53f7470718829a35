"""Hyperliquid's rules for what an order may say, as pure functions: the client order id an order gets, and
sizes and prices rounded to the venue's tick and lot size, always in the direction that cannot harm the client.

The tick and lot size rules (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/tick-and-lot-size):
a size has at most the asset's ``szDecimals`` decimal places; a price has at most 5 significant figures and at
most ``MAX_DECIMALS - szDecimals`` decimal places (``MAX_DECIMALS`` is 6 for perps, 8 for spot), and an integer
price is always allowed, whatever its significant figures. The SDK's own market-order helper
(``Exchange._slippage_price``) rounds the same way, with a float and to the nearest; here it is exact and directed.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal

# A cloid is 16 bytes. The first 8 say "this desk" (ASCII "hyperoru"), so the desk's orders can be told from
# any other on the account; the last 8 are the order id. Stable: every retry, in any container, sends the same.
CLOID_PREFIX = b"hyperoru".hex()
PERP_MAX_DECIMALS = 6
MAX_SIGNIFICANT_FIGURES = 5
_BPS = Decimal(10_000)


class BelowVenueMinimum(ValueError):
    """A size or price that rounds to nothing under the venue's rules: there is no order to send."""


def cloid_for(order_id: int) -> str:
    """The venue's client order id for an order: ``0x`` and 32 hex digits (what the SDK's ``Cloid`` accepts)."""
    if not 0 < order_id < 2**64:
        raise ValueError(f"order id {order_id} does not fit the 8 bytes a cloid keeps for it")
    return f"0x{CLOID_PREFIX}{order_id:016x}"


def order_id_of(cloid: str) -> int | None:
    """The order id in one of this desk's cloids; None for a cloid the desk did not make."""
    raw = cloid.lower()
    if len(raw) != 34 or not raw.startswith("0x" + CLOID_PREFIX):
        return None
    try:
        return int(raw[2 + len(CLOID_PREFIX) :], 16) or None
    except ValueError:
        return None


def round_size(size: Decimal, sz_decimals: int) -> Decimal:
    """``size`` to the asset's lot, toward zero: the venue is never sent more than was ordered."""
    rounded = size.quantize(Decimal(1).scaleb(-sz_decimals), rounding=ROUND_DOWN)
    if rounded <= 0:
        raise BelowVenueMinimum(f"size {size} is below the venue's lot of {Decimal(1).scaleb(-sz_decimals)}")
    return _plain(rounded)


def round_price(price: Decimal, sz_decimals: int, *, is_buy: bool) -> Decimal:
    """A limit price on the venue's tick, never worse for the client than ``price``: a buy's rounded down, a
    sell's rounded up."""
    if price <= 0:
        raise BelowVenueMinimum(f"price {price} is not positive")
    places = _price_places(price, sz_decimals)
    rounded = price.quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR if is_buy else ROUND_CEILING)
    # Rounding a sell up can only cross into a larger magnitude (fewer places allowed) by landing exactly on a
    # power of ten (9.99996 -> 10.0000), which is on every tick: no second rounding is needed.
    if rounded <= 0:
        raise BelowVenueMinimum(f"price {price} rounds to zero on the venue's tick")
    return _plain(rounded)


def ioc_limit_for_market(mid: Decimal, max_slippage_bps: Decimal, sz_decimals: int, *, is_buy: bool) -> Decimal:
    """The limit of the IOC order that plays a market order: the mid moved by the slippage the order allows, in
    the order's direction, then rounded inward (a buy down, a sell up) so it never allows more than that."""
    factor = 1 + max_slippage_bps / _BPS if is_buy else 1 - max_slippage_bps / _BPS
    return round_price(mid * factor, sz_decimals, is_buy=is_buy)


def _price_places(price: Decimal, sz_decimals: int) -> int:
    """Decimal places a price of this magnitude may have: 5 significant figures (none past the point once the
    integer part has 5 digits or more: integers are always valid), and never more than 6 - szDecimals."""
    significant = max(0, MAX_SIGNIFICANT_FIGURES - 1 - price.adjusted())
    return max(0, min(PERP_MAX_DECIMALS - sz_decimals, significant))


def _plain(number: Decimal) -> Decimal:
    """Without trailing zeros, and without an exponent (68000, not 6.8E+4): what the wire format writes."""
    normalized = number.normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral_value() else normalized


# The venue refuses an order worth less than this (in USDC) when it is placed.
MIN_ORDER_VALUE = Decimal(10)


def order_refusal(
    *,
    sz_decimals: int | None,
    quantity: Decimal | None,
    quote_quantity: Decimal | None,
    limit_price: Decimal | None,
    reference_price: Decimal,
    fill_or_kill: bool,
) -> str | None:
    """Why the venue would refuse an order as written, said before it is stored; None when it would take it.
    ``reference_price`` values a market order (the mid) and is the limit for a limit order."""
    if sz_decimals is None:
        return "the venue does not list this coin"
    if fill_or_kill:
        return "the venue has no fill-or-kill orders; use ioc"
    lot = Decimal(1).scaleb(-sz_decimals)
    if quantity is not None and quantity != quantity.quantize(lot, rounding=ROUND_DOWN):
        return f"quantity {quantity} is not a multiple of the venue's lot size {_plain(lot)}"
    tick = None if limit_price is None else _tick_refusal(limit_price, sz_decimals)
    if tick is not None:
        return tick
    value = quote_quantity if quantity is None else quantity * (limit_price or reference_price)
    if value is not None and value < MIN_ORDER_VALUE:
        return f"order value {value.normalize():f} is below the venue's minimum of {MIN_ORDER_VALUE} USDC"
    return None


def _tick_refusal(price: Decimal, sz_decimals: int) -> str | None:
    try:
        on_tick = round_price(price, sz_decimals, is_buy=True) == price
    except BelowVenueMinimum as refused:
        return str(refused)
    if on_tick:
        return None
    return (
        f"price {price} is not on the venue's tick: at most {MAX_SIGNIFICANT_FIGURES} significant figures and "
        f"{_price_places(price, sz_decimals)} decimal places at this price"
    )
