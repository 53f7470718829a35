"""What the Hyperliquid venue client answers, as small frozen values (no SDK type leaves the client), and the
parsers that make them from the venue's JSON. A document the parsers cannot read raises ``Retryable``: as
with the price source, a malformed answer is as likely to be transient as a timeout, and is never guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from orders_common.exchange.hyperliquid_info import Retryable


@dataclass(frozen=True)
class Filled:
    """The order matched at once, in full or (an IOC) in part: ``total_size`` at ``average_price``."""

    total_size: Decimal
    average_price: Decimal
    oid: int


@dataclass(frozen=True)
class Resting:
    """A GTC/ALO order on the book, nothing filled yet."""

    oid: int


@dataclass(frozen=True)
class VenueRejected:
    """The venue refused this order (margin, tick, an IOC with nothing to match ...), in its own words."""

    reason: str


Placed = Filled | Resting | VenueRejected
OrderState = Literal["open", "filled", "canceled", "rejected"]


@dataclass(frozen=True)
class VenueOrderStatus:
    state: OrderState
    venue_status: str  # the venue's own word (iocCancelRejected, marginCanceled ...), for logs and decisions
    original_size: Decimal
    remaining_size: Decimal
    oid: int

    @property
    def filled_size(self) -> Decimal:
        return self.original_size - self.remaining_size


@dataclass(frozen=True)
class VenueFill:
    price: Decimal
    size: Decimal
    fee: Decimal
    fee_token: str
    time: datetime
    tid: int
    oid: int
    crossed: bool  # True: took liquidity (taker fee); False: a resting order was hit (maker fee)


def parse_placed(status: Any) -> Placed | None:
    """One entry of an order action's ``statuses``; None when it is none of the three known shapes."""
    if not isinstance(status, dict):
        return None
    try:
        if "filled" in status:
            filled = status["filled"]
            return Filled(_decimal(filled["totalSz"]), _decimal(filled["avgPx"]), _integer(filled["oid"]))
        if "resting" in status:
            return Resting(_integer(status["resting"]["oid"]))
    except (KeyError, TypeError, Retryable):
        return None
    if isinstance(status.get("error"), str):
        return VenueRejected(status["error"])
    return None


def state_of(venue_status: str) -> OrderState:
    """The venue's order statuses, in four: it has many ways to cancel (marginCanceled, selfTradeCanceled,
    scheduledCancel ...) and to reject (tickRejected, iocCancelRejected ...). An unknown one is not guessed."""
    if venue_status in ("open", "triggered"):  # a triggered stop is an order on the book now
        return "open"
    if venue_status == "filled":
        return "filled"
    if venue_status in ("canceled", "scheduledCancel") or venue_status.endswith("Canceled"):
        return "canceled"
    if venue_status == "rejected" or venue_status.endswith("Rejected"):
        return "rejected"
    raise Retryable(f"unknown order status {venue_status!r}")


def parse_order_status(document: Any) -> VenueOrderStatus | None:
    """An ``orderStatus`` answer: None for an order the venue does not know (``unknownOid``)."""
    if isinstance(document, dict) and document.get("status") == "unknownOid":
        return None
    try:
        wrapped = document["order"]
        order = wrapped["order"]
        return VenueOrderStatus(
            state=state_of(str(wrapped["status"])),
            venue_status=str(wrapped["status"]),
            original_size=_decimal(order["origSz"]),
            remaining_size=_decimal(order["sz"]),
            oid=_integer(order["oid"]),
        )
    except (KeyError, TypeError) as error:
        raise Retryable("malformed order status") from error


def parse_fills(document: Any, *, cloid: str, oid: int | None) -> list[VenueFill]:
    """The fills of one order in a ``userFills`` answer (newest first there), oldest first. A fill is the
    order's when it carries its cloid or, when the caller knows it, its oid."""
    if not isinstance(document, list):
        raise Retryable("malformed fills")
    fills: list[VenueFill] = []
    for fill in document:
        try:
            mine = str(fill.get("cloid", "")).lower() == cloid.lower() or (oid is not None and fill["oid"] == oid)
            if mine:
                fills.append(
                    VenueFill(
                        price=_decimal(fill["px"]),
                        size=_decimal(fill["sz"]),
                        fee=_decimal(fill["fee"]),
                        fee_token=str(fill.get("feeToken", "USDC")),
                        time=datetime.fromtimestamp(_integer(fill["time"]) / 1000, tz=UTC),
                        tid=_integer(fill["tid"]),
                        oid=_integer(fill["oid"]),
                        crossed=bool(fill["crossed"]),
                    )
                )
        except (AttributeError, KeyError, TypeError) as error:
            raise Retryable("malformed fill") from error
    return sorted(fills, key=lambda fill: (fill.time, fill.tid))


def parse_fill_times(document: Any) -> list[tuple[str, datetime]]:
    """A ``userFillsByTime`` answer as (cloid, time) of each fill that carries a cloid (orders placed with
    none, outside the desk, are left out)."""
    if not isinstance(document, list):
        raise Retryable("malformed fills")
    try:
        return [
            (str(fill["cloid"]), datetime.fromtimestamp(_integer(fill["time"]) / 1000, tz=UTC))
            for fill in document
            if fill.get("cloid")
        ]
    except (AttributeError, KeyError, TypeError) as error:
        raise Retryable("malformed fill") from error


def parse_meta(document: Any) -> dict[str, Any]:
    """A ``meta`` answer, checked for what the SDK and the rounding read: each listing's name and szDecimals.
    Kept whole and in order: an asset's number is its position in ``universe``."""
    try:
        universe = document["universe"]
        if not universe or not all(
            isinstance(listing["name"], str) and isinstance(listing["szDecimals"], int) for listing in universe
        ):
            raise Retryable("malformed meta")
    except (KeyError, TypeError) as error:
        raise Retryable("malformed meta") from error
    return {"universe": [dict(listing) for listing in universe]}


def _decimal(value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise Retryable(f"not a number: {value!r}") from error
    if not number.is_finite():
        raise Retryable(f"not a number: {value!r}")
    return number


def _integer(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Retryable(f"not an integer: {value!r}")
    return value
