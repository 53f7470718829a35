"""MaxOrderNotional through the API: a stack deployed with a limit refuses a larger order at create,
422 ORDER_TOO_LARGE, and stores nothing (no order, no reservation, no event, no Idempotency-Key)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from localdev.functions import load_functions
from localdev.stack import LOCAL_PARAMETERS
from localdev.template import Template
from tests.support.api import assert_error
from tests.support.iam import fail_on_ungranted_calls, recorded_stack
from tests.support.stack import Deployed

LIMIT = 10000


@pytest.fixture
def limited() -> Iterator[Deployed]:
    template = Template.load(parameters={**LOCAL_PARAMETERS, "MaxOrderNotional": str(LIMIT)})
    with recorded_stack(template, load_functions(template)) as deployed:
        yield deployed
        assert deployed.iam is not None
        fail_on_ungranted_calls(deployed.iam, deployed.resolver)


def body(**changes: Any) -> dict[str, Any]:
    order = {"account_id": 1, "symbol": "BTC", "name": "big", "side": "buy", "order_type": "market"}
    return {**order, "quantity": Decimal("0.01"), **changes}


@pytest.mark.parametrize(
    ("changes", "notional"),
    [
        ({"order_type": "limit", "price": Decimal(60000), "quantity": Decimal("0.2")}, 12000),
        ({"quantity": Decimal("0.15")}, Decimal("10275")),  # at make run's 68500
        ({"side": "sell", "quantity": Decimal("0.15")}, Decimal("10275")),
        ({"quantity": None, "quote_quantity": Decimal("10000.5"), "execute": True}, Decimal("10000.5")),
    ],
)
def test_an_order_over_the_limit_is_422_and_stores_nothing(
    limited: Deployed, changes: dict[str, Any], notional: Decimal
) -> None:
    before = limited.account(1)
    payload = {key: value for key, value in body(**changes).items() if value is not None}

    response = limited.post("/api/orders/create", json=payload, headers={"Idempotency-Key": "big-1"})

    error = assert_error(response, 422, "ORDER_TOO_LARGE")
    assert error["details"] == {"notional": notional, "max_order_notional": LIMIT}
    assert limited.account(1) == before
    assert limited.get("/api/orders/account/1").json() == []
    # The key was not spent: the same key places an order within the limit.
    retry = limited.post("/api/orders/create", json=body(), headers={"Idempotency-Key": "big-1"})
    assert retry.status == 201 and retry.header("Idempotent-Replayed") is None


def test_an_order_at_the_limit_is_placed(limited: Deployed) -> None:
    order = limited.create_order(order_type="limit", price=Decimal(50000), quantity=Decimal("0.2"))

    assert order["status"] == "pending"


def test_the_default_limit_leaves_make_runs_orders_alone(stack: Deployed) -> None:
    # The default (1,000,000) is above anything the demo accounts can pay for.
    order = stack.create_order(order_type="limit", price=Decimal(60000), quantity=Decimal("1"))

    assert order["status"] == "pending"
