"""Exactly one outcome when order changes race: amend against execute and cancel, cancel-all against
execute, expiry against execute, one trigger seen by two executors. Each thread is a container of its
own (its own Services and DynamoDB client); after each race the reservations and the ledger agree."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from localdev.local_prices import AdjustablePrices
from orders_common.auth import Caller
from orders_common.errors import OrderNotPending
from orders_common.models.order_actions import AmendOrderRequest
from orders_common.wiring import Services
from tests.integration.test_execution_races import container, run_at_once
from tests.support.stack import Deployed

ANYONE = Caller.anyone()
ROUNDS = 6


def create(stack: Deployed, **fields: Any) -> Any:
    return stack.create_order(order_type="limit", price=Decimal(70000), quantity=Decimal("0.01"), **fields)


def status(stack: Deployed, order_id: int) -> Any:
    return stack.get(f"/api/orders/order/{order_id}").json()


def consistent(stack: Deployed, account_id: int = 1) -> None:
    account = stack.account(account_id)
    open_orders = [
        order
        for status in ("pending", "partially_filled")
        for order in stack.get(f"/api/orders/account/{account_id}", query={"status": status}).json()
    ]
    assert account["reserved_cash"] == sum(Decimal(str(o["reserved_cash"])) for o in open_orders)
    assert stack.post(f"/api/accounts/{account_id}/audit").json()["matches"] is True


def test_amend_racing_execute_fills_the_order_as_one_of_them_left_it(stack: Deployed) -> None:
    outcomes = set()
    for _ in range(ROUNDS):
        order = create(stack)
        executing, amending = container(), container()
        bigger = AmendOrderRequest(quantity=Decimal("0.02"))

        results, errors = run_at_once(
            [
                partial(executing.execute_order, order["id"], ANYONE),
                partial(amending.amend_order, order["id"], bigger, ANYONE, None),
            ]
        )

        final = status(stack, order["id"])
        assert final["status"] == "filled"
        amended = any(getattr(result, "version", None) == 2 for result in results)
        # An amend that landed first is what fills; one that came second found the order filled.
        assert Decimal(str(final["filled_quantity"])) == (Decimal("0.02") if amended else Decimal("0.01"))
        assert [type(error) for error in errors] == ([] if amended else [OrderNotPending])
        outcomes.add("amended, then filled" if amended else "filled, amend refused")
        consistent(stack)
    assert outcomes  # which came first varies; every round ended in one of the two


def test_amend_racing_cancel_releases_exactly_what_is_held(stack: Deployed) -> None:
    for _ in range(ROUNDS):
        order = stack.create_order(order_type="limit", price=Decimal(60000), quantity=Decimal("0.01"))
        cancelling, amending = container(), container()

        results, errors = run_at_once(
            [
                partial(cancelling.cancel_order, order["id"], ANYONE),
                partial(amending.amend_order, order["id"], AmendOrderRequest(quantity=Decimal("0.03")), ANYONE, None),
            ]
        )

        assert status(stack, order["id"])["status"] == "cancelled"
        assert all(isinstance(error, OrderNotPending) for error in errors)
        assert len(results) + len(errors) == 2
        consistent(stack)


def test_cancel_all_racing_executions_leaves_each_order_filled_or_cancelled_once(stack: Deployed) -> None:
    orders = [create(stack)["id"] for _ in range(12)]
    cancelling = container()
    executors = [container() for _ in range(4)]

    results, errors = run_at_once(
        [lambda: cancelling.cancel_all(1, None, None, ANYONE)]
        + [lambda e=e, i=i: [_try(e, order_id) for order_id in orders[i::4]] for i, e in enumerate(executors)]
    )

    assert errors == []
    cancel_all = next(result for result in results if hasattr(result, "cancelled"))
    statuses = {order_id: status(stack, order_id)["status"] for order_id in orders}
    assert set(statuses.values()) <= {"filled", "cancelled"}
    assert sorted(cancel_all.cancelled) == sorted(o for o, s in statuses.items() if s == "cancelled")
    assert set(cancel_all.not_cancelled) <= {o for o, s in statuses.items() if s == "filled"}
    consistent(stack)


def _try(engine_container: Services, order_id: int) -> str:
    try:
        return engine_container.execute_order(order_id, ANYONE).execution_status.value
    except OrderNotPending:
        return "not pending"


def test_an_expired_order_executed_twice_at_once_expires_once(stack: Deployed) -> None:
    expire_at = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    order = stack.create_order(time_in_force="gtd", expire_at=expire_at)
    time.sleep(1.1)

    results, errors = run_at_once([lambda c=c: _try(c, order["id"]) for c in (container(), container(), container())])

    assert errors == []
    assert sorted(results) == ["expired", "not pending", "not pending"]
    releases = stack.get("/api/accounts/1/ledger", query={"type": "release"}).json()
    assert [entry["order_id"] for entry in releases] == [order["id"]]
    consistent(stack)


def test_a_trigger_seen_by_two_executors_at_once_fills_once(stack: Deployed) -> None:
    prices = AdjustablePrices({"BTC": Decimal(68500), "ETH": Decimal(3500), "SOL": Decimal(150)})
    order = stack.create_order(side="sell", order_type="stop_market", trigger_price=Decimal(60000))
    prices.update({"BTC": Decimal(59000)})
    executors = [container(), container()]
    for executor in executors:
        executor.use_prices(prices)

    results, errors = run_at_once([lambda e=e: _try(e, order["id"]) for e in executors])

    assert errors == []
    assert sorted(results) == ["filled", "not pending"]
    trades = stack.get("/api/accounts/1/ledger", query={"type": "trade", "symbol": "BTC"}).json()
    assert [entry["order_id"] for entry in trades] == [order["id"]]
    position = stack.position(1, "BTC")
    assert position is not None and position["quantity"] == Decimal("1.49")
    consistent(stack)
