"""Partial fills under races, on DynamoDB (moto): two executors filling the same partially filled
order, a cancel racing a partial fill. Each thread is a container of its own; every round ends with
one outcome per change, the order's fills adding up, and the ledger agreeing with the balances."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest

from orders_common.auth import Caller
from orders_common.errors import OrderNotPending
from orders_common.wiring import reset_services
from tests.integration.test_execution_races import container, run_at_once
from tests.integration.test_order_change_races import consistent, status
from tests.support.stack import Deployed

ANYONE = Caller.anyone()
ROUNDS = 5
LEVEL = Decimal("0.001")  # a thin book: 10 levels of 0.001 BTC per side, 1 bp apart


@pytest.fixture
def thin_book(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> Deployed:
    monkeypatch.setenv("STATIC_BOOK_LEVEL_SIZE", str(LEVEL))
    reset_services()  # the functions' containers start again with it
    return stack


def timeline(stack: Deployed, order_id: int) -> list[tuple[str, int]]:
    """The order's events (kind, version): exactly one per change that landed, none of the losers'."""
    events = stack.get(f"/api/orders/order/{order_id}/events").json()
    assert len({event["event_id"] for event in events}) == len(events)
    return [(event["kind"], event["order_version"]) for event in events]


def test_two_executors_on_a_partially_filled_order_fill_each_part_once(thin_book: Deployed) -> None:
    stack = thin_book
    for _ in range(ROUNDS):
        # 0.015 at a limit that takes 2 levels now: 0.002 filled, 0.013 left open
        order = stack.create_order(order_type="limit", price=Decimal("68513.7"), quantity=Decimal("0.015"))
        stack.post(f"/api/orders/execute/{order['id']}")
        assert status(stack, order["id"])["status"] == "partially_filled"

        results, errors = run_at_once([partial(container().execute_order, order["id"], ANYONE) for _ in range(2)])

        after = status(stack, order["id"])
        # The static book is not used up by paper fills: each execution that lands takes the two
        # levels under the limit again. The one that loses the race reads the order again and
        # executes what is left, so both land, each exactly once.
        assert errors == []
        assert [result.execution_status.value for result in results] == ["partially_filled"] * 2
        assert after["status"] == "partially_filled"
        assert Decimal(str(after["filled_quantity"])) == Decimal("0.006")
        assert after["fills_count"] == 6
        assert timeline(stack, order["id"]) == [
            ("created", 1), ("partially_filled", 2), ("partially_filled", 3), ("partially_filled", 4)
        ]  # fmt: skip
        consistent(stack)
        stack.post(f"/api/orders/cancel/{order['id']}")
        consistent(stack)


def test_a_cancel_racing_a_partial_fill_leaves_one_consistent_outcome(thin_book: Deployed) -> None:
    stack = thin_book
    outcomes = set()
    for _ in range(ROUNDS):
        order = stack.create_order(order_type="limit", price=Decimal("68513.7"), quantity=Decimal("0.01"))

        _, errors = run_at_once(
            [
                partial(container().execute_order, order["id"], ANYONE),
                partial(container().cancel_order, order["id"], ANYONE),
            ]
        )

        after = status(stack, order["id"])
        filled = Decimal(str(after["filled_quantity"]))
        assert after["status"] == "cancelled"  # a partial fill leaves it open, so the cancel always lands
        assert filled in (0, Decimal("0.002"))
        assert after["fills_count"] == (2 if filled else 0)
        assert after["reserved_cash"] == 0
        assert all(isinstance(error, OrderNotPending) for error in errors)
        expected = [("created", 1), ("partially_filled", 2), ("cancelled", 3)] if filled else [
            ("created", 1), ("cancelled", 2)
        ]  # fmt: skip
        assert timeline(stack, order["id"]) == expected
        outcomes.add("filled a part, then cancelled" if filled else "cancelled first")
        consistent(stack)
    assert outcomes  # which comes first varies; each round is checked above
