"""Health on in-memory fakes: each figure, each threshold, the price source for everyone, and only an
unreachable store is unhealthy; everyone but admins gets the status from one cheap read."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from orders_common.auth import Caller
from orders_common.errors import Forbidden, StoreUnavailable
from orders_common.logic.health import CheckHealth, HealthRules, RecordScheduleRun
from orders_common.models.audit import AuditStatus
from orders_common.models.health import DegradedReason, HealthReport, UnhealthyReport
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, OrderType, Side
from tests.support.fakes import FakePrices, FakeQueue, InMemoryStore, demo_store

NOW = datetime(2026, 12, 5, 0, 30, tzinfo=utc_now().tzinfo)
ADMIN = Caller(user_id=9, is_admin=True)
USER = Caller(user_id=1, is_admin=False)
RULES = HealthRules(stale_pending=timedelta(minutes=15), schedule_period=timedelta(minutes=1))


def check(
    store: InMemoryStore, dlq: FakeQueue | None, rules: HealthRules = RULES, prices: FakePrices | None = None
) -> CheckHealth:
    return CheckHealth(
        pending=store,
        ages=store,
        audits=store,
        runs=store,
        dead_letters=(lambda: dlq) if dlq is not None else None,
        prices=prices or FakePrices({"BTC": Decimal(68500)}),
        rules=rules,
        clock=lambda: NOW,
    )


_ids = iter(range(1, 10_000))


def place(store: InMemoryStore, minutes_ago: float, **changes: Any) -> Order:
    at = NOW - timedelta(minutes=minutes_ago)
    fields: dict[str, Any] = {
        "id": next(_ids), "account_id": 1, "user_id": 1, "symbol": "BTC", "name": "h", "side": Side.BUY,
        "order_type": OrderType.LIMIT, "price": Decimal(50000), "quantity": Decimal("0.01"),
        "status": OrderStatus.PENDING, "reserved_cash": Decimal(500), "created_at": at, "updated_at": at,
    }  # fmt: skip
    fields.update(changes)
    order = Order(**fields)
    store.insert(order)
    return order


@pytest.fixture
def store() -> InMemoryStore:
    desk = demo_store()
    desk.record_schedule_run(NOW - timedelta(seconds=30))
    return desk


def admin_report(
    store: InMemoryStore, dlq: FakeQueue | None, rules: HealthRules = RULES, prices: FakePrices | None = None
) -> HealthReport:
    report = check(store, dlq, rules, prices)(ADMIN)
    assert isinstance(report, HealthReport)
    assert report.statistics is not None
    return report


def test_all_quiet_is_ok_with_every_figure(store: InMemoryStore) -> None:
    place(store, minutes_ago=2)
    place(store, minutes_ago=5)

    report = admin_report(store, FakeQueue())

    assert (report.status, report.degraded_reasons) == ("ok", [])
    assert report.statistics is not None
    assert report.statistics.model_dump() == {
        "pending_orders": 2,
        "oldest_pending_age_seconds": 300,
        "stuck_executing_orders": 0,
        "dead_letter_messages": 0,
        "schedule_last_run_at": "2026-12-05T00:29:30.000000Z",
        "last_audit": None,
    }


def test_an_old_pending_order_degrades_it(store: InMemoryStore) -> None:
    place(store, minutes_ago=16)

    report = admin_report(store, FakeQueue())

    assert (report.status, report.degraded_reasons) == ("degraded", [DegradedReason.STALE_PENDING])
    assert report.statistics is not None and report.statistics.oldest_pending_age_seconds == 960


def test_the_stale_threshold_is_the_setting(store: InMemoryStore) -> None:
    place(store, minutes_ago=16)

    report = admin_report(store, FakeQueue(), HealthRules(timedelta(minutes=30), timedelta(minutes=1)))

    assert report.status == "ok"


def test_an_order_executing_longer_than_the_reconcile_delay_degrades_it(store: InMemoryStore) -> None:
    place(store, minutes_ago=1, status=OrderStatus.EXECUTING, updated_at=NOW - timedelta(seconds=61))
    place(store, minutes_ago=1, status=OrderStatus.EXECUTING, updated_at=NOW - timedelta(seconds=10))

    report = admin_report(store, FakeQueue())

    assert (report.status, report.degraded_reasons) == ("degraded", [DegradedReason.STUCK_EXECUTING])
    assert report.statistics is not None and report.statistics.stuck_executing_orders == 1


def test_messages_in_the_dead_letter_queue_degrade_it(store: InMemoryStore) -> None:
    report = admin_report(store, FakeQueue(waiting=3))

    assert (report.status, report.degraded_reasons) == ("degraded", [DegradedReason.DEAD_LETTERS])
    assert report.statistics is not None and report.statistics.dead_letter_messages == 3


@pytest.mark.parametrize("dlq", [None, FakeQueue(down=True)], ids=["no URL", "SQS down"])
def test_a_dead_letter_queue_it_cannot_read_degrades_it_never_hides(
    store: InMemoryStore, dlq: FakeQueue | None
) -> None:
    report = admin_report(store, dlq)

    assert (report.status, report.degraded_reasons) == ("degraded", [DegradedReason.DEAD_LETTERS_UNREADABLE])
    assert report.statistics is not None and report.statistics.dead_letter_messages is None


@pytest.mark.parametrize(
    ("last_run", "late"),
    [(None, True), (NOW - timedelta(minutes=3, seconds=1), True), (NOW - timedelta(minutes=3), False)],
)
def test_a_schedule_that_missed_three_periods_degrades_it(
    store: InMemoryStore, last_run: datetime | None, late: bool
) -> None:
    store.schedule_run = last_run

    report = admin_report(store, FakeQueue())

    assert report.degraded_reasons == ([DegradedReason.SCHEDULE_LATE] if late else [])


def test_a_switched_off_schedule_is_not_expected_to_run(store: InMemoryStore) -> None:
    store.schedule_run = None

    report = admin_report(store, FakeQueue(), HealthRules(timedelta(minutes=15), schedule_period=None))

    assert report.status == "ok"


def test_an_audit_with_mismatches_degrades_it(store: InMemoryStore) -> None:
    store.save_status(AuditStatus(last_run_at=NOW, accounts_checked=3, mismatches=1, complete=True))

    report = admin_report(store, FakeQueue())

    assert (report.status, report.degraded_reasons) == ("degraded", [DegradedReason.AUDIT_MISMATCHES])


def test_every_reason_is_listed_at_once(store: InMemoryStore) -> None:
    place(store, minutes_ago=20)
    place(store, minutes_ago=1, status=OrderStatus.EXECUTING, updated_at=NOW - timedelta(minutes=5))
    store.schedule_run = None
    store.save_status(AuditStatus(last_run_at=NOW, accounts_checked=3, mismatches=2, complete=True))

    report = admin_report(store, FakeQueue(waiting=1))

    assert report.degraded_reasons == [
        DegradedReason.STALE_PENDING,
        DegradedReason.STUCK_EXECUTING,
        DegradedReason.DEAD_LETTERS,
        DegradedReason.SCHEDULE_LATE,
        DegradedReason.AUDIT_MISMATCHES,
    ]


class _DownStore(InMemoryStore):
    def count_pending(self) -> int:
        raise StoreUnavailable("The order store is unavailable; try again shortly.")

    def ping(self) -> None:
        raise StoreUnavailable("The order store is unavailable; try again shortly.")


@pytest.mark.parametrize("caller", [ADMIN, USER], ids=["admin", "user"])
def test_only_an_unreachable_store_is_unhealthy(caller: Caller) -> None:
    report = check(_DownStore(), FakeQueue())(caller)

    assert isinstance(report, UnhealthyReport)
    assert report.code == "STORE_UNAVAILABLE"


def test_a_user_gets_the_status_alone_from_one_read(store: InMemoryStore) -> None:
    place(store, minutes_ago=60)  # stale: an admin would see degraded
    dlq = FakeQueue(down=True)  # never asked

    report = check(store, dlq)(USER)

    assert isinstance(report, HealthReport)
    assert (report.status, report.degraded_reasons, report.statistics) == ("ok", [], None)


def test_the_schedule_records_its_run_and_survives_a_refused_write(store: InMemoryStore) -> None:
    assert RecordScheduleRun(store, clock=lambda: NOW)() == NOW
    assert store.last_schedule_run() == NOW

    class _Refusing(InMemoryStore):
        def record_schedule_run(self, at: datetime) -> None:
            raise StoreUnavailable("The order store is unavailable; try again shortly.")

    assert RecordScheduleRun(_Refusing(), clock=lambda: NOW)() is None


def prices_down() -> FakePrices:
    prices = FakePrices({"BTC": Decimal(68500)})
    prices.down = True
    return prices


@pytest.mark.parametrize("caller", [ADMIN, USER], ids=["admin", "user"])
def test_prices_that_cannot_be_had_degrade_it_for_everyone(store: InMemoryStore, caller: Caller) -> None:
    prices = prices_down()

    report = check(store, FakeQueue(), prices=prices)(caller)

    assert isinstance(report, HealthReport)
    assert (report.status, report.degraded_reasons) == ("degraded", [DegradedReason.PRICES_UNAVAILABLE])
    assert (report.statistics is not None) == caller.is_admin
    assert prices.requests == 1  # one probe, never retried here


def test_prices_come_after_the_figures_reasons(store: InMemoryStore) -> None:
    store.schedule_run = None

    report = admin_report(store, FakeQueue(waiting=2), prices=prices_down())

    assert report.degraded_reasons == [
        DegradedReason.DEAD_LETTERS,
        DegradedReason.SCHEDULE_LATE,
        DegradedReason.PRICES_UNAVAILABLE,
    ]


def test_an_unreachable_store_is_unhealthy_without_asking_for_prices() -> None:
    prices = prices_down()

    report = check(_DownStore(), FakeQueue(), prices=prices)(USER)

    assert isinstance(report, UnhealthyReport)
    assert prices.requests == 0


def test_the_figures_are_for_admins_only(store: InMemoryStore) -> None:
    with pytest.raises(Forbidden):
        check(store, FakeQueue()).figures(USER)

    report = check(store, FakeQueue()).figures(ADMIN)

    assert isinstance(report, HealthReport) and report.statistics is not None
