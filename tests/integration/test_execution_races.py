"""Exactly one transition out of pending, whatever runs at the same time.

Each thread plays a separate Lambda container: its own Services, so its own DynamoDB client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from orders_common.auth import Caller
from orders_common.config import get_settings
from orders_common.errors import OrderNotPending
from orders_common.wiring import Services
from tests.support.stack import Deployed

ANYONE = Caller.anyone()


def run_at_once(actions: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(actions))

    def run(action: Callable[[], Any]) -> None:
        start.wait()
        try:
            results.append(action())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def container() -> Services:
    return Services(get_settings())


def test_twenty_simultaneous_executions_fill_once_and_charge_once(stack: Deployed) -> None:
    order = stack.create_order(quantity=Decimal("0.01"))
    containers = [container() for _ in range(20)]

    results, errors = run_at_once([lambda c=c: c.execute_order(order["id"], ANYONE) for c in containers])

    assert [r.execution_status.value for r in results] == ["filled"]
    assert len(errors) == 19
    assert all(isinstance(error, OrderNotPending) for error in errors)
    filled_price = results[0].filled_price
    cost = filled_price * Decimal("0.01") + results[0].commission
    account = stack.account(1)
    assert account["cash"] == Decimal("100000") - cost
    assert account["reserved_cash"] == 0
    position = stack.position(1, "BTC")
    assert position is not None
    assert position["quantity"] == Decimal("1.51")


def test_simultaneous_sells_of_one_order_sell_once(stack: Deployed) -> None:
    order = stack.create_order(side="sell", quantity=Decimal("0.5"))

    results, errors = run_at_once(
        [lambda c=c: c.execute_order(order["id"], ANYONE) for c in (container(), container(), container(), container())]
    )

    assert len(results) == 1
    assert len(errors) == 3
    position = stack.position(1, "BTC")
    assert position is not None
    assert (position["quantity"], position["reserved_quantity"]) == (Decimal("1.0"), 0)


def test_execute_racing_cancel_has_exactly_one_winner(stack: Deployed) -> None:
    outcomes = set()
    for _ in range(8):
        before = stack.account(1)
        order = stack.create_order()
        executing, cancelling = container(), container()

        order_id = order["id"]
        results, errors = run_at_once(
            [
                lambda e=executing, o=order_id: e.execute_order(o, ANYONE),
                lambda c=cancelling, o=order_id: c.cancel_order(o, ANYONE),
            ]
        )

        assert len(results) == 1
        assert len(errors) == 1
        assert isinstance(errors[0], OrderNotPending)
        status = stack.get(f"/api/orders/order/{order['id']}").json()["status"]
        outcomes.add(status)
        after = stack.account(1)
        assert after["reserved_cash"] == before["reserved_cash"]
        if status == "cancelled":
            assert after["cash"] == before["cash"]
        else:
            assert status == "filled"
            assert after["cash"] < before["cash"]
    assert outcomes <= {"filled", "cancelled"}


def test_the_same_queue_message_delivered_twice_at_once_fills_once(stack: Deployed) -> None:
    order = stack.create_order()

    results, errors = run_at_once([lambda c=c: c.execute_queued(order["id"]) for c in (container(), container())])

    assert errors == []
    assert sorted(results) == ["already-final", "filled"]
    assert len([o for o in stack.get("/api/orders/account/1").json() if o["status"] == "filled"]) == 1


def test_creates_and_executions_on_one_account_never_overdraw_it(stack: Deployed) -> None:
    # Account 2 holds 50 000: ten buys of about 7 000 each cannot all be placed.
    attempts = [container() for _ in range(10)]

    def buy(c: Services) -> Any:
        from orders_common.models.requests import CreateOrderRequest

        request = CreateOrderRequest.model_validate(
            {
                "account_id": 2,
                "symbol": "BTC",
                "name": "x",
                "side": "buy",
                "order_type": "market",
                "quantity": Decimal("0.1"),
            }
        )
        placed = c.create_order(request, ANYONE).order
        return c.engine.execute(placed)

    results, errors = run_at_once([lambda c=c: buy(c) for c in attempts])

    assert len(results) == 7, errors  # 7 x 6987.6 fits in 50 000 (with the 1% buffer), an 8th does not
    assert {type(error).__name__ for error in errors} == {"InsufficientFunds"}
    account = stack.account(2)
    assert account["available_cash"] >= 0
    assert account["reserved_cash"] == 0
    spent = sum(r.filled_price * r.filled_quantity + r.commission for r in results)
    assert account["cash"] == Decimal("50000") - spent
