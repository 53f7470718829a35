"""An order desk trading on the local Hyperliquid stand-in (which verifies every signature): the use cases on the
in-memory store, the real venue adapter and client, prices from the venue's own mids. The execution tests
(tests/integration/test_hyperliquid_execution.py) and the venue requests benchmark (benchmarks.venue_requests)
run on it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from eth_account import Account

from localdev.fake_hyperliquid_exchange import FakeExchange, fake_hyperliquid_venue
from orders_common.auth import Caller
from orders_common.config import Settings
from orders_common.exchange.hyperliquid import HyperliquidPriceSource
from orders_common.exchange.hyperliquid_exchange import HyperliquidExchange
from orders_common.exchange.hyperliquid_venue import connect
from orders_common.logic.audit import AuditAccount
from orders_common.logic.cancel_all import CancelOpenOrders
from orders_common.logic.cancel_order import CancelOrder
from orders_common.logic.create_order import CreateOrder, CreateRules
from orders_common.logic.execute_order import ExecuteQueued
from orders_common.logic.execution import ExecutionEngine
from orders_common.logic.fan_out import FanOut
from orders_common.logic.ids import ORDER_IDS, IdAllocator
from orders_common.logic.venue_watch import VenueWatch
from orders_common.models.order import Order
from tests.support.fakes import FakeQueue, InMemoryStore, demo_store
from tests.support.venue_secrets import AGENT_KEY, USER, store_secret
from tests.unit.logic.conftest import FEES, RULES
from tests.unit.logic.test_create_order import request

ANYONE = Caller.anyone()
AGENT = Account.from_key(AGENT_KEY)


@dataclass
class VenueDesk:
    store: InMemoryStore
    venue: FakeExchange
    exchange: HyperliquidExchange
    prices: HyperliquidPriceSource
    info_requests: list[dict[str, Any]] = field(default_factory=list)  # every /info request, in order

    def __post_init__(self) -> None:
        self.ids = IdAllocator(self.store, ORDER_IDS, 10)

    @property
    def engine(self) -> ExecutionEngine:
        return ExecutionEngine(self.store, self.store, self.store, self.prices, self.exchange)

    @property
    def create(self) -> CreateOrder:
        rules = CreateRules(
            terms=RULES,
            idempotency_ttl_seconds=86400,
            max_slippage_bps=Decimal(50),
            max_order_notional=Decimal(10**6),
        )
        return CreateOrder(
            self.store, self.store, self.store, self.ids, self.prices, FEES, rules, lambda: self.engine,
            venue_refusal=self.exchange.refusal, venue_name=self.exchange.name,
        )  # fmt: skip

    @property
    def cancel(self) -> CancelOrder:
        return CancelOrder(self.store, self.store, self.store, withdraw=self.engine.withdraw)

    @property
    def cancel_open(self) -> CancelOpenOrders:
        return CancelOpenOrders(self.store, self.store, self.store, withdraw=self.engine.withdraw)

    @property
    def queued(self) -> ExecuteQueued:
        return ExecuteQueued(self.store, self.engine)

    def fan_out(self, queue: FakeQueue) -> FanOut:
        watch = VenueWatch(self.exchange.fills_since, self.store)
        return FanOut(self.store, self.store, self.prices, queue, self.store, timedelta(seconds=180), watch)

    def order(self, order_id: int) -> Order:
        found = self.store.get_order(order_id)
        assert found is not None
        return found

    def place(self, **fields: Any) -> Order:
        self.prices.clear_cache()
        return self.create(request(**fields), ANYONE).order

    def set_mids(self, **mids: str) -> None:
        self.venue.venue.set_mids({coin: Decimal(px) for coin, px in mids.items()})
        self.prices.clear_cache()

    def audit_matches(self, account_id: int = 1) -> bool:
        return AuditAccount(self.store, self.store, self.store).audit(account_id).matches

    def kinds(self, order_id: int) -> list[str]:
        return [event.kind.value for event in self.store.events[order_id]]

    def orders_sent(self) -> int:
        return sum(1 for payload in self.venue.requests if payload["action"]["type"] == "order")


@contextmanager
def venue_desk(secrets: Any, venue_packages: str) -> Iterator[VenueDesk]:
    """A desk on a fresh stand-in, BTC at 68500 and ETH at 3500 there. ``secrets`` is a (moto) Secrets Manager
    client that gets the venue's secret; ``venue_packages`` is the directory ``connect`` puts on ``sys.path`` in
    place of the venue layer's (``sys.path`` is restored after)."""
    saved_path = list(sys.path)
    try:
        with fake_hyperliquid_venue({AGENT.address: USER}) as (url, venue):
            settings = Settings.from_environ(
                {
                    "TABLE_NAME": "t",
                    "EXCHANGE": "hyperliquid",
                    "HYPERLIQUID_SECRET_ARN": store_secret(secrets, "hyperliquid"),
                    "HYPERLIQUID_API_URL": url,
                    "PRICE_TIMEOUT_SECONDS": "0.5",
                }
            )
            exchange = HyperliquidExchange(
                lambda: connect(settings, venue_packages=venue_packages),
                network="testnet",
                max_slippage_bps=Decimal(50),
            )
            prices = HyperliquidPriceSource(f"{url}/info", timeout_seconds=0.5, max_attempts=1)
            desk = VenueDesk(demo_store(), venue, exchange, prices)
            answer = venue.info

            def recorded(request: Any) -> Any:
                desk.info_requests.append(request)
                return answer(request)

            venue.info = recorded  # type: ignore[method-assign]
            desk.set_mids(BTC="68500", ETH="3500")
            yield desk
    finally:
        sys.path[:] = saved_path
