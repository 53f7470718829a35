"""The adapters a container builds once and keeps: the table and its client, the stores on it, the
queue, prices, the exchange. Each is built on first use, so a function only pays for what it touches
(a read-only function never imports the exchange or the price client)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orders_common.config import Settings
    from orders_common.dal.account_reads import DynamoAccountReads
    from orders_common.dal.accounts import DynamoAccounts
    from orders_common.dal.client import DynamoTable
    from orders_common.dal.counters import DynamoCounters
    from orders_common.dal.event_publication import DynamoStoredEvents
    from orders_common.dal.fill_reads import DynamoFillReads
    from orders_common.dal.ledger_reads import DynamoLedger
    from orders_common.dal.order_event_reads import DynamoOrderEventReads
    from orders_common.dal.order_reads import DynamoPendingSummaries
    from orders_common.dal.order_writes import DynamoOrderWrites
    from orders_common.dal.switches import DynamoSwitches
    from orders_common.domain.fees import FeeSchedule
    from orders_common.event_bus import EventBridgeBus
    from orders_common.exchange.base import BookSource, Exchange, PriceProbe, PriceSource
    from orders_common.exchange.hyperliquid_exchange import HyperliquidExchange
    from orders_common.logic.ids import IdAllocator
    from orders_common.queue import ExecutionQueue, QueueDepthReader

# Health is what monitors poll: a venue that does not answer within this makes it degraded, not slow.
PRICE_PROBE_TIMEOUT_SECONDS = 1.0


class Adapters:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        if settings.exchange != "paper":
            # Every log line of a stack trading on a venue says which one (and so which network).
            from orders_common.observability import logger

            logger.append_keys(exchange=f"{settings.exchange}-{settings.hyperliquid_network}")

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
        """Accounts read and changed (the use cases that change one)."""
        from orders_common.dal.accounts import DynamoAccounts

        return DynamoAccounts(self.table)

    @cached_property
    def account_reads(self) -> DynamoAccountReads:
        """Accounts read only: a function that never changes one loads none of the change path."""
        from orders_common.dal.account_reads import DynamoAccountReads

        return DynamoAccountReads(self.table)

    @cached_property
    def switches(self) -> DynamoSwitches:
        from orders_common.dal.switches import DynamoSwitches

        return DynamoSwitches(self.table)

    @cached_property
    def ledger(self) -> DynamoLedger:
        from orders_common.dal.ledger_reads import DynamoLedger

        return DynamoLedger(self.table)

    @cached_property
    def fill_reads(self) -> DynamoFillReads:
        from orders_common.dal.fill_reads import DynamoFillReads

        return DynamoFillReads(self.table)

    @cached_property
    def order_event_reads(self) -> DynamoOrderEventReads:
        from orders_common.dal.order_event_reads import DynamoOrderEventReads

        return DynamoOrderEventReads(self.table)

    @cached_property
    def counters(self) -> DynamoCounters:
        from orders_common.dal.counters import DynamoCounters

        return DynamoCounters(self.table)

    @cached_property
    def order_ids(self) -> IdAllocator:
        from orders_common.logic.ids import ORDER_IDS, IdAllocator

        return IdAllocator(self.counters, ORDER_IDS, self.settings.order_id_block_size)

    @cached_property
    def account_ids(self) -> IdAllocator:
        # One at a time: account ids run 1, 2, 3 ..., which the scheduled audit walks.
        from orders_common.logic.ids import ACCOUNT_IDS, IdAllocator

        return IdAllocator(self.counters, ACCOUNT_IDS, 1)

    @cached_property
    def fees(self) -> FeeSchedule:
        from orders_common.domain.fees import FeeSchedule

        return FeeSchedule(rate=self.settings.commission_rate, minimum=self.settings.commission_minimum)

    @property
    def hyperliquid_mids_url(self) -> str | None:
        """Where prices are read from Hyperliquid; None: they are static. Trading on the venue, orders
        are priced from its own mids (the network it trades on)."""
        if self.settings.exchange == "hyperliquid":
            return self.venue_info_url
        if self.settings.price_source == "hyperliquid":
            return self.settings.hyperliquid_info_url
        return None

    @cached_property
    def prices(self) -> PriceSource:
        if (url := self.hyperliquid_mids_url) is not None:
            from orders_common.exchange.hyperliquid import HyperliquidPriceSource

            return HyperliquidPriceSource(
                url,
                timeout_seconds=self.settings.price_timeout_seconds,
                max_attempts=self.settings.price_max_attempts,
                cache_seconds=self.settings.price_cache_seconds,
            )
        from orders_common.exchange.prices import StaticPriceSource

        return StaticPriceSource(self.settings.static_prices)

    @cached_property
    def price_probe(self) -> PriceProbe:
        """Health's check of the price source: at most one request, of at most PRICE_PROBE_TIMEOUT_SECONDS."""
        if (url := self.hyperliquid_mids_url) is not None:
            from orders_common.exchange.hyperliquid import HyperliquidPriceProbe

            timeout = min(self.settings.price_timeout_seconds, PRICE_PROBE_TIMEOUT_SECONDS)
            return HyperliquidPriceProbe(url, timeout_seconds=timeout)
        from orders_common.exchange.prices import StaticPriceSource

        return StaticPriceSource(self.settings.static_prices)

    def use_prices(self, source: PriceSource) -> None:
        """Replace the price source of this container (the local server's price control)."""
        self.__dict__["prices"] = source

    @cached_property
    def books(self) -> BookSource:
        if self.settings.price_source == "hyperliquid":
            from orders_common.exchange.hyperliquid import HyperliquidPriceSource
            from orders_common.exchange.hyperliquid_books import HyperliquidBookSource

            prices = self.prices
            info = prices.info if isinstance(prices, HyperliquidPriceSource) else None
            if info is None:
                raise RuntimeError("the Hyperliquid book source shares the price source's client")
            return HyperliquidBookSource(info, cache_seconds=self.settings.price_cache_seconds)
        from orders_common.exchange.books import StaticBookSource

        return StaticBookSource(
            _CurrentPrices(self),
            levels=self.settings.static_book_levels,
            level_size=self.settings.static_book_level_size,
            step_bps=self.settings.static_book_step_bps,
        )

    @property
    def venue_info_url(self) -> str | None:
        if self.settings.exchange != "hyperliquid":
            return None
        from orders_common.exchange.hyperliquid_venue import base_url_for

        return f"{base_url_for(self.settings)}/info"

    @cached_property
    def venue(self) -> HyperliquidExchange | None:
        """The external venue, when the stack trades on one (its client connects at first use)."""
        if self.settings.exchange != "hyperliquid":
            return None
        from orders_common.exchange.hyperliquid_exchange import HyperliquidExchange
        from orders_common.exchange.hyperliquid_venue import connect

        settings = self.settings
        return HyperliquidExchange(
            lambda: connect(settings), network=settings.hyperliquid_network, max_slippage_bps=settings.max_slippage_bps
        )

    @cached_property
    def exchange(self) -> Exchange:
        if self.venue is not None:
            return self.venue
        from orders_common.exchange.paper import PaperExchange

        lots = self.settings.quantity_decimals
        return PaperExchange(
            books=self.books,
            fees=self.fees,
            max_slippage_bps=self.settings.max_slippage_bps,
            max_quote_age=timedelta(seconds=self.settings.max_quote_age_seconds),
            lot_places=lambda symbol: lots.get(symbol, 8),
        )

    @cached_property
    def execution_queue(self) -> ExecutionQueue:
        from orders_common.queue import ExecutionQueue

        if not self.settings.execution_queue_url:
            raise RuntimeError("EXECUTION_QUEUE_URL is not set")
        return ExecutionQueue(self.settings.execution_queue_url)

    @cached_property
    def dead_letter_queue(self) -> QueueDepthReader:
        """The execution DLQ, for its depth (admin health)."""
        from orders_common.queue import QueueDepthReader

        if not self.settings.execution_dead_letter_queue_url:
            raise RuntimeError("EXECUTION_DEAD_LETTER_QUEUE_URL is not set")
        return QueueDepthReader(self.settings.execution_dead_letter_queue_url)

    @cached_property
    def stored_events(self) -> DynamoStoredEvents:
        from orders_common.dal.event_publication import DynamoStoredEvents

        return DynamoStoredEvents(self.table)

    @cached_property
    def event_bus(self) -> EventBridgeBus:
        from orders_common.event_bus import EventBridgeBus

        if not self.settings.event_bus_name:
            raise RuntimeError("EVENT_BUS_NAME is not set")
        return EventBridgeBus(self.settings.event_bus_name)

    def begin_invocation(self) -> None:
        """Prices and books are shared within one invocation, never carried into the next."""
        for name in ("prices", "books"):
            source = self.__dict__.get(name)
            if source is not None and hasattr(source, "clear_cache"):
                source.clear_cache()


class _CurrentPrices:
    """The adapters' price source as it is at each call: the local server may replace it
    (``use_prices``), and the static book must move with it."""

    name = "static"

    def __init__(self, adapters: Adapters) -> None:
        self._adapters = adapters

    def get_price(self, symbol: str) -> Decimal:
        return self._adapters.prices.get_price(symbol)

    def get_prices(self, symbols: Iterable[str]) -> dict[str, Decimal]:
        return self._adapters.prices.get_prices(symbols)
