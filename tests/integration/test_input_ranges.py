"""Any create the documented limits allow answers a 2xx or a 4xx, never a 5xx (DynamoDB's 38 digits,
not Python's 28, bound the arithmetic), and a refused create stores nothing."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders_common.models.numbers import MAX_AMOUNT
from tests.support.stack import Deployed

# Decimal places each symbol trades in (the template's local defaults), and a symbol with no price.
PLACES = {"BTC": (5, 1), "ETH": (4, 2), "SOL": (2, 4), "DOGE": (8, 8)}


def amounts(places: int) -> st.SearchStrategy[Decimal]:
    smallest = Decimal(1).scaleb(-places)
    return st.one_of(
        st.decimals(min_value=smallest, max_value=MAX_AMOUNT, places=places),
        st.decimals(min_value=smallest, max_value=Decimal(10), places=places),  # small enough to be placed
        st.decimals(min_value=Decimal("0.00000001"), max_value=MAX_AMOUNT, places=8),  # often too precise
    )


@st.composite
def create_bodies(draw: st.DrawFn) -> dict[str, Any]:
    symbol = draw(st.sampled_from(sorted(PLACES)))
    quantity_places, price_places = PLACES[symbol]
    body: dict[str, Any] = {
        "account_id": draw(st.integers(min_value=1, max_value=4)),
        "symbol": symbol,
        "name": "range",
        "side": draw(st.sampled_from(["buy", "sell"])),
        "order_type": draw(st.sampled_from(["market", "limit"])),
        "quantity": draw(amounts(quantity_places)),
    }
    if body["order_type"] == "limit":
        body["price"] = draw(amounts(price_places))
    return body


def test_no_create_within_the_limits_answers_5xx_and_refusals_store_nothing(stack: Deployed) -> None:
    outcomes: Counter[int] = Counter()

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=create_bodies())
    def create(body: dict[str, Any]) -> None:
        before = len(stack.stored_orders())

        response = stack.post("/api/orders/create", json=body)

        outcomes[response.status] += 1
        assert response.status in {201, 400, 404, 422}, (body, response.body)
        assert len(stack.stored_orders()) == before + (1 if response.status == 201 else 0)

    create()

    # It met creates, and refusals of the account (404), the amounts (422) and the precision (400).
    assert set(outcomes) >= {201, 400, 404, 422}, outcomes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(price=st.decimals(min_value=Decimal(1), max_value=MAX_AMOUNT, places=2),
       quantity=st.decimals(min_value=Decimal(1), max_value=MAX_AMOUNT, places=4))  # fmt: skip
def test_the_largest_limit_orders_are_refused_for_their_cost_not_failed(
    stack: Deployed, price: Decimal, quantity: Decimal
) -> None:
    body = {"account_id": 1, "symbol": "ETH", "name": "big", "side": "buy", "order_type": "limit"}
    response = stack.post("/api/orders/create", json={**body, "price": price, "quantity": quantity})

    assert response.status in {201, 422}, response.body
    if response.status == 422:
        # Over the account's cash, or over MaxOrderNotional (checked after the reservation's arithmetic,
        # so the largest amounts still go through it).
        assert response.json()["code"] in {"INSUFFICIENT_FUNDS", "ORDER_TOO_LARGE"}
