"""Orders executed on Hyperliquid (the local stand-in, which verifies every signature): the use cases on the
in-memory store, the real venue adapter and client, prices from the venue's own mids. Each way an execution can
end is settled exactly once, with the ledger explaining every balance (the audit) and a timeline that says it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from orders_common.errors import ExchangeUnavailable, OrderNotPending, OrderOnVenue, VenueRefused
from orders_common.exchange.hyperliquid_rules import cloid_for
from orders_common.logic.amend_order import AmendOrder
from orders_common.models.order import OrderStatus
from orders_common.models.order_actions import AmendOrderRequest
from tests.support.fakes import FakeQueue
from tests.support.venue_desk import ANYONE, VenueDesk, venue_desk
from tests.support.venue_secrets import AGENT_KEY, USER
from tests.unit.logic.conftest import FEES, RULES

TAKER_FEE = Decimal("0.00045")
MAKER_FEE = Decimal("0.00015")


@pytest.fixture
def desk(venue_secrets: Any, tmp_path: Path) -> Iterator[VenueDesk]:
    with venue_desk(venue_secrets, str(tmp_path)) as desk:
        yield desk


def test_a_market_buy_fills_on_the_venue_at_its_prices_with_its_fees(desk: VenueDesk) -> None:
    cash_before = desk.store.get_account(1).cash  # type: ignore[union-attr]

    order = desk.place(quantity="1.2")
    result = desk.engine.execute(order)

    filled = desk.order(order.id)
    assert (result.execution_status.value, filled.status) == ("filled", OrderStatus.FILLED)
    assert filled.exchange == "hyperliquid-testnet"
    assert filled.exchange_order_id is not None and filled.exchange_order_id.isdigit()
    # Two of the stand-in's 1-unit levels, 1 bp apart: 1 at 68506.85 and 0.2 at 68513.7, taker fees.
    fills = desk.store.fills[order.id]
    assert [(fill.price, fill.quantity) for fill in fills] == [
        (Decimal("68506.85"), Decimal(1)),
        (Decimal("68513.7"), Decimal("0.2")),
    ]
    notional = Decimal("68506.85") + Decimal("13702.74")
    fee = sum(round(fill.price * fill.quantity * TAKER_FEE, 6) for fill in fills)
    assert filled.commission == fee
    assert desk.store.get_account(1).cash == cash_before - notional - fee  # type: ignore[union-attr]
    assert desk.audit_matches()
    assert desk.kinds(order.id) == ["created", "claimed", "filled"]
    # the IOC was bounded by the order's slippage: 68500 + 50 bp, on the venue's tick (5 significant figures)
    sent = next(p for p in desk.venue.requests if p["action"]["type"] == "order")["action"]["orders"][0]
    assert (sent["p"], sent["s"], sent["t"], sent["r"]) == ("68842", "1.2", {"limit": {"tif": "Ioc"}}, False)
    assert sent["c"] == cloid_for(order.id)


def test_a_limit_sell_rests_on_the_venue_and_fills_when_the_price_crosses_it(desk: VenueDesk) -> None:
    desk.engine.execute(desk.place(quantity="1"))  # the venue account's position the sale reduces
    sale = desk.place(side="sell", order_type="limit", price="69000", quantity="1")

    result = desk.engine.execute(sale)

    resting = desk.order(sale.id)
    assert (result.execution_status.value, resting.status) == ("open", OrderStatus.PENDING)
    assert resting.exchange_order_id is not None and resting.rests_on_venue
    assert desk.kinds(sale.id) == ["created", "claimed", "accepted"]
    sent = [p["action"]["orders"][0] for p in desk.venue.requests if p["action"]["type"] == "order"][-1]
    assert (sent["t"], sent["r"]) == ({"limit": {"tif": "Gtc"}}, True)  # GTC, reduce-only

    assert desk.queued(sale.id) == "open"  # the schedule's next look: nothing filled yet, nothing sent
    desk.set_mids(BTC="69100")
    assert desk.queued(sale.id) == "filled"

    sold = desk.order(sale.id)
    assert (sold.status, sold.filled_price, sold.exchange_order_id) == (
        OrderStatus.FILLED,
        69000,
        resting.exchange_order_id,
    )
    assert sold.commission == Decimal(69000) * MAKER_FEE
    assert desk.orders_sent() == 2  # the buy and the sale, each once
    assert desk.audit_matches()


def test_a_resting_order_fills_in_parts_over_several_runs_each_part_once(desk: VenueDesk) -> None:
    buy = desk.place(order_type="limit", price="68000", quantity="1.2")
    desk.engine.execute(buy)
    cloid = cloid_for(buy.id)

    desk.venue.venue.hit(cloid, "0.3")
    assert desk.queued(buy.id) == "partially_filled"
    assert desk.queued(buy.id) == "open"  # a second look finds nothing new
    desk.venue.venue.hit(cloid, "0.4")
    desk.venue.venue.hit(cloid, "0.2")
    assert desk.queued(buy.id) == "partially_filled"
    after = desk.order(buy.id)
    assert (after.status, after.filled_quantity, after.fills_count) == (OrderStatus.PARTIALLY_FILLED, Decimal("0.9"), 3)
    assert after.reserved_cash > 0  # what the last 0.3 may still cost
    desk.venue.venue.hit(cloid, "0.3")
    assert desk.queued(buy.id) == "filled"

    done = desk.order(buy.id)
    assert (done.filled_quantity, done.fills_count, done.reserved_cash) == (Decimal("1.2"), 4, 0)
    quantities = [fill.quantity for fill in desk.store.fills[buy.id]]
    assert quantities == [Decimal("0.3"), Decimal("0.4"), Decimal("0.2"), Decimal("0.3")]
    assert desk.audit_matches()
    assert desk.kinds(buy.id) == ["created", "claimed", "accepted", "partially_filled", "partially_filled", "filled"]


def test_a_timeout_after_the_venue_accepted_is_reconciled_to_one_fill(desk: VenueDesk) -> None:
    order = desk.place(quantity="0.5")
    desk.venue.timeout_next(1.0)  # the venue fills it, the answer comes after the client's 0.5 s

    with pytest.raises(ExchangeUnavailable):
        desk.engine.execute(order)

    assert desk.order(order.id).status is OrderStatus.EXECUTING
    assert desk.queued(order.id) == "filled"  # the reconciler asks the venue by cloid
    assert desk.queued(order.id) == "already-final"  # a repeated delivery changes nothing
    assert len(desk.store.fills[order.id]) == 1 and desk.orders_sent() == 1
    assert desk.order(order.id).filled_quantity == Decimal("0.5")
    assert desk.audit_matches()
    assert desk.kinds(order.id) == ["created", "claimed", "reconciled", "filled"]


def test_a_dropped_answer_is_reconciled_the_same_way(desk: VenueDesk) -> None:
    order = desk.place(order_type="limit", price="68000", quantity="0.5")
    desk.venue.drop_next()

    with pytest.raises(ExchangeUnavailable):
        desk.engine.execute(order)

    assert desk.queued(order.id) == "open"  # it rests on the venue: open here with its venue id
    assert desk.order(order.id).rests_on_venue and desk.orders_sent() == 1
    assert desk.kinds(order.id) == ["created", "claimed", "reconciled", "accepted"]


def test_an_order_the_venue_never_received_is_pending_again_and_sent_once_more(desk: VenueDesk) -> None:
    order = desk.place(quantity="0.5")
    desk.store.claim(order)  # as if the executor had died after the claim, before sending

    assert desk.queued(order.id) == "open"
    assert desk.order(order.id).status is OrderStatus.PENDING
    assert desk.queued(order.id) == "filled"
    assert desk.orders_sent() == 1


def test_a_refused_request_leaves_the_order_pending(desk: VenueDesk) -> None:
    order = desk.place(quantity="0.5")
    desk.venue.fail_next(500)

    with pytest.raises(ExchangeUnavailable):
        desk.engine.execute(order)

    assert desk.order(order.id).status is OrderStatus.PENDING
    assert desk.store.get_account(1).reserved_cash == order.reserved_cash  # type: ignore[union-attr]


def test_a_venue_rejection_ends_the_order_rejected_with_its_reason_and_releases_it(desk: VenueDesk) -> None:
    order = desk.place(quantity="0.5")
    desk.venue.reject_next("Insufficient margin to place order. asset=0")

    result = desk.engine.execute(order)

    rejected = desk.order(order.id)
    assert (result.execution_status.value, rejected.status) == ("rejected", OrderStatus.REJECTED)
    assert rejected.rejection_reason == "refused by the venue: Insufficient margin to place order. asset=0"
    assert (rejected.reserved_cash, desk.store.get_account(1).reserved_cash) == (0, 0)  # type: ignore[union-attr]
    assert desk.audit_matches()


def test_a_sale_the_venue_position_cannot_cover_is_rejected_reduce_only(desk: VenueDesk) -> None:
    order = desk.place(side="sell", quantity="0.5")  # the desk account holds BTC; the venue account none

    result = desk.engine.execute(order)

    assert result.execution_status.value == "rejected"
    assert "Reduce only order would increase position" in (result.rejection_reason or "")


def test_a_market_order_with_nothing_to_match_stays_pending_and_an_ioc_expires(desk: VenueDesk) -> None:
    far = desk.place(order_type="limit", price="60000", quantity="0.5", time_in_force="ioc")

    assert desk.engine.execute(far).execution_status.value == "expired"
    assert desk.order(far.id).reserved_cash == 0


def test_cancel_takes_a_resting_order_off_the_venue_first(desk: VenueDesk) -> None:
    order = desk.place(order_type="limit", price="68000", quantity="0.5")
    desk.engine.execute(order)

    cancelled = desk.cancel(order.id, ANYONE)

    assert cancelled.released_cash == order.reserved_cash
    assert desk.order(order.id).status is OrderStatus.CANCELLED
    assert desk.venue.venue.find(USER, cloid_for(order.id)).status == "canceled"  # type: ignore[union-attr]
    desk.set_mids(BTC="67000")  # past its limit: cancelled there, it cannot fill
    assert desk.venue.venue.find(USER, cloid_for(order.id)).sz == Decimal("0.5")  # type: ignore[union-attr]
    assert desk.audit_matches()


def test_a_cancel_racing_a_fill_on_the_venue_records_the_fill_once_and_answers_409(desk: VenueDesk) -> None:
    order = desk.place(order_type="limit", price="68000", quantity="0.5")
    desk.engine.execute(order)
    desk.venue.venue.set_mids({"BTC": Decimal(67900)})  # filled there; the desk has not looked yet

    with pytest.raises(OrderNotPending):
        desk.cancel(order.id, ANYONE)

    filled = desk.order(order.id)
    assert (filled.status, filled.filled_quantity) == (OrderStatus.FILLED, Decimal("0.5"))
    assert len(desk.store.fills[order.id]) == 1
    assert desk.queued(order.id) == "already-final"
    assert desk.audit_matches()


def test_a_cancel_after_a_partial_fill_keeps_the_part_and_releases_the_rest(desk: VenueDesk) -> None:
    order = desk.place(order_type="limit", price="68000", quantity="1")
    desk.engine.execute(order)
    desk.venue.venue.hit(cloid_for(order.id), "0.25")

    desk.cancel(order.id, ANYONE)

    cancelled = desk.order(order.id)
    assert (cancelled.status, cancelled.filled_quantity, cancelled.reserved_cash) == (
        OrderStatus.CANCELLED, Decimal("0.25"), 0
    )  # fmt: skip
    assert desk.audit_matches()


def test_cancel_all_takes_each_resting_order_off_the_venue(desk: VenueDesk) -> None:
    first = desk.place(order_type="limit", price="68000", quantity="0.5")
    second = desk.place(order_type="limit", price="67000", quantity="0.5")
    desk.engine.execute(first)
    desk.engine.execute(second)
    desk.venue.venue.hit(cloid_for(second.id), "0.5")  # filled in full there before the cancel

    result = desk.cancel_open(1, reason="cancel-all")

    assert (result.cancelled, result.not_cancelled) == ([first.id], [second.id])
    assert desk.order(second.id).status is OrderStatus.FILLED
    assert desk.venue.venue.find(USER, cloid_for(first.id)).status == "canceled"  # type: ignore[union-attr]
    assert desk.audit_matches()


def test_an_order_resting_on_the_venue_cannot_be_amended_here(desk: VenueDesk) -> None:
    order = desk.place(order_type="limit", price="68000", quantity="0.5")
    desk.engine.execute(order)
    amend = AmendOrder(desk.store, desk.store, desk.prices, FEES, RULES, Decimal(10**6), desk.exchange.refusal)

    with pytest.raises(OrderOnVenue):
        amend(order.id, AmendOrderRequest.model_validate({"price": 67000}), ANYONE, None)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"symbol": "ETH", "quantity": "0.12345"}, "not a multiple of the venue's lot size 0.0001"),
        ({"quantity": "0.0001"}, "below the venue's minimum of 10 USDC"),
        ({"order_type": "limit", "price": "68000.5", "quantity": "0.1"}, "not on the venue's tick"),
        ({"order_type": "limit", "price": "68000", "quantity": "0.1", "time_in_force": "fok"}, "no fill-or-kill"),
    ],
)
def test_what_the_venue_cannot_take_is_refused_at_create_and_nothing_is_stored(
    desk: VenueDesk, fields: dict[str, str], reason: str
) -> None:
    with pytest.raises(VenueRefused, match=reason):
        desk.place(**fields)

    assert desk.store.orders == {}
    assert desk.store.get_account(1).reserved_cash == 0  # type: ignore[union-attr]


def test_the_venue_key_never_reaches_the_logs(desk: VenueDesk, caplog: pytest.LogCaptureFixture, capsys: Any) -> None:
    caplog.set_level(logging.DEBUG)
    order = desk.place(quantity="0.5")
    desk.venue.timeout_next(1.0)
    with pytest.raises(ExchangeUnavailable):
        desk.engine.execute(order)
    desk.queued(order.id)
    desk.engine.execute(desk.place(order_type="limit", price="68000", quantity="0.5"))

    logged = caplog.text + "".join(capsys.readouterr())
    assert "Order accepted by the venue" in logged  # the adapter's own lines were captured
    assert AGENT_KEY[2:] not in logged.lower() and AGENT_KEY[2:].upper() not in logged


def test_the_schedule_follows_a_resting_order_the_venue_filled_though_the_mid_never_crossed_it(desk: VenueDesk) -> None:
    buy = desk.place(order_type="limit", price="68000", quantity="1")
    other = desk.place(order_type="limit", price="67000", quantity="0.3")
    desk.engine.execute(buy)
    desk.engine.execute(other)
    queue = FakeQueue()
    desk.fan_out(queue)(seconds=10)
    assert queue.sent == []  # nothing filled, and the mid (68500) reaches neither limit

    desk.venue.venue.hit(cloid_for(buy.id), "0.4")  # a seller hits it; the mid stays at 68500
    desk.fan_out(queue)(seconds=10)

    assert queue.sent == [buy.id]  # one userFillsByTime request found it; the other order was not sent
    assert desk.queued(buy.id) == "partially_filled"
    assert desk.order(buy.id).filled_quantity == Decimal("0.4")
    info_types = [request["type"] for request in desk.info_requests]
    assert info_types.count("userFillsByTime") == 2  # one per run, whatever the number of resting orders
