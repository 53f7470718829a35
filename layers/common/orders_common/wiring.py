"""The composition root: builds the store, id allocator, prices and exchange from the settings.

Everything is built on first use and kept for the life of the container, so a function only pays
for what it touches (a read-only function never imports the exchange or the price client).
"""

from __future__ import annotations

import os
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from orders_common.config import Settings, get_settings
from orders_common.startup import resume_collector

if TYPE_CHECKING:
    from orders_common.dal.ids import OrderIdAllocator
    from orders_common.dal.repository import OrderRepository
    from orders_common.exchange.base import Exchange
    from orders_common.exchange.fees import FeeSchedule
    from orders_common.exchange.prices import PriceSource
    from orders_common.idempotency import IdempotentCreate
    from orders_common.logic.execution import ExecutionEngine
    from orders_common.queue import ExecutionQueue


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def repository(self) -> OrderRepository:
        from orders_common.dal.dynamo import DynamoTable
        from orders_common.dal.repository import DynamoOrderRepository

        return DynamoOrderRepository(
            DynamoTable(self.settings.table_name), pending_shards=self.settings.pending_index_shards
        )

    @cached_property
    def ids(self) -> OrderIdAllocator:
        from orders_common.dal.ids import OrderIdAllocator

        return OrderIdAllocator(self.repository, self.settings.order_id_block_size)

    @cached_property
    def fees(self) -> FeeSchedule:
        from orders_common.exchange.fees import FeeSchedule

        return FeeSchedule(rate=self.settings.commission_rate, minimum=self.settings.commission_minimum)

    @cached_property
    def prices(self) -> PriceSource:
        if self.settings.price_source == "hyperliquid":
            from orders_common.exchange.hyperliquid import HyperliquidPriceSource

            return HyperliquidPriceSource(
                self.settings.hyperliquid_info_url,
                timeout_seconds=self.settings.price_timeout_seconds,
                max_attempts=self.settings.price_max_attempts,
                cache_seconds=self.settings.price_cache_seconds,
            )
        from orders_common.exchange.prices import StaticPriceSource

        return StaticPriceSource(self.settings.static_prices)

    def begin_invocation(self) -> None:
        """Prices are shared within one invocation, never carried into the next."""
        prices = self.__dict__.get("prices")
        if prices is not None and hasattr(prices, "clear_cache"):
            prices.clear_cache()

    @cached_property
    def exchange(self) -> Exchange:
        from orders_common.exchange.paper import PaperExchange

        return PaperExchange(slippage_bps=self.settings.slippage_bps, fees=self.fees)

    @cached_property
    def engine(self) -> ExecutionEngine:
        from orders_common.logic.execution import ExecutionEngine

        return ExecutionEngine(repository=self.repository, prices=self.prices, exchange=self.exchange)

    @cached_property
    def idempotent_create(self) -> IdempotentCreate:
        from orders_common.idempotency import build_idempotent_create

        return build_idempotent_create(self)

    @cached_property
    def execution_queue(self) -> ExecutionQueue:
        from orders_common.queue import ExecutionQueue

        if not self.settings.execution_queue_url:
            raise RuntimeError("EXECUTION_QUEUE_URL is not set")
        return ExecutionQueue(self.settings.execution_queue_url)


_current: Services | None = None
_lock = threading.Lock()


def services() -> Services:
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = Services(get_settings())
    return _current


def prepare_snapshot() -> None:
    """With SnapStart, build the settings and the store's client during initialization, so that the
    snapshot holds them (a client connects lazily: nothing stale is restored). Ids are not reserved
    here: a block of ids in a snapshot would be restored into many environments."""
    if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
        services().repository  # noqa: B018 - building it is the point


def begin_invocation() -> None:
    if _current is not None:
        _current.begin_invocation()


def end_invocation() -> None:
    resume_collector()


def install_services(replacement: Services) -> None:
    """Make ``services()`` answer ``replacement`` (benchmarks and tests that swap a collaborator)."""
    global _current
    with _lock:
        _current = replacement


def reset_services() -> None:
    """Forget the built services and settings (tests and the local server change the environment)."""
    global _current
    with _lock:
        _current = None
    get_settings.cache_clear()
