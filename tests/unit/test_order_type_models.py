"""Validation of the order types, amends, If-Match and the dead man's switch: each refusal names its
field and its reason, before anything is stored."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from orders_common.models.account_requests import CancelAfterRequest
from orders_common.models.numbers import utc_now
from orders_common.models.order import OrderType, TimeInForce
from orders_common.models.order_actions import AmendOrderRequest, IfMatch, version_tag
from orders_common.models.requests import CreateOrderRequest

MARKET_BUY = {"account_id": 1, "symbol": "BTC", "name": "n", "side": "buy", "order_type": "market", "quantity": 1}


def refusals(model: type[Any], body: dict[str, Any]) -> set[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return {(".".join(str(p) for p in error["loc"]), error["type"]) for error in caught.value.errors()}


def iso(delta: timedelta) -> str:
    return (utc_now() + delta).isoformat()


def test_each_order_type_takes_its_own_prices() -> None:
    stop_limit = CreateOrderRequest.model_validate(
        {**MARKET_BUY, "side": "sell", "order_type": "stop_limit", "trigger_price": 60000, "price": 59900}
    )
    trailing = CreateOrderRequest.model_validate({**MARKET_BUY, "order_type": "trailing_stop", "trail_percent": 2})
    notional = CreateOrderRequest.model_validate(
        {**{k: v for k, v in MARKET_BUY.items() if k != "quantity"}, "quote_quantity": 500}
    )
    gtd = CreateOrderRequest.model_validate(
        {**MARKET_BUY, "order_type": "limit", "price": 1, "time_in_force": "gtd", "expire_at": iso(timedelta(days=1))}
    )

    assert (stop_limit.order_type, stop_limit.trigger_price, stop_limit.price) == (
        OrderType.STOP_LIMIT, Decimal(60000), Decimal(59900)
    )  # fmt: skip
    assert (trailing.trail_percent, trailing.trail_amount) == (Decimal(2), None)
    assert (notional.quantity, notional.quote_quantity) == (None, Decimal(500))
    assert gtd.time_in_force is TimeInForce.GTD and gtd.expire_at is not None


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"order_type": "stop_market"}, ("trigger_price", "trigger_price_required")),
        ({"order_type": "take_profit_limit", "trigger_price": 1}, ("price", "price_required")),
        ({"trigger_price": 1}, ("trigger_price", "trigger_price_not_allowed")),
        ({"order_type": "trailing_stop"}, ("trail_amount", "trail_required")),
        ({"order_type": "trailing_stop", "trail_percent": 1, "trail_amount": 5}, ("trail_amount", "trail_required")),
        ({"trail_amount": 5}, ("trail_amount", "trail_not_allowed")),
        ({"order_type": "trailing_stop", "trail_percent": 0}, ("trail_percent", "greater_than")),
        ({"order_type": "trailing_stop", "trail_percent": 100}, ("trail_percent", "less_than")),
        ({"quantity": None}, ("quantity", "missing")),
        ({"quote_quantity": 100}, ("quantity", "quantity_or_quote")),
        ({"side": "sell", "quantity": None, "quote_quantity": 100}, ("quote_quantity", "quote_quantity_not_allowed")),
        (
            {"order_type": "limit", "price": 1, "quantity": None, "quote_quantity": 100},
            ("quote_quantity", "quote_quantity_not_allowed"),
        ),
        ({"time_in_force": "day"}, ("time_in_force", "enum")),
        ({"time_in_force": "gtd"}, ("expire_at", "expire_at_required")),
        ({"expire_at": iso(timedelta(hours=1))}, ("expire_at", "expire_at_not_allowed")),
        ({"time_in_force": "gtd", "expire_at": iso(-timedelta(seconds=1))}, ("expire_at", "expire_at_past")),
        ({"time_in_force": "gtd", "expire_at": iso(timedelta(days=91))}, ("expire_at", "expire_at_too_far")),
        ({"time_in_force": "gtd", "expire_at": "2030-01-01T00:00:00"}, ("expire_at", "timezone_required")),
        ({"execute": "yes"}, ("execute", "bool_type")),
        (
            {"order_type": "limit", "price": 1, "max_slippage_bps": 10},
            ("max_slippage_bps", "max_slippage_bps_not_allowed"),
        ),
        ({"max_slippage_bps": 5001}, ("max_slippage_bps", "less_than_equal")),
        ({"max_slippage_bps": -1}, ("max_slippage_bps", "greater_than_equal")),
        ({"max_slippage_bps": "5"}, ("max_slippage_bps", "number_type")),
    ],
)
def test_order_terms_that_do_not_fit_the_order_type_are_refused(
    change: dict[str, Any], refusal: tuple[str, str]
) -> None:
    assert refusal in refusals(CreateOrderRequest, {**MARKET_BUY, **change})


def test_an_amend_names_what_it_changes() -> None:
    amend = AmendOrderRequest.model_validate({"price": 65000, "name": "higher"})

    assert amend.changes() == {"name": "higher", "price": Decimal(65000)}


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        ({}, ("", "nothing_to_amend")),
        ({"side": "sell"}, ("side", "extra_forbidden")),
        ({"quote_quantity": 5}, ("quote_quantity", "extra_forbidden")),
        ({"price": 0}, ("price", "greater_than")),
        ({"trail_percent": 1, "trail_amount": 2}, ("", "trail_required")),
        ({"expire_at": iso(-timedelta(minutes=1))}, ("expire_at", "expire_at_past")),
        ({"expire_at": iso(timedelta(days=91))}, ("expire_at", "expire_at_too_far")),
    ],
)
def test_amends_that_change_nothing_or_too_much_are_refused(body: dict[str, Any], refusal: tuple[str, str]) -> None:
    assert refusal in refusals(AmendOrderRequest, body)


@pytest.mark.parametrize(("header", "version"), [("3", 3), ('"3"', 3), ('W/"12"', 12), (' "7" ', 7)])
def test_if_match_reads_a_version_as_an_entity_tag(header: str, version: int) -> None:
    assert TypeAdapter(IfMatch).validate_python(header) == version
    assert TypeAdapter(IfMatch).validate_python(version_tag(version)) == version


@pytest.mark.parametrize("header", ["", "*", "0", "abc", '"3', "3.0", "-1", '"1", "2"', "1234567890123"])
def test_if_match_that_is_not_a_version_is_refused(header: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(IfMatch).validate_python(header)


@pytest.mark.parametrize("seconds", [0, 5, 60, 86400])
def test_a_switch_is_armed_for_5_seconds_to_a_day_or_disarmed(seconds: int) -> None:
    assert CancelAfterRequest.model_validate({"seconds": seconds}).seconds == seconds


@pytest.mark.parametrize("seconds", [-1, 1, 4, 86401, 1.5, True, "60", None])
def test_other_switch_periods_are_refused(seconds: object) -> None:
    with pytest.raises(ValidationError):
        CancelAfterRequest.model_validate({"seconds": seconds})
