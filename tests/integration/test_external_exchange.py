"""An exchange outside the process: orders are claimed (``executing``) before the call and reconciled by
their client order id after an ambiguous outcome, so an order is never sent or filled twice."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from orders_common.errors import ExchangeUnavailable
from orders_common.exchange.base import Accepted, AmbiguousOutcome, Decision, Fill, NotMarketable
from orders_common.logic import fan_out as fan_out_module
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order
from tests.support.api import assert_error
from tests.support.stack import Deployed


class LiveExchange:
    """Plays a venue: remembers what it received by client order id."""

    name = "live"
    is_external = True

    def __init__(self) -> None:
        self.received: dict[str, Decision] = {}
        self.submissions = 0
        self.mode = "fill"

    def execute(self, order: Order, market_price: Decimal, client_order_id: str) -> Decision:
        if self.mode == "refuse":
            raise ExchangeUnavailable("connection refused")
        self.submissions += 1
        decision: Decision = (
            NotMarketable()
            if self.mode == "rest"
            else Accepted(f"venue-{client_order_id}", rests=True)
            if self.mode == "accept"
            else Fill(market_price, order.quantity, Decimal("1"), self.name, f"venue-{client_order_id}", utc_now())
        )
        self.received[client_order_id] = decision
        if self.mode == "lost-response":
            raise AmbiguousOutcome("read timed out after the request was sent")
        return decision

    def find(self, order: Order, client_order_id: str) -> Decision | None:
        return self.received.get(client_order_id)

    def rests(self, order: Order) -> bool:
        return False  # what it does not fill at once, it does not keep

    def withdraw(self, order: Order) -> bool:
        return False


@pytest.fixture
def venue(stack: Deployed) -> LiveExchange:
    exchange = LiveExchange()
    stack.services.exchange = exchange
    return exchange


def order_status(stack: Deployed, order_id: int) -> str:
    status: str = stack.get(f"/api/orders/order/{order_id}").json()["status"]
    return status


def test_an_external_fill_is_recorded(stack: Deployed, venue: LiveExchange) -> None:
    order = stack.create_order()

    body = stack.post(f"/api/orders/execute/{order['id']}").json()

    assert body["execution_status"] == "filled"
    stored = stack.get(f"/api/orders/order/{order['id']}").json()
    assert (stored["status"], stored["exchange"]) == ("filled", "live")
    assert stored["exchange_order_id"] == f"venue-hyperoru-{order['id']}"


def test_a_refused_request_puts_the_order_back_to_pending(stack: Deployed, venue: LiveExchange) -> None:
    order = stack.create_order()
    before = stack.account(1)
    venue.mode = "refuse"

    assert_error(stack.post(f"/api/orders/execute/{order['id']}"), 503, "EXCHANGE_UNAVAILABLE")

    assert order_status(stack, order["id"]) == "pending"
    assert [o["id"] for o in stack.get("/api/orders/pending").json()] == [order["id"]]
    assert stack.account(1) == before


def test_an_order_resting_on_the_venue_stays_pending(stack: Deployed, venue: LiveExchange) -> None:
    order = stack.create_order(order_type="limit", price=Decimal("60000"))
    venue.mode = "rest"

    assert stack.post(f"/api/orders/execute/{order['id']}").json()["execution_status"] == "open"
    assert order_status(stack, order["id"]) == "pending"


def test_a_lost_response_leaves_the_order_executing_and_untouchable(stack: Deployed, venue: LiveExchange) -> None:
    order = stack.create_order()
    venue.mode = "lost-response"

    assert_error(stack.post(f"/api/orders/execute/{order['id']}"), 503, "EXCHANGE_UNAVAILABLE")

    assert order_status(stack, order["id"]) == "executing"
    assert stack.get("/api/orders/pending").json() == []
    assert_error(stack.post(f"/api/orders/execute/{order['id']}"), 409, "ORDER_NOT_PENDING")
    assert_error(stack.post(f"/api/orders/cancel/{order['id']}"), 409, "ORDER_NOT_PENDING")
    assert venue.submissions == 1


def test_reconciliation_records_the_fill_the_venue_made_without_sending_again(
    stack: Deployed, venue: LiveExchange
) -> None:
    order = stack.create_order()
    venue.mode = "lost-response"
    stack.post(f"/api/orders/execute/{order['id']}")

    outcome = stack.services.execute_queued(order["id"])

    assert outcome == "filled"
    assert order_status(stack, order["id"]) == "filled"
    assert venue.submissions == 1
    assert stack.account(1)["reserved_cash"] == 0


def test_reconciliation_of_an_order_the_venue_never_received_makes_it_pending_again(
    stack: Deployed, venue: LiveExchange
) -> None:
    order = stack.create_order()
    venue.mode = "lost-response"
    stack.post(f"/api/orders/execute/{order['id']}")
    venue.received.clear()  # the request never arrived after all

    assert stack.services.execute_queued(order["id"]) == "open"
    assert order_status(stack, order["id"]) == "pending"


def test_the_schedule_sends_long_executing_orders_for_reconciliation(
    stack: Deployed, venue: LiveExchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = stack.create_order()
    venue.mode = "lost-response"
    stack.post(f"/api/orders/execute/{order['id']}")
    monkeypatch.setattr(fan_out_module, "RECONCILE_AFTER", timedelta(seconds=-1))

    result = stack.services.fan_out(seconds=10)

    assert result.queued == 1  # the executing order, though no order is pending
