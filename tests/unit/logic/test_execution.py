"""The execution engine at unit speed: fill, open, reject, and an external venue's claims, ambiguous
outcomes and reconciliation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders_common.auth import Caller
from orders_common.errors import ExchangeUnavailable, OrderNotPending
from orders_common.exchange.base import AmbiguousOutcome, Fill, NotMarketable, Rejected
from orders_common.logic import execution
from orders_common.logic.ports.refusals import PositionChanged
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus
from tests.support.fakes import ScriptedExchange
from tests.unit.logic.conftest import Desk
from tests.unit.logic.test_create_order import request

ANYONE = Caller.anyone()


def test_a_market_buy_fills_charges_the_fill_and_returns_the_rest_of_its_reservation(desk: Desk) -> None:
    order = desk.create(request(), ANYONE).order

    result = desk.engine.execute(order)

    # the book's best ask: 68500 + 1 bp
    assert (result.execution_status.value, result.filled_price) == ("filled", Decimal("68506.85"))
    account = desk.store.get_account(1)
    assert account is not None
    assert account.reserved_cash == 0
    assert account.cash == Decimal(100000) - Decimal("685.0685") - Decimal("0.6850685")
    held = desk.store.get_position(1, "BTC")
    assert held is not None and held.position.quantity == Decimal("1.51")


def test_a_sale_credits_the_proceeds_and_takes_its_share_of_the_cost_basis(desk: Desk) -> None:
    order = desk.create(request(symbol="ETH", side="sell", quantity="4"), ANYONE).order

    desk.engine.execute(order)

    held = desk.store.get_position(1, "ETH")
    assert held is not None
    assert (held.position.quantity, held.position.cost_basis) == (Decimal(6), Decimal(18000))


def test_a_limit_order_the_market_has_not_reached_stays_pending(desk: Desk) -> None:
    order = desk.create(request(order_type="limit", price="60000"), ANYONE).order

    result = desk.engine.execute(order)

    assert result.execution_status.value == "open"
    assert desk.order(order.id).status is OrderStatus.PENDING


def test_a_fill_the_account_cannot_pay_rejects_and_releases(desk: Desk) -> None:
    order = desk.create(request(account_id=2, quantity="0.7"), ANYONE).order  # reserves most of 50 000
    desk.prices.prices["BTC"] = Decimal(80000)  # past the 1% margin, and more than the account holds

    result = desk.engine.execute(order)

    assert result.execution_status.value == "rejected"
    assert "insufficient funds" in (result.rejection_reason or "")
    account = desk.store.get_account(2)
    assert account is not None and (account.available_cash, account.reserved_cash) == (Decimal(50000), 0)


def test_an_order_finished_elsewhere_is_not_pending(desk: Desk) -> None:
    order = desk.create(request(), ANYONE).order
    desk.engine.execute(order)

    with pytest.raises(OrderNotPending):
        desk.engine.execute(order)


def test_without_prices_nothing_changes(desk: Desk) -> None:
    order = desk.create(request(), ANYONE).order
    desk.prices.down = True

    with pytest.raises(ExchangeUnavailable):
        desk.engine.execute(order)
    assert desk.order(order.id) == order


def test_a_sale_repriced_when_the_position_moves_under_it(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    order = desk.create(request(symbol="ETH", side="sell", quantity="1"), ANYONE).order
    real_fill = desk.store.fill
    collisions = iter([True, True, False])

    def fill_after_two_collisions(*args: object, **kwargs: object) -> Order:
        if next(collisions):
            raise PositionChanged("moved")
        return real_fill(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(desk.store, "fill", fill_after_two_collisions)
    monkeypatch.setattr(execution, "POSITION_BACKOFF_BASE_SECONDS", 0.0)
    desk.store.calls.clear()

    assert desk.engine.execute(order).execution_status.value == "filled"
    assert desk.store.calls.count("get_position") == 3


def test_a_position_that_never_settles_answers_busy_not_a_failure(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    order = desk.create(request(symbol="ETH", side="sell", quantity="1"), ANYONE).order

    def always_moved(*args: object, **kwargs: object) -> Order:
        raise PositionChanged("moved")

    monkeypatch.setattr(desk.store, "fill", always_moved)
    monkeypatch.setattr(execution, "POSITION_BACKOFF_BASE_SECONDS", 0.0)

    with pytest.raises(execution.PositionBusy):
        desk.engine.execute(order)
    assert desk.order(order.id).status is OrderStatus.PENDING


def venue_fill(order: Order) -> Fill:
    return Fill(Decimal(68500), order.quantity, Decimal("0.685"), "scripted", "v-1", utc_now())


def test_an_external_venue_fills_a_claimed_order(desk: Desk) -> None:
    desk.exchange = venue = ScriptedExchange()
    order = desk.create(request(), ANYONE).order
    venue.answers = [venue_fill(order)]

    assert desk.engine.execute(order).execution_status.value == "filled"
    assert desk.order(order.id).exchange_order_id == "v-1"


def test_a_venue_that_certainly_did_not_receive_it_leaves_it_pending(desk: Desk) -> None:
    desk.exchange = venue = ScriptedExchange()
    order = desk.create(request(), ANYONE).order
    venue.answers = [ExchangeUnavailable("connection refused")]

    with pytest.raises(ExchangeUnavailable):
        desk.engine.execute(order)
    assert desk.order(order.id).status is OrderStatus.PENDING


def test_an_ambiguous_outcome_leaves_it_executing_and_reconciling_settles_it_once(desk: Desk) -> None:
    desk.exchange = venue = ScriptedExchange()
    order = desk.create(request(), ANYONE).order
    venue.answers = [AmbiguousOutcome("read timed out")]

    with pytest.raises(ExchangeUnavailable):
        desk.engine.execute(order)
    claimed = desk.order(order.id)
    assert claimed.status is OrderStatus.EXECUTING
    with pytest.raises(OrderNotPending):
        desk.engine.execute(claimed)  # nobody sends it twice

    venue.received["hyperoru-1"] = venue_fill(order)  # the venue had it after all
    assert desk.engine.reconcile(claimed).execution_status.value == "filled"
    assert venue.calls == 1


def test_reconciling_an_order_the_venue_never_took_makes_it_pending_again(desk: Desk) -> None:
    desk.exchange = venue = ScriptedExchange()
    order = desk.create(request(), ANYONE).order
    venue.answers = [AmbiguousOutcome("read timed out")]
    with pytest.raises(ExchangeUnavailable):
        desk.engine.execute(order)

    assert desk.engine.reconcile(desk.order(order.id)).execution_status.value == "open"
    assert desk.order(order.id).status is OrderStatus.PENDING


@pytest.mark.parametrize("answer", [NotMarketable(), Rejected("margin")])
def test_a_venue_that_does_not_fill_releases_or_rejects(desk: Desk, answer: NotMarketable | Rejected) -> None:
    desk.exchange = venue = ScriptedExchange()
    order = desk.create(request(), ANYONE).order
    venue.answers = [answer]

    status = desk.engine.execute(order).order_status

    assert status is (OrderStatus.PENDING if isinstance(answer, NotMarketable) else OrderStatus.REJECTED)
