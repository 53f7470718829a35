"""A GET's order read straight from its stored item: the JSON the order model writes of that item, on
every order the store can hold; an item in another form read (or refused) by the model, as before."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from pydantic import ValidationError

from orders_common.dal.attributes import deserialize, serialize
from orders_common.dal.mapping import ORDER_FIELDS, item_to_order, order_to_item
from orders_common.dal.order_answers import order_answer
from orders_common.exact_json import dumps
from orders_common.models.base import dump_of
from orders_common.models.order import Order, OrderStatus, OrderType, Side
from tests.support.order_strategies import ORDER_VALUES, orders

AT = datetime(2026, 12, 5, 8, 0, 0, 123456, tzinfo=UTC)


def stored(order: Order) -> dict[str, Any]:
    """The item as a GetItem gives it back."""
    return deserialize(serialize(order_to_item(order, pending_shards=4)))


def through_model(item: dict[str, Any]) -> str:
    return dumps(dump_of(item_to_order(item)))


def a_partly_filled_buy() -> Order:
    return Order(
        id=12, account_id=3, user_id=2, symbol="BTC", name="dip", side=Side.BUY, order_type=OrderType.LIMIT,
        price=Decimal("50000.00"), quantity=Decimal("0.0300"), filled_quantity=Decimal("0.01"),
        status=OrderStatus.PARTIALLY_FILLED, filled_price=Decimal("49990"), market_price_at_fill=Decimal("49980"),
        fills_count=1, last_fill_at=AT, reserved_cash=Decimal("1000.4"), created_at=AT, updated_at=AT, version=3,
    )  # fmt: skip


def test_every_stored_field_is_generated() -> None:
    # The properties below cover every field only if the strategy gives each one a value.
    assert set(ORDER_VALUES) == set(Order.model_fields) == {*ORDER_FIELDS, "triggers_now"}


@given(orders)
def test_an_orders_answer_is_the_json_its_model_writes(order: Order) -> None:
    item = stored(order)

    answer = order_answer(item)

    assert dumps(answer.document) == through_model(item) == dumps(dump_of(order))
    assert (answer.user_id, answer.version) == (order.user_id, order.version)


@given(orders)
def test_numbers_written_back_in_another_notation_answer_alike(order: Order) -> None:
    # DynamoDB keeps a number's value, not its text: 5E+4 may come back as 50000, 0.0300 as 0.03
    item = {name: Decimal(format(value, "f")) if isinstance(value, Decimal) else value
            for name, value in stored(order).items()}  # fmt: skip

    assert dumps(order_answer(item).document) == through_model(item)


def test_an_answer_holds_the_derived_fields_and_no_key_attribute() -> None:
    document = order_answer(stored(a_partly_filled_buy())).document

    assert list(document) == list(a_partly_filled_buy().model_dump())
    assert (document["remaining_quantity"], document["order_no"], document["market"], document["slippage"]) == (
        Decimal("0.02"), "ORD-12", "CRYPTO", Decimal("0.00020008")
    )  # fmt: skip
    assert dumps(document["price"]) == "50000" and document["id"] == 12 and type(document["id"]) is int


@pytest.mark.parametrize(
    "change",
    [
        {"created_at": "2026-12-05T08:00:00.123456+00:00"},  # a time in another notation
        {"expire_at": "2026-12-05T09:00:00Z"},  # without microseconds
        {"version": Decimal("3.0")},  # an integer written with a fraction's digits
        {"price": "50000"},  # an amount as text
    ],
)
def test_an_item_in_another_form_answers_what_its_model_reads(change: dict[str, Any]) -> None:
    item = {**stored(a_partly_filled_buy()), **change}

    answer = order_answer(item)

    assert dumps(answer.document) == through_model(item)
    assert answer.version == 3


@pytest.mark.parametrize(
    "change",
    [
        {"status": "parked"},  # a status no order has
        {"version": Decimal("3.5")},  # not an integer
        {"name": Decimal(7)},  # not text
        {"price": Decimal("NaN")},
        {"fills_count": Decimal("Infinity")},
    ],
)
def test_an_item_no_order_holds_is_refused_as_its_model_refuses_it(change: dict[str, Any]) -> None:
    item = {**stored(a_partly_filled_buy()), **change}

    with pytest.raises(ValidationError):
        item_to_order(item)
    with pytest.raises(ValidationError):
        order_answer(item)


def test_an_item_missing_a_required_field_is_refused() -> None:
    item = stored(a_partly_filled_buy())
    del item["created_at"]

    with pytest.raises(ValidationError, match="created_at"):
        order_answer(item)
