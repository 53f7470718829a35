"""The in-memory fakes of the unit tests and the DynamoDB adapters answer alike: same results, same
refusals, same state after. Each case runs on both; a fake that drifts from the real store fails here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

import pytest

from orders_common.dal.fill_reads import DynamoFillReads
from orders_common.exchange.base import Fill, FillPart
from orders_common.logic.fill_progress import buy_settlement, plan_fill, sell_settlement
from orders_common.logic.ports.accounts import AccountReads, Cursors, IdSource
from orders_common.logic.ports.orders import FillReads, OrderInserts, OrderReads, OrderTransitions, PendingSummaries
from orders_common.logic.ports.refusals import (
    AccountRefused,
    ClientOrderIdTaken,
    FillUnaffordable,
    IdempotencyKeyTaken,
    OrderStateChanged,
    PositionChanged,
    PositionRefused,
)
from orders_common.logic.ports.values import FillFilters, IdempotencyRecord
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, OrderType, Side
from orders_common.models.paging import OrderFilters, PageRequest
from tests.support.fakes import demo_store
from tests.support.stack import Deployed


@dataclass
class Store:
    reads: OrderReads
    inserts: OrderInserts
    transitions: OrderTransitions
    accounts: AccountReads
    ids: IdSource
    cursors: Cursors
    fills: FillReads


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        fake = demo_store()
        yield Store(fake, fake, fake, fake, fake, fake, fake)
    else:
        deployed: Deployed = request.getfixturevalue("stack")
        built = deployed.services
        yield Store(
            built.orders,
            built.order_writes,
            built.order_writes,
            built.accounts,
            built.counters,
            built.counters,
            DynamoFillReads(built.table),
        )


_ids = iter(range(1, 10_000))


def order(**changes: Any) -> Order:
    now = utc_now()
    fields: dict[str, Any] = {
        "id": next(_ids), "account_id": 1, "user_id": 1, "symbol": "BTC", "name": "c", "side": Side.BUY,
        "order_type": OrderType.MARKET, "quantity": Decimal("0.01"), "status": OrderStatus.PENDING,
        "reserved_cash": Decimal(700), "created_at": now, "updated_at": now,
    }  # fmt: skip
    fields.update(changes)
    return Order(**fields)


def sell(**changes: Any) -> Order:
    return order(**{"side": Side.SELL, "reserved_cash": Decimal(0), "reserved_quantity": Decimal("0.5"), **changes})


def test_an_insert_reserves_and_the_order_reads_back(store: Store) -> None:
    placed = order()
    store.inserts.insert(placed)

    assert store.reads.get_order(placed.id) == placed
    account = store.accounts.get_account(1)
    assert account is not None and (account.available_cash, account.reserved_cash) == (Decimal(99300), Decimal(700))
    assert [o.id for o in store.reads.list_pending_orders(PageRequest(), OrderFilters()).items] == [placed.id]


@pytest.mark.parametrize(
    ("placed", "refusal", "owner", "held"),
    [
        (order(account_id=99), AccountRefused, None, None),
        (order(user_id=2), AccountRefused, 1, Decimal(100000)),
        (order(reserved_cash=Decimal(100001)), AccountRefused, 1, Decimal(100000)),
        (sell(account_id=99), AccountRefused, None, None),
        (sell(user_id=2), AccountRefused, 1, Decimal(100000)),  # a sell checks its account too
        (sell(account_id=2), PositionRefused, None, None),  # account 2 holds no BTC
        (sell(reserved_quantity=Decimal(2)), PositionRefused, None, Decimal("1.5")),
    ],
)
def test_refused_inserts_say_what_they_found_and_change_nothing(
    store: Store,
    placed: Order,
    refusal: type[AccountRefused | PositionRefused],
    owner: int | None,
    held: Decimal | None,
) -> None:
    before = store.accounts.get_account(1)

    with pytest.raises(refusal) as refused:
        store.inserts.insert(placed)

    found = refused.value
    if isinstance(found, AccountRefused):
        assert (found.owner, found.available_cash) == (owner, held)
    else:
        assert found.available_quantity == held
    assert store.reads.get_order(placed.id) is None
    assert store.accounts.get_account(1) == before


def test_the_schedules_summaries_tell_when_each_order_was_created(store: Store) -> None:
    """The pending_summary index does not project created_at: its sort key (<created_at>#<id>) says it."""
    created = utc_now() - timedelta(hours=2)
    placed = order(created_at=created, updated_at=utc_now())
    store.inserts.insert(placed)

    summaries = cast(PendingSummaries, store.reads).pending_summaries(PageRequest()).items

    assert [(summary.id, summary.created_at) for summary in summaries] == [(placed.id, created)]


def test_a_taken_client_order_id_names_its_order(store: Store) -> None:
    first = order(client_order_id="x")
    store.inserts.insert(first)

    with pytest.raises(ClientOrderIdTaken) as refused:
        store.inserts.insert(order(client_order_id="x"))
    assert refused.value.order_id == first.id


def test_a_live_idempotency_record_is_found_and_an_expired_one_replaced(store: Store) -> None:
    now = int(utc_now().timestamp())
    first = order()
    record = IdempotencyRecord("user:1", "k", "hash-1", first.id, now + 60)
    store.inserts.insert(first, idempotency=record)

    with pytest.raises(IdempotencyKeyTaken) as refused:
        store.inserts.insert(order(), idempotency=IdempotencyRecord("user:1", "k", "hash-2", 0, now + 60))
    assert refused.value.record == record

    expired = order()
    other = order()
    store.inserts.insert(expired, idempotency=IdempotencyRecord("user:1", "old", "h", expired.id, now - 5))
    store.inserts.insert(other, idempotency=IdempotencyRecord("user:1", "old", "h", other.id, now + 60))
    assert store.reads.get_order(other.id) is not None


def fill_for(placed: Order, price: str = "68500") -> Fill:
    return Fill(Decimal(price), placed.quantity, Decimal("0.685"), "paper", "e-1", utc_now())


def test_a_buy_fills_once(store: Store) -> None:
    placed = order()
    store.inserts.insert(placed)
    plan = plan_fill(placed, fill_for(placed))

    filled = store.transitions.fill(plan, buy_settlement(plan), position_version=None)

    assert store.reads.get_order(placed.id) == filled == plan.after
    account = store.accounts.get_account(1)
    assert account is not None and account.cash == Decimal(100000) - Decimal("685.685")
    with pytest.raises(OrderStateChanged) as again:
        store.transitions.fill(plan, buy_settlement(plan), position_version=None)
    assert again.value.status == "filled"


def test_a_part_filled_order_stays_open_with_the_rest_of_its_reservation(store: Store) -> None:
    placed = order(order_type=OrderType.LIMIT, price=Decimal(70000), reserved_cash=Decimal(700))
    store.inserts.insert(placed)
    part = Fill(Decimal(68500), Decimal("0.004"), Decimal("0.274"), "paper", "e-1", utc_now())
    plan = plan_fill(placed, part)

    partial = store.transitions.fill(plan, buy_settlement(plan), position_version=None)

    assert partial.status is OrderStatus.PARTIALLY_FILLED and partial.reserved_cash == Decimal(420)
    assert store.reads.get_order(placed.id) == partial
    assert [o.id for o in store.reads.list_pending_orders(PageRequest(), OrderFilters()).items] == [placed.id]
    account = store.accounts.get_account(1)
    # 280 of the 700 reserved comes back; 274 + 0.274 is paid
    assert account is not None and (account.reserved_cash, account.cash) == (Decimal(420), Decimal("99725.726"))
    rest = plan_fill(partial, Fill(Decimal(68000), Decimal("0.006"), Decimal("0.408"), "paper", "e-1", utc_now()))
    done = store.transitions.fill(rest, buy_settlement(rest), position_version=None)
    assert (done.status, done.filled_quantity, done.fills_count, done.reserved_cash) == (
        OrderStatus.FILLED, Decimal("0.01"), 2, 0
    )  # fmt: skip
    assert store.reads.list_pending_orders(PageRequest(), OrderFilters()).items == []
    account = store.accounts.get_account(1)
    assert account is not None and account.reserved_cash == 0


def test_a_buy_the_account_cannot_pay_is_refused(store: Store) -> None:
    placed = order(account_id=2, reserved_cash=Decimal(49000))
    store.inserts.insert(placed)
    plan = plan_fill(placed, fill_for(placed, "5000000"))

    with pytest.raises(FillUnaffordable):
        store.transitions.fill(plan, buy_settlement(plan), position_version=None)
    assert store.reads.get_order(placed.id) == placed


def test_a_sale_priced_from_a_stale_position_is_refused(store: Store) -> None:
    placed = sell()
    store.inserts.insert(placed)
    held = store.accounts.get_position(1, "BTC")
    assert held is not None
    plan = plan_fill(placed, fill_for(placed))
    settlement = sell_settlement(plan, held.position)
    store.inserts.insert(sell(reserved_quantity=Decimal("0.1")))  # the position moves

    with pytest.raises(PositionChanged):
        store.transitions.fill(plan, settlement, position_version=held.version)

    fresh = store.accounts.get_position(1, "BTC")
    assert fresh is not None and fresh.version != held.version
    store.transitions.fill(plan, sell_settlement(plan, fresh.position), position_version=fresh.version)
    after = store.accounts.get_position(1, "BTC")
    assert after is not None and after.position.reserved_quantity == Decimal("0.1")


def test_close_releases_once_and_claims_move_between_pending_and_executing(store: Store) -> None:
    placed = order()
    store.inserts.insert(placed)
    claimed = store.transitions.claim(placed)
    assert store.reads.get_order(placed.id).status is OrderStatus.EXECUTING  # type: ignore[union-attr]
    with pytest.raises(OrderStateChanged):
        store.transitions.claim(placed)
    released = store.transitions.release_claim(claimed)

    cancelled = store.transitions.close(released, OrderStatus.CANCELLED)

    assert cancelled.status is OrderStatus.CANCELLED
    account = store.accounts.get_account(1)
    assert account is not None and (account.available_cash, account.reserved_cash) == (Decimal(100000), 0)
    with pytest.raises(OrderStateChanged):
        store.transitions.close(released, OrderStatus.CANCELLED)


def test_an_order_is_marked_queued_once_per_window(store: Store) -> None:
    placed = order()
    store.inserts.insert(placed)
    now = utc_now()

    assert store.transitions.mark_queued(placed.id, at=now, unless_since=now - timedelta(minutes=3)) is True
    assert store.transitions.mark_queued(placed.id, at=now, unless_since=now - timedelta(minutes=3)) is False
    later = now + timedelta(minutes=5)
    assert store.transitions.mark_queued(placed.id, at=later, unless_since=later - timedelta(minutes=3)) is True
    assert store.transitions.mark_queued(12345678, at=later, unless_since=later) is False


def test_ids_are_handed_out_once_and_cursors_kept(store: Store) -> None:
    first, second = store.ids.reserve_ids("TEST", 3), store.ids.reserve_ids("TEST", 2)
    assert (list(first), list(second)) == ([1, 2, 3], [4, 5])

    store.cursors.put_cursor("JOB", "here")
    assert store.cursors.get_cursor("JOB") == "here"
    store.cursors.put_cursor("JOB", None)
    assert store.cursors.get_cursor("JOB") is None


def test_fill_records_are_read_by_order_and_by_account(store: Store) -> None:
    placed = order(order_type=OrderType.LIMIT, price=Decimal(70000), reserved_cash=Decimal(700))
    store.inserts.insert(placed)
    parts = (
        FillPart(1, Decimal(68500), Decimal("0.004"), Decimal("0.274")),
        FillPart(2, Decimal(68510), Decimal("0.002"), Decimal("0.137")),
    )
    plan = plan_fill(
        placed, Fill(Decimal("68503.33333333"), Decimal("0.006"), Decimal("0.411"), "paper", "e-1", utc_now(), parts)
    )
    partial = store.transitions.fill(plan, buy_settlement(plan), position_version=None)
    later_at = utc_now()
    later = plan_fill(partial, Fill(Decimal(68000), Decimal("0.004"), Decimal("0.272"), "paper", "e-1", later_at))
    store.transitions.fill(later, buy_settlement(later), position_version=None)

    by_order = store.fills.order_fills(placed.id, PageRequest()).items
    by_account = store.fills.account_fills(1, PageRequest(), FillFilters())

    assert [(f.fill_id, f.liquidity_level, f.price, f.quantity) for f in by_order] == [
        (f"{placed.id}-1", 1, Decimal(68500), Decimal("0.004")),
        (f"{placed.id}-2", 2, Decimal(68510), Decimal("0.002")),
        (f"{placed.id}-3", None, Decimal(68000), Decimal("0.004")),
    ]
    assert [f.fill_id for f in by_account.items] == [f"{placed.id}-3", f"{placed.id}-2", f"{placed.id}-1"]
    assert store.fills.account_fills(1, PageRequest(), FillFilters(symbol="ETH")).items == []
    assert store.fills.account_fills(2, PageRequest(), FillFilters()).items == []
    assert store.fills.order_fills(placed.id + 1, PageRequest()).items == []


def test_fill_records_are_read_a_page_at_a_time_and_within_a_time_range(store: Store) -> None:
    placed = order(order_type=OrderType.LIMIT, price=Decimal(70000), reserved_cash=Decimal(700))
    store.inserts.insert(placed)
    parts = tuple(FillPart(n, Decimal(68500 + n), Decimal("0.002"), Decimal("0.137")) for n in range(1, 4))
    plan = plan_fill(placed, Fill(Decimal(68502), Decimal("0.006"), Decimal("0.411"), "paper", "e-1", utc_now(), parts))
    partial = store.transitions.fill(plan, buy_settlement(plan), position_version=None)
    later_at = utc_now() + timedelta(seconds=1)
    later = plan_fill(partial, Fill(Decimal(68000), Decimal("0.004"), Decimal("0.272"), "paper", "e-1", later_at))
    store.transitions.fill(later, buy_settlement(later), position_version=None)
    ids = [f"{placed.id}-{n}" for n in range(1, 5)]

    first = store.fills.order_fills(placed.id, PageRequest(limit=3))
    rest = store.fills.order_fills(placed.id, PageRequest(limit=3, after=first.next_cursor))
    newest = store.fills.account_fills(1, PageRequest(limit=3), FillFilters())
    oldest = store.fills.account_fills(1, PageRequest(limit=3, after=newest.next_cursor), FillFilters())

    assert ([f.fill_id for f in first.items], [f.fill_id for f in rest.items]) == (ids[:3], ids[3:])
    assert (first.next_cursor, rest.next_cursor) == ("FILL#000003", None)
    assert store.fills.order_fills(placed.id, PageRequest(after="FILL#999999")).items == []  # the last there can be
    assert [f.fill_id for f in newest.items + oldest.items] == ids[::-1]
    assert oldest.next_cursor is None
    since = store.fills.account_fills(1, PageRequest(), FillFilters(since=later_at))
    until = store.fills.account_fills(1, PageRequest(), FillFilters(until=later_at))
    assert ([f.fill_id for f in since.items], [f.fill_id for f in until.items]) == (ids[3:], ids[2::-1])
