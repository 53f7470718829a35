"""Creating orders, at unit speed: reservations, refusals and what they mean, Idempotency-Key replays."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from orders_common.auth import Caller
from orders_common.errors import (
    AccountNotFound,
    DuplicateClientOrderId,
    ExchangeUnavailable,
    Forbidden,
    IdempotencyKeyReused,
    InsufficientFunds,
    InsufficientPosition,
    InvalidRequest,
    OrderTooLarge,
    UnknownSymbol,
)
from orders_common.logic.create_order import PRECISE_FIELDS
from orders_common.logic.order_terms import PRECISION_FIELDS
from orders_common.models.requests import CreateOrderRequest
from tests.unit.logic.conftest import Desk

ANYONE = Caller.anyone()
USER_1 = Caller(user_id=1, is_admin=False)


def request(**changes: Any) -> CreateOrderRequest:
    body = {"account_id": 1, "symbol": "BTC", "name": "t", "side": "buy", "order_type": "market", "quantity": "0.01"}
    body.update(changes)
    return CreateOrderRequest.model_validate(
        {k: Decimal(v) if k in {"quantity", "price"} and v is not None else v for k, v in body.items()}
    )


def test_a_limit_buy_reserves_its_notional_and_commission(desk: Desk) -> None:
    created = desk.create(request(order_type="limit", price="60000", quantity="0.1"), ANYONE)

    assert created.order.reserved_cash == Decimal("6006")
    account = desk.store.get_account(1)
    assert account is not None
    assert (account.available_cash, account.reserved_cash) == (Decimal(100000) - 6006, Decimal(6006))


def test_a_sell_reserves_position_quantity(desk: Desk) -> None:
    desk.create(request(side="sell", quantity="0.4"), ANYONE)

    held = desk.store.get_position(1, "BTC")
    assert held is not None
    assert (held.position.available_quantity, held.position.reserved_quantity) == (Decimal("1.1"), Decimal("0.4"))


@pytest.mark.parametrize(
    ("caller", "changes", "error"),
    [
        (ANYONE, {"account_id": 99}, AccountNotFound),
        (USER_1, {"account_id": 99}, AccountNotFound),
        (USER_1, {"account_id": 3}, Forbidden),  # user 2's account
        (USER_1, {"account_id": 3, "side": "sell", "symbol": "SOL"}, Forbidden),
        (USER_1, {"account_id": 2, "side": "sell"}, InsufficientPosition),  # user 1's, holds no BTC
        (USER_1, {"account_id": 99, "side": "sell"}, AccountNotFound),
        (ANYONE, {"quantity": "10"}, InsufficientFunds),
        (ANYONE, {"side": "sell", "quantity": "2"}, InsufficientPosition),
        (ANYONE, {"symbol": "DOGE"}, UnknownSymbol),
        (ANYONE, {"quantity": "0.000001"}, InvalidRequest),  # BTC trades in 5 places
    ],
)
def test_refusals_say_why_and_change_nothing(
    desk: Desk, caller: Caller, changes: dict[str, Any], error: type[Exception]
) -> None:
    before = (desk.store.get_account(1), desk.store.get_account(2), desk.store.get_account(3))

    with pytest.raises(error):
        desk.create(request(**changes), caller)

    assert desk.store.orders == {}
    assert (desk.store.get_account(1), desk.store.get_account(2), desk.store.get_account(3)) == before


def test_without_prices_nothing_is_created(desk: Desk) -> None:
    desk.prices.down = True

    with pytest.raises(ExchangeUnavailable):
        desk.create(request(), ANYONE)
    assert desk.store.orders == {}


def test_a_client_order_id_is_unique_per_account(desk: Desk) -> None:
    first = desk.create(request(client_order_id="a"), ANYONE).order

    with pytest.raises(DuplicateClientOrderId) as refused:
        desk.create(request(client_order_id="a"), ANYONE)
    assert refused.value.details == {"client_order_id": "a", "existing_order_id": first.id}
    assert desk.create(request(client_order_id="a", account_id=2), ANYONE).order.account_id == 2


def test_a_retried_idempotency_key_answers_the_original_order(desk: Desk) -> None:
    first = desk.create(request(), USER_1, "k1")
    again = desk.create(request(), USER_1, "k1")

    assert (first.replayed, again.replayed) == (False, True)
    assert again.order == first.order
    assert len(desk.store.orders) == 1


def test_the_same_key_with_another_body_is_refused(desk: Desk) -> None:
    desk.create(request(), USER_1, "k1")

    with pytest.raises(IdempotencyKeyReused):
        desk.create(request(quantity="0.02"), USER_1, "k1")
    assert len(desk.store.orders) == 1


def test_keys_belong_to_their_caller(desk: Desk) -> None:
    mine = desk.create(request(), USER_1, "k1").order
    theirs = desk.create(request(account_id=3, symbol="SOL", quantity="1"), Caller(user_id=2, is_admin=False), "k1")

    assert theirs.replayed is False and theirs.order.id != mine.id


def test_a_refused_create_leaves_its_key_free(desk: Desk) -> None:
    with pytest.raises(InsufficientFunds):
        desk.create(request(quantity="10"), USER_1, "k1")

    assert desk.create(request(), USER_1, "k1").replayed is False


@pytest.mark.parametrize(
    ("changes", "notional"),
    [
        ({"order_type": "limit", "price": "60000", "quantity": "0.2"}, Decimal(12000)),  # at its limit
        ({"quantity": "0.15"}, Decimal(10275)),  # a market buy at today's 68500
        ({"side": "sell", "quantity": "0.15"}, Decimal(10275)),  # sells count the same
        ({"order_type": "stop_market", "side": "sell", "trigger_price": 69000, "quantity": "0.15"}, Decimal(10350)),
        ({"quantity": None, "quote_quantity": Decimal("10000.01")}, Decimal("10000.01")),  # spend that much
    ],
)
def test_an_order_over_the_maximum_notional_is_refused_and_changes_nothing(
    desk: Desk, changes: dict[str, Any], notional: Decimal
) -> None:
    desk.max_order_notional = Decimal(10000)
    before = desk.store.get_account(1)

    with pytest.raises(OrderTooLarge) as refused:
        desk.create(request(**changes), ANYONE, "k1")

    assert refused.value.details == {"notional": notional, "max_order_notional": Decimal(10000)}
    assert desk.store.orders == {}
    assert desk.store.get_account(1) == before
    assert desk.create(request(), ANYONE, "k1").replayed is False  # the refused create kept no key


@pytest.mark.parametrize(
    "changes",
    [
        {"order_type": "limit", "price": "50000", "quantity": "0.2"},  # exactly at the maximum
        {"quantity": None, "quote_quantity": 10000},
        # A stop sells at its trigger: 0.2 x 40000, though at today's price it would be 13700.
        {"order_type": "stop_market", "side": "sell", "trigger_price": 40000, "quantity": "0.2"},
    ],
)
def test_an_order_up_to_the_maximum_notional_is_placed(desk: Desk, changes: dict[str, Any]) -> None:
    desk.max_order_notional = Decimal(10000)

    assert desk.create(request(**changes), ANYONE).order.status == "pending"


def test_every_amount_finer_than_the_symbol_trades_is_named_in_the_request_order(desk: Desk) -> None:
    # Given a stop limit buy whose price, trigger price and quantity are all finer than BTC trades
    finer = request(order_type="stop_limit", price="70000.123", trigger_price=Decimal("69000.55"), quantity="0.0000001")

    # When it is created
    with pytest.raises(InvalidRequest) as refused:
        desk.create(finer, ANYONE)

    # Then each is named, in the request's field order, and nothing was stored
    assert [detail["field"] for detail in refused.value.details] == ["price", "trigger_price", "quantity"]
    assert desk.store.orders == {}


def test_the_amounts_checked_for_precision_are_the_requests_in_its_order() -> None:
    checked = tuple(name for name in CreateOrderRequest.model_fields if name in PRECISION_FIELDS)

    assert checked == PRECISE_FIELDS
