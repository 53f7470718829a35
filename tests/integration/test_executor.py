"""The SQS executor Lambda: partial batch failures, duplicate deliveries, outages."""

from __future__ import annotations

from decimal import Decimal

from orders_common.errors import ExchangeUnavailable
from orders_common.exchange.prices import StaticPriceSource
from tests.support.sqs import batch, failed_ids, order_message
from tests.support.stack import Deployed


class PricesDownFor(StaticPriceSource):
    """Prices for every symbol but one."""

    def __init__(self, symbol: str) -> None:
        super().__init__({"BTC": Decimal("68500"), "ETH": Decimal("3500"), "SOL": Decimal("150")})
        self.down = symbol

    def get_price(self, symbol: str) -> Decimal:
        if symbol == self.down:
            raise ExchangeUnavailable("prices timed out")
        return super().get_price(symbol)


def status(stack: Deployed, order_id: int) -> str:
    value: str = stack.get(f"/api/orders/order/{order_id}").json()["status"]
    return value


def test_a_batch_executes_every_order(stack: Deployed) -> None:
    orders = [stack.create_order()["id"] for _ in range(3)]

    result = stack.invoke("ExecuteQueuedFunction", batch(*map(order_message, orders)))

    assert result == {"batchItemFailures": []}
    assert [status(stack, order_id) for order_id in orders] == ["filled"] * 3


def test_only_the_messages_that_failed_are_reported(stack: Deployed) -> None:
    btc = stack.create_order(symbol="BTC")["id"]
    eth = stack.create_order(symbol="ETH")["id"]
    sol = stack.create_order(symbol="SOL", quantity=Decimal(1))["id"]
    stack.services.prices = PricesDownFor("ETH")

    result = stack.invoke(
        "ExecuteQueuedFunction",
        batch(order_message(btc), order_message(eth), "not json", '{"order_id": "7"}', order_message(sol)),
    )

    # the ETH order (transient outage) and the two malformed messages are retried; the rest are done
    assert failed_ids(result) == ["message-1", "message-2", "message-3"]
    assert (status(stack, btc), status(stack, eth), status(stack, sol)) == ("filled", "pending", "filled")


def test_an_outage_fails_the_messages_and_charges_nothing(stack: Deployed) -> None:
    order = stack.create_order()["id"]
    before = stack.account(1)
    stack.services.prices = PricesDownFor("BTC")

    result = stack.invoke("ExecuteQueuedFunction", batch(order_message(order)))

    assert failed_ids(result) == ["message-0"]
    assert status(stack, order) == "pending"
    assert stack.account(1) == before


def test_duplicate_and_stale_deliveries_are_acknowledged_and_skipped(stack: Deployed) -> None:
    filled = stack.create_order()["id"]
    cancelled = stack.create_order()["id"]
    stack.post(f"/api/orders/cancel/{cancelled}")

    result = stack.invoke(
        "ExecuteQueuedFunction",
        batch(order_message(filled), order_message(filled), order_message(cancelled), order_message(987654)),
    )

    assert result == {"batchItemFailures": []}
    assert (status(stack, filled), status(stack, cancelled)) == ("filled", "cancelled")
    assert len([o for o in stack.get("/api/orders/account/1").json() if o["status"] == "filled"]) == 1


def test_a_limit_order_not_yet_marketable_is_acknowledged_and_stays_pending(stack: Deployed) -> None:
    order = stack.create_order(order_type="limit", price=Decimal("1000"))["id"]

    result = stack.invoke("ExecuteQueuedFunction", batch(order_message(order)))

    assert result == {"batchItemFailures": []}
    assert status(stack, order) == "pending"
