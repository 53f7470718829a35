"""The composition root: the only module that joins use cases to the adapters they run on.

Adapters (the table and its client, the queue, prices, the exchange) are built on first use and kept
for the life of the container, so a function only pays for what it touches (a read-only function never
imports the exchange or the price client). Use cases are built each time they are asked for, from the
adapters as they are then: replacing an adapter (a test double) takes effect at once.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from orders_common.config import Settings, get_settings

if TYPE_CHECKING:
    from orders_common.dal.accounts import DynamoAccounts
    from orders_common.dal.client import DynamoTable
    from orders_common.dal.counters import DynamoCounters
    from orders_common.dal.order_reads import DynamoPendingSummaries
    from orders_common.dal.order_writes import DynamoOrderWrites
    from orders_common.domain.fees import FeeSchedule
    from orders_common.exchange.base import Exchange, PriceSource
    from orders_common.logic.cancel_order import CancelOrder
    from orders_common.logic.create_order import CreateOrder
    from orders_common.logic.execute_order import ExecuteOrder, ExecuteQueued
    from orders_common.logic.execution import ExecutionEngine
    from orders_common.logic.fan_out import FanOut
    from orders_common.logic.health import CheckHealth
    from orders_common.logic.ids import IdAllocator
    from orders_common.logic.process_all import ProcessAll
    from orders_common.logic.queries import GetAccount, GetOrder, ListAccountOrders, ListPendingOrders, ListUserOrders
    from orders_common.queue import ExecutionQueue


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # Adapters

    @cached_property
    def table(self) -> DynamoTable:
        from orders_common.dal.client import DynamoTable

        return DynamoTable(self.settings.table_name)

    @cached_property
    def orders(self) -> DynamoPendingSummaries:
        """Order reads: single orders, lists, and the narrow pending index."""
        from orders_common.dal.order_reads import DynamoPendingSummaries

        return DynamoPendingSummaries(self.table, pending_shards=self.settings.pending_index_shards)

    @cached_property
    def order_writes(self) -> DynamoOrderWrites:
        from orders_common.dal.order_writes import DynamoOrderWrites

        return DynamoOrderWrites(self.table, pending_shards=self.settings.pending_index_shards)

    @cached_property
    def accounts(self) -> DynamoAccounts:
        from orders_common.dal.accounts import DynamoAccounts

        return DynamoAccounts(self.table)

    @cached_property
    def counters(self) -> DynamoCounters:
        from orders_common.dal.counters import DynamoCounters

        return DynamoCounters(self.table)

    @cached_property
    def order_ids(self) -> IdAllocator:
        from orders_common.logic.ids import ORDER_IDS, IdAllocator

        return IdAllocator(self.counters, ORDER_IDS, self.settings.order_id_block_size)

    @cached_property
    def fees(self) -> FeeSchedule:
        from orders_common.domain.fees import FeeSchedule

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

    @cached_property
    def exchange(self) -> Exchange:
        from orders_common.exchange.paper import PaperExchange

        return PaperExchange(slippage_bps=self.settings.slippage_bps, fees=self.fees)

    @cached_property
    def execution_queue(self) -> ExecutionQueue:
        from orders_common.queue import ExecutionQueue

        if not self.settings.execution_queue_url:
            raise RuntimeError("EXECUTION_QUEUE_URL is not set")
        return ExecutionQueue(self.settings.execution_queue_url)

    def begin_invocation(self) -> None:
        """Prices are shared within one invocation, never carried into the next."""
        prices = self.__dict__.get("prices")
        if prices is not None and hasattr(prices, "clear_cache"):
            prices.clear_cache()

    # Use cases

    @property
    def engine(self) -> ExecutionEngine:
        from orders_common.logic.execution import ExecutionEngine

        return ExecutionEngine(
            transitions=self.order_writes, accounts=self.accounts, prices=self.prices, exchange=self.exchange
        )

    @property
    def create_order(self) -> CreateOrder:
        from orders_common.logic.create_order import CreateOrder, CreateRules

        settings = self.settings
        return CreateOrder(
            inserts=self.order_writes,
            orders=self.orders,
            accounts=self.accounts,
            ids=self.order_ids,
            prices=self.prices,
            fees=self.fees,
            rules=CreateRules(
                quantity_decimals=settings.quantity_decimals,
                price_decimals=settings.price_decimals,
                market_buy_buffer_bps=settings.market_buy_buffer_bps,
                idempotency_ttl_seconds=settings.idempotency_ttl_seconds,
            ),
        )

    @property
    def execute_order(self) -> ExecuteOrder:
        from orders_common.logic.execute_order import ExecuteOrder

        return ExecuteOrder(orders=self.orders, engine=self.engine)

    @property
    def execute_queued(self) -> ExecuteQueued:
        from orders_common.logic.execute_order import ExecuteQueued

        return ExecuteQueued(orders=self.orders, engine=self.engine)

    @property
    def cancel_order(self) -> CancelOrder:
        from orders_common.logic.cancel_order import CancelOrder

        return CancelOrder(orders=self.orders, transitions=self.order_writes)

    @property
    def process_all(self) -> ProcessAll:
        from orders_common.logic.process_all import ProcessAll

        return ProcessAll(
            orders=self.orders,
            engine=self.engine,
            queue=lambda: self.execution_queue,
            concurrency=self.settings.process_all_concurrency,
        )

    @property
    def fan_out(self) -> FanOut:
        from orders_common.logic.fan_out import FanOut

        return FanOut(
            summaries=self.orders,
            transitions=self.order_writes,
            prices=self.prices,
            queue=self.execution_queue,
            cursors=self.counters,
            visibility=timedelta(seconds=self.settings.execution_queue_visibility_seconds),
        )

    @property
    def check_health(self) -> CheckHealth:
        from orders_common.logic.health import CheckHealth

        return CheckHealth(pending=self.orders)

    @property
    def get_order(self) -> GetOrder:
        from orders_common.logic.queries import GetOrder

        return GetOrder(orders=self.orders)

    @property
    def list_account_orders(self) -> ListAccountOrders:
        from orders_common.logic.queries import ListAccountOrders

        return ListAccountOrders(orders=self.orders, accounts=self.accounts)

    @property
    def list_user_orders(self) -> ListUserOrders:
        from orders_common.logic.queries import ListUserOrders

        return ListUserOrders(orders=self.orders)

    @property
    def list_pending_orders(self) -> ListPendingOrders:
        from orders_common.logic.queries import ListPendingOrders

        return ListPendingOrders(orders=self.orders)

    @property
    def get_account(self) -> GetAccount:
        from orders_common.logic.queries import GetAccount

        return GetAccount(accounts=self.accounts)


_current: Services | None = None
_lock = threading.Lock()


def services() -> Services:
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = Services(get_settings())
    return _current


def begin_invocation() -> None:
    if _current is not None:
        _current.begin_invocation()


def build_for_snapshot() -> object:
    """What a SnapStart snapshot should hold: the settings and the table's client."""
    return services().table


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
