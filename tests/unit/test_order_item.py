"""An order's stored form: every stored field that has a value (never a derived one), and back; the order
its events keep; its dump, made once for the store, the event and the answer."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given

from orders_common.dal.mapping import ORDER_FIELDS, item_to_order, order_snapshot, order_to_item
from orders_common.models.base import dump_of, dumped
from orders_common.models.errors import ValidationDetail
from orders_common.models.order import Order, OrderStatus, OrderType, Side, TimeInForce
from tests.support.order_strategies import orders

AT = datetime(2026, 12, 5, 8, 0, 0, 123456, tzinfo=UTC)


def a_filled_stop_limit() -> Order:
    """An order with a value in nearly every field."""
    return Order(
        id=7, account_id=3, user_id=2, symbol="ETH", name="stop", side=Side.SELL, order_type=OrderType.STOP_LIMIT,
        time_in_force=TimeInForce.GTD, price=Decimal("3400.50"), quantity=Decimal("2.0000"),
        trigger_price=Decimal("3450"), triggered_at=AT, expire_at=AT, version=4, filled_quantity=Decimal("2"),
        status=OrderStatus.FILLED, filled_price=Decimal("3400.5"), market_price_at_fill=Decimal("3401"),
        fills_count=2, last_fill_at=AT, commission=Decimal("6.801"), exchange="paper", client_order_id="c-7",
        created_at=AT, updated_at=AT, executed_at=AT,
    )  # fmt: skip


def test_an_item_holds_each_stored_field_with_a_value_and_no_derived_one() -> None:
    order = a_filled_stop_limit()

    item = order_to_item(order, pending_shards=4)

    kept = {name for name in ORDER_FIELDS if getattr(order, name) is not None}
    assert {name for name in item if name in Order.model_fields} == kept
    assert not set(item) & set(Order.model_computed_fields)
    assert "triggers_now" not in item
    assert (item["side"], item["status"], item["price"], item["created_at"]) == (
        "sell", "filled", Decimal("3400.5"), "2026-12-05T08:00:00.123456Z"
    )  # fmt: skip


def test_an_item_reads_back_as_the_order() -> None:
    order = a_filled_stop_limit()

    assert item_to_order(order_to_item(order, pending_shards=4)) == order


def test_an_orders_dump_is_made_once_and_never_shared() -> None:
    # Given an order (frozen: its fields never change) dumped to be stored
    order = a_filled_stop_limit()
    first = dumped(order)

    # When it is dumped again to be answered, after the first dump was changed by its user
    first["status"] = "changed"
    again = dumped(order)

    # Then it is its dump, unchanged; a changed order (another object) gets its own
    assert Order.model_config.get("frozen") is True
    assert again == order.model_dump() and again is not first
    assert dumped(order.model_copy(update={"version": 5}))["version"] == 5
    assert dumped(order) == dump_of(order) == order.model_dump()
    assert dump_of(order.model_copy(update={"version": 6}))["version"] == 6


def test_only_a_frozen_model_is_dumped_once() -> None:
    with pytest.raises(TypeError, match="not frozen"):
        dumped(ValidationDetail(location="body", field="quantity", message="too fine", type="decimal_places"))


@given(orders)
def test_an_events_order_is_the_json_pydantic_writes(order: Order) -> None:
    expected = order.model_dump_json(exclude_none=True, exclude_defaults=True, exclude=set(Order.model_computed_fields))

    assert order_snapshot(order) == expected
