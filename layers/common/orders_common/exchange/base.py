"""The venue ports: where prices come from, the exchange interface, and the outcomes of one execution attempt."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from orders_common.domain.book import OrderBook
    from orders_common.models.order import Order


@dataclass(frozen=True)
class FillPart:
    """What one level of the book gave: one fill record."""

    level: int | None  # 1 is the best level; None when the venue does not say
    price: Decimal
    quantity: Decimal
    commission: Decimal


@dataclass(frozen=True)
class Fill:
    """What one execution attempt filled: the totals of its parts (``price`` their average), which may
    be less than the order's remaining quantity."""

    price: Decimal
    quantity: Decimal
    commission: Decimal
    exchange: str
    exchange_order_id: str
    executed_at: datetime
    parts: tuple[FillPart, ...] = ()

    def records(self) -> tuple[FillPart, ...]:
        """The fill records to keep: its parts, or itself as one part."""
        return self.parts or (FillPart(None, self.price, self.quantity, self.commission),)


@dataclass(frozen=True)
class NotMarketable:
    """Nothing to take: a limit the market has not reached, an empty book within a market order's
    slippage, or a fill-or-kill order the book cannot fill whole. The order stays as it is."""


@dataclass(frozen=True)
class Rejected:
    reason: str


@dataclass(frozen=True)
class Accepted:
    """A venue took the order and nothing more is known yet. ``rests``: it is on the venue's book (a GTC
    limit order), open here too, and its fills come later by ``Exchange.find``; otherwise (an IOC whose
    fills the venue has not listed yet) it stays ``executing`` until they are."""

    exchange_order_id: str
    rests: bool


@dataclass(frozen=True)
class CancelledByVenue:
    """The venue ended an order resting there (margin, self-trade, its own cancel) with nothing more to fill."""

    reason: str


Decision = Fill | NotMarketable | Rejected | Accepted | CancelledByVenue


class AmbiguousOutcome(Exception):
    """The exchange may or may not have received the order (a timeout after sending, a lost
    response). The order stays ``executing`` until ``Exchange.find`` says what became of it."""


class Exchange(Protocol):
    """Executes one order against a market price.

    ``is_external`` says the call leaves this process (a live venue). The execution engine then
    claims the order (status ``executing``) before calling ``execute`` with a client order id, and
    after an ambiguous outcome (timeout, lost response) asks ``find`` what became of that id, so an
    order can never be filled twice. An order resting on the venue (``rests``) is never sent again:
    ``find`` tells what it filled since ``order`` was recorded, and ``withdraw`` takes it off the venue.
    """

    name: str
    is_external: bool

    def execute(self, order: Order, market_price: Decimal, client_order_id: str) -> Decision: ...

    def find(self, order: Order, client_order_id: str) -> Decision | None:
        """What became of ``order`` on the venue since it was recorded as it is: None if never received."""
        ...

    def rests(self, order: Order) -> bool:
        """Whether ``order`` rests on this venue's book (its fills arrive there, not by sending it)."""
        ...

    def withdraw(self, order: Order) -> bool:
        """Cancel a resting ``order`` on the venue; False when it was no longer resting there."""
        ...


class PriceSource(Protocol):
    name: str

    def get_price(self, symbol: str) -> Decimal:
        """The current mid price; raises ``UnknownSymbol`` or ``ExchangeUnavailable``."""
        ...

    def get_prices(self, symbols: Iterable[str]) -> dict[str, Decimal]:
        """The current mid prices of ``symbols`` in one request, by upper-case symbol; a symbol without
        a price is left out. Raises ``ExchangeUnavailable``."""
        ...


class PriceProbe(Protocol):
    """What health asks of the price source: cheap, bounded, and never retried."""

    name: str

    def probe(self) -> None:
        """Raises ``ExchangeUnavailable`` when prices cannot be had (one request for every symbol at most)."""
        ...


class BookSource(Protocol):
    def get_book(self, symbol: str) -> OrderBook:
        """The symbol's order book, best levels first; raises ``UnknownSymbol`` or ``ExchangeUnavailable``."""
        ...


def client_order_id_for(order: Order) -> str:
    """The id this service gives an order on an exchange: stable, so retries reuse it."""
    return f"hyperoru-{order.id}"
