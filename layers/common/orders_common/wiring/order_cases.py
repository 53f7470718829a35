"""The use cases of orders, each built from the adapters as they are when asked for."""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from orders_common.wiring.adapters import Adapters

if TYPE_CHECKING:
    from collections.abc import Callable

    from orders_common.logic.amend_order import AmendOrder
    from orders_common.logic.cancel_after import ArmCancelAfter, RunOutSwitches
    from orders_common.logic.cancel_all import CancelAll, CancelOpenOrders
    from orders_common.logic.cancel_order import CancelOrder
    from orders_common.logic.create_order import CreateOrder, CreateRules
    from orders_common.logic.execute_order import ExecuteOrder, ExecuteQueued
    from orders_common.logic.execution import ExecutionEngine
    from orders_common.logic.fan_out import FanOut
    from orders_common.logic.fills import ListOrderFills
    from orders_common.logic.get_client_order import GetClientOrder
    from orders_common.logic.get_order import GetOrder
    from orders_common.logic.health import CheckHealth, RecordScheduleRun
    from orders_common.logic.list_orders import ListAccountOrders, ListPendingOrders, ListUserOrders
    from orders_common.logic.order_events import ListOrderEvents
    from orders_common.logic.portfolio import GetAccount
    from orders_common.logic.process_all import ProcessAll
    from orders_common.logic.publish_events import PublishOrderEvent
    from orders_common.logic.venue_watch import VenueWatch
    from orders_common.models.order import Order


class OrderUseCases(Adapters):
    @property
    def engine(self) -> ExecutionEngine:
        from orders_common.logic.execution import ExecutionEngine

        return ExecutionEngine(
            transitions=self.order_writes,
            accounts=self.account_reads,
            orders=self.orders,
            prices=self.prices,
            exchange=self.exchange,
        )

    @property
    def _venue_watch(self) -> VenueWatch | None:
        """The schedule's look at the venue's fills; None on paper (not even imported)."""
        if self.venue is None:
            return None
        from orders_common.logic.venue_watch import VenueWatch

        return VenueWatch(self.venue.fills_since, self.counters)

    @property
    def _venue_withdraw(self) -> Callable[[Order], Order] | None:
        """How a cancel takes an order off the external venue first; None on paper."""
        return self.engine.withdraw if self.venue is not None else None

    @property
    def create_order(self) -> CreateOrder:
        from orders_common.logic.create_order import CreateOrder

        return CreateOrder(
            inserts=self.order_writes,
            orders=self.orders,
            accounts=self.account_reads,
            ids=self.order_ids,
            prices=self.prices,
            fees=self.fees,
            rules=self.create_rules,
            engine=lambda: self.engine,
            venue_refusal=self.venue.refusal if self.venue is not None else None,
            venue_name=self.venue.name if self.venue is not None else None,
        )

    @cached_property
    def create_rules(self) -> CreateRules:
        """What a new order must meet: the settings', fixed for the life of the container."""
        from orders_common.logic.create_order import CreateRules
        from orders_common.logic.order_terms import OrderRules

        settings = self.settings
        return CreateRules(
            terms=OrderRules(
                quantity_decimals=settings.quantity_decimals,
                price_decimals=settings.price_decimals,
                market_buy_buffer_bps=settings.market_buy_buffer_bps,
            ),
            idempotency_ttl_seconds=settings.idempotency_ttl_seconds,
            max_slippage_bps=settings.max_slippage_bps,
            max_order_notional=settings.max_order_notional,
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

        return CancelOrder(
            orders=self.orders, transitions=self.order_writes, clients=self.orders, withdraw=self._venue_withdraw
        )

    @property
    def amend_order(self) -> AmendOrder:
        from orders_common.logic.amend_order import AmendOrder
        from orders_common.logic.order_terms import OrderRules

        settings = self.settings
        return AmendOrder(
            orders=self.orders,
            amends=self.order_writes,
            prices=self.prices,
            fees=self.fees,
            rules=OrderRules(
                quantity_decimals=settings.quantity_decimals,
                price_decimals=settings.price_decimals,
                market_buy_buffer_bps=settings.market_buy_buffer_bps,
            ),
            max_order_notional=settings.max_order_notional,
            venue_refusal=self.venue.refusal if self.venue is not None else None,
        )

    @property
    def cancel_open_orders(self) -> CancelOpenOrders:
        from orders_common.logic.cancel_all import CancelOpenOrders

        return CancelOpenOrders(
            open_orders=self.orders, closes=self.order_writes, orders=self.orders, withdraw=self._venue_withdraw
        )

    @property
    def cancel_all(self) -> CancelAll:
        from orders_common.logic.cancel_all import CancelAll

        return CancelAll(accounts=self.account_reads, cancel=self.cancel_open_orders)

    @property
    def arm_cancel_after(self) -> ArmCancelAfter:
        from orders_common.logic.cancel_after import ArmCancelAfter

        return ArmCancelAfter(accounts=self.accounts, switches=self.switches)

    @property
    def run_out_switches(self) -> RunOutSwitches:
        from orders_common.logic.cancel_after import RunOutSwitches

        return RunOutSwitches(switches=self.switches, cancel=self.cancel_open_orders)

    @property
    def get_client_order(self) -> GetClientOrder:
        from orders_common.logic.get_client_order import GetClientOrder

        return GetClientOrder(orders=self.orders)

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
            venue_watch=self._venue_watch,
        )

    @property
    def check_health(self) -> CheckHealth:
        from orders_common.logic.health import CheckHealth, HealthRules

        settings = self.settings
        return CheckHealth(
            pending=self.orders,
            ages=self.orders,
            audits=self.counters,
            runs=self.counters,
            dead_letters=(lambda: self.dead_letter_queue) if settings.execution_dead_letter_queue_url else None,
            prices=self.price_probe,
            rules=HealthRules(
                stale_pending=timedelta(minutes=settings.stale_pending_minutes),
                schedule_period=settings.process_all_period if settings.process_all_schedule_enabled else None,
            ),
        )

    @property
    def record_schedule_run(self) -> RecordScheduleRun:
        from orders_common.logic.health import RecordScheduleRun

        return RecordScheduleRun(runs=self.counters)

    @property
    def get_order(self) -> GetOrder:
        from orders_common.logic.get_order import GetOrder

        return GetOrder(orders=self.orders)

    @property
    def list_account_orders(self) -> ListAccountOrders:
        from orders_common.logic.list_orders import ListAccountOrders

        return ListAccountOrders(orders=self.orders, accounts=self.account_reads)

    @property
    def list_user_orders(self) -> ListUserOrders:
        from orders_common.logic.list_orders import ListUserOrders

        return ListUserOrders(orders=self.orders)

    @property
    def list_pending_orders(self) -> ListPendingOrders:
        from orders_common.logic.list_orders import ListPendingOrders

        return ListPendingOrders(orders=self.orders)

    @property
    def get_account(self) -> GetAccount:
        from orders_common.logic.portfolio import GetAccount

        return GetAccount(accounts=self.account_reads, prices=self.prices)

    @property
    def list_order_events(self) -> ListOrderEvents:
        from orders_common.logic.order_events import ListOrderEvents

        return ListOrderEvents(orders=self.orders, events=self.order_event_reads)

    @property
    def list_order_fills(self) -> ListOrderFills:
        from orders_common.logic.fills import ListOrderFills

        return ListOrderFills(orders=self.orders, fills=self.fill_reads)

    @property
    def publish_order_event(self) -> PublishOrderEvent:
        from orders_common.logic.publish_events import PublishOrderEvent

        return PublishOrderEvent(events=self.stored_events, orders=self.orders, bus=self.event_bus)
