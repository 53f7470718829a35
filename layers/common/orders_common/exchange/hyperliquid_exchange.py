"""Hyperliquid as the desk's exchange: the engine's ``Exchange`` port over the venue client.

How an order lives there: a market order (and an IOC limit order) is sent as an IOC limit order bounded by
its slippage, and settles as soon as the venue lists its fills; a GTC or GTD limit order is sent as GTC and
rests on the venue's book, open here too with the venue's order id, and what it fills is picked up later by
``find`` (the schedule and the queue ask for every open order). Every order is sent with the same client
order id (``cloid_for``), so what became of it can always be asked by that id, whatever answer was lost.

What an order is told of its fills is the venue's list of fills (price, size, fee), taken in the venue's
order: the fills after the quantity already recorded are the new ones, and a fill is applied in a change
conditional on the order's version, so a fill is recorded once however many executors look at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from orders_common.domain.money import ZERO, add, divide, multiply, to_places
from orders_common.errors import ExchangeUnavailable
from orders_common.exchange.base import (
    Accepted,
    CancelledByVenue,
    Decision,
    Fill,
    FillPart,
    NotMarketable,
    Rejected,
)
from orders_common.exchange.hyperliquid_answers import Filled, Resting, VenueFill, VenueOrderStatus, VenueRejected
from orders_common.exchange.hyperliquid_credentials import SECRET_MAX_AGE_SECONDS
from orders_common.exchange.hyperliquid_rules import cloid_for, ioc_limit_for_market, order_id_of, order_refusal
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, Side, TimeInForce
from orders_common.observability import logger

if TYPE_CHECKING:
    from orders_common.exchange.hyperliquid_venue import TimeInForce as VenueTif
    from orders_common.exchange.hyperliquid_venue import VenueClient

# The venue's words for an IOC that found nothing to match: not a refusal of the order, just no market.
NO_MATCH = "Order could not immediately match"
USDC = "USDC"


def rests_on_book(order: Order) -> bool:
    """Whether the order is sent as GTC (a limit order kept until filled, cancelled or expired), not IOC."""
    return order.trades_at_limit and order.time_in_force in (TimeInForce.GTC, TimeInForce.GTD)


class HyperliquidExchange:
    is_external = True

    def __init__(
        self,
        connect: Callable[[], VenueClient],
        *,
        network: str,
        max_slippage_bps: Decimal,
        reconnect_after_seconds: float = SECRET_MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = f"hyperliquid-{network}"
        self._connect = connect
        self._client: VenueClient | None = None
        self._connected_at = 0.0
        self._lock = threading.Lock()
        self._max_slippage_bps = max_slippage_bps
        self._reconnect_after = reconnect_after_seconds
        self._clock = clock

    @property
    def client(self) -> VenueClient:
        """Connected on first use (the secret read, the listings fetched) and again every few minutes, so a
        rotated key is picked up without a deploy; kept by the container in between."""
        with self._lock:
            if self._client is None or self._clock() - self._connected_at >= self._reconnect_after:
                self._client = self._connect()
                self._connected_at = self._clock()
            return self._client

    def execute(self, order: Order, market_price: Decimal, client_order_id: str) -> Decision:
        client = self.client
        cloid = cloid_for(order.id)
        sz_decimals = client.sz_decimals(order.symbol)
        if sz_decimals is None:
            return Rejected(f"{order.symbol} is not listed on the venue")
        is_buy = order.side is Side.BUY
        gtc = rests_on_book(order)
        if order.trades_at_limit and order.price is not None:
            limit = order.price
        else:
            slippage = order.max_slippage_bps if order.max_slippage_bps is not None else self._max_slippage_bps
            limit = ioc_limit_for_market(market_price, slippage, sz_decimals, is_buy=is_buy)
        if order.quantity is None:  # a notional buy: what its cash buys at the limit
            size = divide(order.quote_quantity or ZERO, limit)
        else:
            size = order.quantity - order.filled_quantity
        tif: VenueTif = "Gtc" if gtc else "Ioc"
        placed = client.place(order.symbol, is_buy, size, limit, tif, reduce_only=not is_buy, cloid=cloid)
        if isinstance(placed, VenueRejected):
            if placed.reason.startswith(NO_MATCH):
                return NotMarketable()
            return Rejected(f"refused by the venue: {placed.reason}")
        oid = placed.oid if isinstance(placed, Filled | Resting) else None
        logger.info("Order accepted by the venue", order_id=order.id, exchange=self.name, venue_order_id=oid)
        # From here the venue has the order: no failure may put it back to pending (it would be sent again).
        try:
            status = client.order_status(cloid)
            if status is not None:
                return self._progress(order, cloid, status)
        except ExchangeUnavailable as error:
            logger.warning("Venue order accepted; its fills are read later", order_id=order.id, error=str(error))
        return Accepted(str(oid), rests=gtc)  # acknowledged, so known there: its reads are just behind

    def find(self, order: Order, client_order_id: str) -> Decision | None:
        cloid = cloid_for(order.id)
        status = self.client.order_status(cloid)
        if status is None:
            return None
        return self._progress(order, cloid, status)

    def rests(self, order: Order) -> bool:
        return (
            order.exchange == self.name
            and order.exchange_order_id is not None
            and order.is_open
            and rests_on_book(order)
        )

    def withdraw(self, order: Order) -> bool:
        withdrawn = self.client.cancel(order.symbol, cloid_for(order.id))
        logger.info("Order cancelled on the venue" if withdrawn else "Order no longer resting on the venue",
                    order_id=order.id, exchange=self.name)  # fmt: skip
        return withdrawn

    def fills_since(self, since: datetime) -> list[tuple[int, datetime]]:
        """(order id, time) of the venue's fills of the desk's orders from ``since`` on: what the schedule follows."""
        fills = []
        for cloid, at in self.client.fill_times(since):
            order_id = order_id_of(cloid)
            if order_id is not None:
                fills.append((order_id, at))
        return fills

    def refusal(self, order: Order, market_price: Decimal) -> str | None:
        """Why the venue would refuse ``order`` (checked at create, before it is stored)."""
        return order_refusal(
            sz_decimals=self.client.sz_decimals(order.symbol),
            quantity=order.quantity,
            quote_quantity=order.quote_quantity,
            limit_price=order.price if order.trades_at_limit else None,
            reference_price=market_price,
            fill_or_kill=order.time_in_force is TimeInForce.FOK,
        )

    def _progress(self, order: Order, cloid: str, status: VenueOrderStatus) -> Decision:
        """What the venue's order says that ``order`` (as recorded) does not know yet."""
        oid = str(status.oid)
        gtc = rests_on_book(order)
        recorded = order.filled_quantity
        if status.filled_size < recorded:
            logger.error("The venue reports less filled than recorded", order_id=order.id,
                         venue_filled=str(status.filled_size), recorded=str(recorded))  # fmt: skip
            raise ExchangeUnavailable(f"The venue's record of order {order.id} is behind this desk's; not settled now.")
        if status.filled_size > recorded:
            fills = self.client.fills(cloid, status.oid)
            listed = sum((fill.size for fill in fills), ZERO)
            new = unrecorded(fills, recorded, order.id)
            # A resting order takes what is listed; an IOC ends with its first fill, so it waits for all of it.
            if new and (gtc or (status.state != "open" and listed >= status.filled_size)):
                return self._fill(new, oid)
            return Accepted(oid, rests=gtc)
        if status.state in ("open", "filled"):
            return Accepted(oid, rests=gtc)
        if not gtc:
            return NotMarketable()  # an IOC that ended with nothing (more) filled
        if status.state == "canceled":
            return CancelledByVenue(f"cancelled on the venue ({status.venue_status})")
        return Rejected(f"refused by the venue ({status.venue_status})")

    def _fill(self, fills: list[VenueFill], oid: str) -> Fill:
        parts = tuple(FillPart(None, fill.price, fill.size, commission_of(fill)) for fill in fills)
        quantity = notional = commission = ZERO
        for part in parts:
            quantity = add(quantity, part.quantity)
            notional = add(notional, multiply(part.price, part.quantity))
            commission = add(commission, part.commission)
        return Fill(
            price=to_places(divide(notional, quantity)),
            quantity=quantity,
            commission=commission,
            exchange=self.name,
            exchange_order_id=oid,
            executed_at=utc_now(),  # the desk's clock: an order's times never go back
            parts=parts,
        )


def unrecorded(fills: list[VenueFill], recorded: Decimal, order_id: int) -> list[VenueFill]:
    """The fills after the first ones that make up ``recorded`` (fills are applied whole, in the venue's order)."""
    total = ZERO
    for index, fill in enumerate(fills):
        if total == recorded:
            return fills[index:]
        total = add(total, fill.size)
        if total > recorded:
            break
    if total == recorded:
        return []
    logger.error("The venue's fills do not add up to what was recorded", order_id=order_id, recorded=str(recorded))
    raise ExchangeUnavailable(f"The venue's fills of order {order_id} do not match this desk's; not settled now.")


def commission_of(fill: VenueFill) -> Decimal:
    """The venue's fee, charged to the account. A rebate (a negative fee) is the desk's, not paid out; a fee in
    another token has no cash price here and is left at zero (logged)."""
    if fill.fee_token != USDC:
        logger.warning("Venue fee in a token other than USDC not charged", tid=fill.tid, token=fill.fee_token)
        return ZERO
    return max(fill.fee, ZERO)
