"""The matching side of the Hyperliquid stand-in: resting orders per account, IOC fills against the book the
``/info`` l2Book answers, resting orders filled when the mid crosses them, and the info documents (orderStatus,
userFills, meta) in the real API's shapes.

The book is regenerated from the mid on every look (ten 1-unit levels 1 bp apart, as ``fake_hyperliquid``
serves it): fills do not consume levels, so two identical IOCs fill at the same prices. Resting orders fill in
full at their own limit price (as a maker) once the mid reaches it; they never show in the book.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from localdev.fake_hyperliquid import Reply, Script, book_levels

# Fee rates of Hyperliquid's base tier, so fees in userFills are plausible amounts, not zeros.
TAKER_FEE = Decimal("0.00045")
MAKER_FEE = Decimal("0.00015")
DEFAULT_UNIVERSE: tuple[dict[str, Any], ...] = (
    {"name": "BTC", "szDecimals": 5, "maxLeverage": 40},
    {"name": "ETH", "szDecimals": 4, "maxLeverage": 25},
    {"name": "SOL", "szDecimals": 2, "maxLeverage": 20},
)
NOT_RESTING = "Order was never placed, already canceled, or filled. asset={asset}"


@dataclass
class VenueOrder:
    user: str  # lower-case: addresses arrive checksummed or not, the account is the same
    coin: str
    asset: int
    is_buy: bool
    limit_px: Decimal
    orig_sz: Decimal
    sz: Decimal  # what is left to fill
    oid: int
    cloid: str | None
    tif: str
    reduce_only: bool
    timestamp: int
    status: str = "open"
    status_timestamp: int = 0


def text(number: Decimal) -> str:
    """A decimal as Hyperliquid writes it: plain notation, no exponent, no trailing zeros."""
    return format(number.normalize(), "f")


class Venue:
    def __init__(
        self,
        script: Script,
        *,
        universe: tuple[dict[str, Any], ...] = DEFAULT_UNIVERSE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.script = script
        self.universe = universe
        self.clock = clock
        self.lock = threading.RLock()
        self.orders: list[VenueOrder] = []
        self.fills: dict[str, list[dict[str, Any]]] = {}
        self.positions: dict[tuple[str, str], Decimal] = {}
        self._next_oid = 1000
        self._next_tid = 1

    def millis(self) -> int:
        return int(self.clock() * 1000)

    def mids(self) -> dict[str, Decimal]:
        with self.script.lock:
            body = self.script.default.body
        return {coin: Decimal(px) for coin, px in json.loads(body).items()}

    def set_mids(self, prices: Mapping[str, Decimal | str]) -> None:
        """Move the mids the /info endpoint answers (allMids, l2Book) and fill the resting orders they cross."""
        with self.lock:
            mids = self.mids() | {coin: Decimal(px) for coin, px in prices.items()}
            with self.script.lock:
                self.script.default = Reply.mids({coin: text(px) for coin, px in mids.items()})
            for order in self.orders:
                mid = mids.get(order.coin)
                if order.status != "open" or mid is None:
                    continue
                if (order.is_buy and mid <= order.limit_px) or (not order.is_buy and mid >= order.limit_px):
                    self._fill(order, order.limit_px, order.sz, crossed=False)

    def hit(self, cloid: str, size: Decimal | str) -> None:
        """Someone trades ``size`` against a resting order (at its limit, as a maker): a partial fill to order."""
        with self.lock:
            for order in reversed(self.orders):
                if order.cloid == cloid and order.status == "open":
                    self._fill(order, order.limit_px, min(Decimal(size), order.sz), crossed=False)
                    return
            raise KeyError(f"no open order with cloid {cloid}")

    def asset_of(self, index: Any) -> dict[str, Any] | None:
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(self.universe):
            return self.universe[index]
        return None

    def place(self, user: str, wire: Mapping[str, Any], rejection: str | None = None) -> dict[str, Any]:
        """One order of an ``order`` action (the SDK's wire: a, b, p, s, r, t, c); its entry in ``statuses``."""
        with self.lock:
            return self._place(user.lower(), wire, rejection)

    def _place(self, user: str, wire: Mapping[str, Any], rejection: str | None) -> dict[str, Any]:
        order = self._parse(user, wire)
        if isinstance(order, str):
            return {"error": order}
        self.orders.append(order)
        refusal = rejection or self._refusal(order)
        if refusal is not None:
            self._close(order, "rejected" if rejection else self._rejected_status(order))
            return {"error": refusal}
        return self._match(order)

    def _parse(self, user: str, wire: Mapping[str, Any]) -> VenueOrder | str:
        """The order a wire describes, or why the venue refuses it before matching."""
        asset = wire.get("a")
        listing = self.asset_of(asset)
        if listing is None or not isinstance(asset, int):
            return f"Invalid asset: {asset}"
        tif = (wire.get("t") or {}).get("limit", {}).get("tif")
        if tif not in ("Gtc", "Ioc", "Alo"):
            return f"Only limit orders (Gtc, Ioc, Alo) are played by the stand-in. asset={asset}"
        try:
            limit_px, sz = Decimal(str(wire["p"])), Decimal(str(wire["s"]))
        except (KeyError, InvalidOperation):
            return f"Order has invalid price or size. asset={asset}"
        if limit_px <= 0 or sz <= 0 or sz != round(sz, int(listing["szDecimals"])):
            # A size finer than the coin's szDecimals is refused, as the venue does; prices are not ticked.
            return f"Order has invalid {'price' if limit_px <= 0 else 'size'}. asset={asset}"
        cloid = wire.get("c")
        if cloid is not None and self.find(user, cloid) is not None:
            return f"Duplicate cloid. asset={asset}"
        now = self.millis()
        return VenueOrder(
            user, listing["name"], asset, bool(wire.get("b")), limit_px, sz, sz, self._oid(), cloid, tif,
            bool(wire.get("r")), now, status_timestamp=now,
        )  # fmt: skip

    def _match(self, order: VenueOrder) -> dict[str, Any]:
        filled_before = len(self.fills.get(order.user, []))
        self._take(order)
        taken = self.fills.get(order.user, [])[filled_before:]
        total = sum((Decimal(fill["sz"]) for fill in taken), Decimal(0))
        cloid = {"cloid": order.cloid} if order.cloid else {}
        if order.tif == "Ioc" and total == 0:
            self._close(order, "iocCancelRejected")
            return {"error": f"Order could not immediately match against any resting orders. asset={order.asset}"}
        if order.tif == "Ioc" and order.status == "open":
            self._close(order, "canceled")  # the unfilled rest of an IOC is canceled, not kept
        if order.status == "open":
            return {"resting": {"oid": order.oid} | cloid}
        average = sum((Decimal(fill["px"]) * Decimal(fill["sz"]) for fill in taken), Decimal(0)) / total
        return {"filled": {"totalSz": text(total), "avgPx": text(average), "oid": order.oid} | cloid}

    def _refusal(self, order: VenueOrder) -> str | None:
        position = self.positions.get((order.user, order.coin), Decimal(0))
        if order.reduce_only and (position == 0 or (position > 0) == order.is_buy or order.sz > abs(position)):
            return f"Reduce only order would increase position. asset={order.asset}"
        if order.tif == "Alo" and self._crossing_levels(order):
            best = self._crossing_levels(order)[0][0]
            return f"Post only order would have immediately matched, bbo was {text(best)}. asset={order.asset}"
        return None

    @staticmethod
    def _rejected_status(order: VenueOrder) -> str:
        return "badAloPxRejected" if order.tif == "Alo" else "reduceOnlyRejected"

    def _crossing_levels(self, order: VenueOrder) -> list[tuple[Decimal, Decimal]]:
        mid = self.mids().get(order.coin)
        if mid is None:
            return []
        bids, asks = book_levels(mid)
        if order.is_buy:
            return [(px, sz) for px, sz in asks if px <= order.limit_px]
        return [(px, sz) for px, sz in bids if px >= order.limit_px]

    def _take(self, order: VenueOrder) -> None:
        for px, sz in self._crossing_levels(order):
            if order.sz == 0:
                break
            self._fill(order, px, min(sz, order.sz), crossed=True)

    def _fill(self, order: VenueOrder, px: Decimal, sz: Decimal, *, crossed: bool) -> None:
        key = (order.user, order.coin)
        start = self.positions.get(key, Decimal(0))
        self.positions[key] = start + (sz if order.is_buy else -sz)
        order.sz -= sz
        if order.sz == 0:
            self._close(order, "filled")
        fee = px * sz * (TAKER_FEE if crossed else MAKER_FEE)
        fill = {
            "coin": order.coin, "px": text(px), "sz": text(sz), "side": "B" if order.is_buy else "A",
            "time": self.millis(), "startPosition": text(start), "dir": _direction(start, order.is_buy),
            "closedPnl": "0.0", "hash": f"0x{self._next_tid:064x}", "oid": order.oid, "crossed": crossed,
            "fee": text(round(fee, 6)), "tid": self._next_tid, "feeToken": "USDC",
        }  # fmt: skip
        if order.cloid is not None:
            fill["cloid"] = order.cloid
        self._next_tid += 1
        self.fills.setdefault(order.user, []).append(fill)

    def _close(self, order: VenueOrder, status: str) -> None:
        order.status, order.status_timestamp = status, self.millis()

    def _oid(self) -> int:
        self._next_oid += 1
        return self._next_oid

    def find(self, user: str, oid_or_cloid: Any) -> VenueOrder | None:
        """An account's order by oid (an integer) or cloid (a 16-byte hex string), as orderStatus takes either."""
        field = "cloid" if isinstance(oid_or_cloid, str) else "oid"
        for order in reversed(self.orders):  # a cloid used again (after its order ended) names the latest
            if order.user == user.lower() and getattr(order, field) == oid_or_cloid:
                return order
        return None

    def cancel(self, user: str, asset: Any, oid_or_cloid: Any) -> str | dict[str, str]:
        """One cancel of a ``cancel`` or ``cancelByCloid`` action; its entry in ``statuses``."""
        with self.lock:
            order = self.find(user, oid_or_cloid)
            if order is None or order.asset != asset or order.status != "open":
                return {"error": NOT_RESTING.format(asset=asset)}
            self._close(order, "canceled")
            return "success"

    def order_status(self, user: str, oid_or_cloid: Any) -> dict[str, Any]:
        with self.lock:
            order = self.find(user, oid_or_cloid)
            if order is None:
                return {"status": "unknownOid"}
            details: dict[str, Any] = {
                "coin": order.coin, "side": "B" if order.is_buy else "A", "limitPx": text(order.limit_px),
                "sz": text(order.sz), "oid": order.oid, "timestamp": order.timestamp, "triggerCondition": "N/A",
                "isTrigger": False, "triggerPx": "0.0", "children": [], "isPositionTpsl": False,
                "reduceOnly": order.reduce_only, "orderType": "Limit", "origSz": text(order.orig_sz),
                "tif": order.tif, "cloid": order.cloid,
            }  # fmt: skip
            wrapped = {"order": details, "status": order.status, "statusTimestamp": order.status_timestamp}
            return {"status": "order", "order": wrapped}

    def user_fills(self, user: str) -> list[dict[str, Any]]:
        # Newest first, as the real endpoint lists them.
        with self.lock:
            return [dict(fill) for fill in reversed(self.fills.get(user.lower(), []))]

    def meta(self) -> dict[str, Any]:
        return {"universe": [dict(listing) for listing in self.universe]}


def _direction(start: Decimal, is_buy: bool) -> str:
    if is_buy:
        return "Close Short" if start < 0 else "Open Long"
    return "Close Long" if start > 0 else "Open Short"
