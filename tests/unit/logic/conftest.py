"""Use cases on in-memory fakes: the demo accounts, static prices, the paper exchange, a fake queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from orders_common.domain.fees import FeeSchedule
from orders_common.exchange.base import Exchange
from orders_common.exchange.books import StaticBookSource
from orders_common.exchange.paper import PaperExchange
from orders_common.logic.amend_order import AmendOrder
from orders_common.logic.cancel_after import ArmCancelAfter, RunOutSwitches
from orders_common.logic.cancel_all import CancelAll, CancelOpenOrders
from orders_common.logic.cancel_order import CancelOrder
from orders_common.logic.create_order import CreateOrder, CreateRules
from orders_common.logic.execution import ExecutionEngine
from orders_common.logic.fan_out import FanOut
from orders_common.logic.ids import ORDER_IDS, IdAllocator
from orders_common.logic.order_terms import OrderRules
from orders_common.logic.process_all import ProcessAll
from orders_common.models.order import Order
from tests.support.fakes import FakePrices, FakeQueue, InMemoryStore, demo_store

FEES = FeeSchedule(rate=Decimal("0.001"))
PRICES = {"BTC": Decimal(68500), "ETH": Decimal(3500), "SOL": Decimal(150)}
RULES = OrderRules(quantity_decimals={"BTC": 5}, price_decimals={"BTC": 1}, market_buy_buffer_bps=Decimal(100))


@dataclass
class Desk:
    store: InMemoryStore
    prices: FakePrices
    queue: FakeQueue
    exchange: Exchange
    max_order_notional: Decimal = Decimal(1_000_000)

    def __post_init__(self) -> None:
        self.ids = IdAllocator(self.store, ORDER_IDS, 10)

    @property
    def create(self) -> CreateOrder:
        rules = CreateRules(
            terms=RULES,
            idempotency_ttl_seconds=86400,
            max_slippage_bps=Decimal(50),
            max_order_notional=self.max_order_notional,
        )
        return CreateOrder(self.store, self.store, self.store, self.ids, self.prices, FEES, rules, lambda: self.engine)

    @property
    def engine(self) -> ExecutionEngine:
        return ExecutionEngine(self.store, self.store, self.store, self.prices, self.exchange)

    @property
    def cancel(self) -> CancelOrder:
        return CancelOrder(self.store, self.store, self.store)

    @property
    def amend(self) -> AmendOrder:
        return AmendOrder(self.store, self.store, self.prices, FEES, RULES, self.max_order_notional)

    @property
    def cancel_open(self) -> CancelOpenOrders:
        return CancelOpenOrders(self.store, self.store, self.store)

    @property
    def cancel_all(self) -> CancelAll:
        return CancelAll(self.store, self.cancel_open)

    @property
    def arm_switch(self) -> ArmCancelAfter:
        return ArmCancelAfter(self.store, self.store)

    @property
    def run_out_switches(self) -> RunOutSwitches:
        return RunOutSwitches(self.store, self.cancel_open)

    def process_all(self, concurrency: int = 4) -> ProcessAll:
        return ProcessAll(self.store, self.engine, lambda: self.queue, concurrency)

    @property
    def fan_out(self) -> FanOut:
        return FanOut(self.store, self.store, self.prices, self.queue, self.store, timedelta(seconds=180))

    def order(self, order_id: int) -> Order:
        found = self.store.get_order(order_id)
        assert found is not None
        return found


def paper_exchange(prices: FakePrices, level_size: Decimal = Decimal(1)) -> PaperExchange:
    """Against the static book of ``prices``: ten levels of ``level_size`` per side, 1 bp apart (make
    run's, with levels of 1 unit)."""
    books = StaticBookSource(prices, levels=10, level_size=level_size, step_bps=Decimal(1))
    return PaperExchange(books=books, fees=FEES, max_slippage_bps=Decimal(50), max_quote_age=timedelta(seconds=10))


@pytest.fixture
def desk() -> Desk:
    prices = FakePrices(PRICES)
    return Desk(demo_store(), prices, FakeQueue(), paper_exchange(prices))


def shallow_desk(level_size: Decimal) -> Desk:
    """A desk whose book has ``level_size`` at each level: what a small account can walk through."""
    prices = FakePrices(PRICES)
    return Desk(demo_store(), prices, FakeQueue(), paper_exchange(prices, level_size))
