"""The queue, prices and an external venue, in memory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from orders_common.errors import ExchangeUnavailable, StoreUnavailable, UnknownSymbol
from orders_common.exchange.base import Decision
from orders_common.models.order import Order


@dataclass
class FakeQueue:
    """The execution queue (or its DLQ): remembers what was sent; ``waiting`` is what its depth says;
    ``down`` makes every send and depth read fail."""

    sent: list[int] = field(default_factory=list)
    down: bool = False
    waiting: int = 0

    def approximate_messages(self) -> int:
        if self.down:
            raise StoreUnavailable("The queue's depth could not be read.")
        return self.waiting

    def send(self, order_ids: Iterable[int]) -> int:
        if self.down:
            raise StoreUnavailable("The execution queue is unavailable; try again shortly.")
        ids = list(order_ids)
        self.sent += ids
        return len(ids)


class FakePrices:
    """Prices a test sets; ``down`` makes every request fail as an unreachable venue does."""

    name = "fake"

    def __init__(self, prices: Mapping[str, Decimal]) -> None:
        self.prices = dict(prices)
        self.down = False
        self.requests = 0

    def get_price(self, symbol: str) -> Decimal:
        self.requests += 1
        if self.down:
            raise ExchangeUnavailable("prices are unavailable")
        try:
            return self.prices[symbol]
        except KeyError:
            raise UnknownSymbol(symbol) from None

    def probe(self) -> None:
        """Health's check: one request, failing as get_price does when the venue is down."""
        self.requests += 1
        if self.down:
            raise ExchangeUnavailable("prices are unavailable")

    def get_prices(self, symbols: Iterable[str]) -> dict[str, Decimal]:
        self.requests += 1
        if self.down:
            raise ExchangeUnavailable("prices are unavailable")
        return {symbol: self.prices[symbol] for symbol in symbols if symbol in self.prices}


class ScriptedExchange:
    """An external venue whose answers a test scripts: a decision, or an exception, per call."""

    name = "scripted"
    is_external = True

    def __init__(self) -> None:
        self.answers: list[Decision | BaseException] = []
        self.received: dict[str, Decision] = {}
        self.calls = 0

    def execute(self, order: Order, market_price: Decimal, client_order_id: str) -> Decision:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        self.received[client_order_id] = answer
        return answer

    def find(self, order: Order, client_order_id: str) -> Decision | None:
        return self.received.get(client_order_id)

    def rests(self, order: Order) -> bool:
        return False  # what it does not fill at once, it does not keep

    def withdraw(self, order: Order) -> bool:
        return False
