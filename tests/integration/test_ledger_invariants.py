"""The ledger explains every balance, whatever happens: a random mix of deposits, withdrawals, creates,
cancels, fills and rejections, run by concurrent containers, leaves every invariant true and the audit
with nothing to report; a balance changed behind the ledger's back is found, on exactly its account."""

from __future__ import annotations

import random
import threading
from decimal import Decimal
from typing import Any

import boto3
import pytest

from orders_common.auth import Caller
from orders_common.config import get_settings
from orders_common.errors import OrdersError
from orders_common.exchange.prices import StaticPriceSource
from orders_common.logic.ports.values import LedgerFilters
from orders_common.models.account_requests import TransferRequest
from orders_common.models.order import OrderStatus
from orders_common.models.paging import OrderFilters, PageRequest
from orders_common.models.requests import CreateOrderRequest
from orders_common.wiring import Services
from tests.support.stack import Deployed

ANYONE = Caller.anyone()
ACCOUNTS = (1, 2, 3)
SYMBOLS = {1: ("BTC", "ETH"), 2: ("BTC",), 3: ("SOL",)}


def run_random_mix(seed: int, operations: int, *, dear: bool, first: int | None = None) -> dict[str, int]:
    """One container's share of the mix; counts what happened."""
    rng = random.Random(seed)
    container = Services(get_settings())
    outcomes: dict[str, int] = {}

    def tally(name: str) -> None:
        outcomes[name] = outcomes.get(name, 0) + 1

    if dear:  # this container sees a market a thousand times higher: fills the accounts cannot pay
        container.__dict__["prices"] = StaticPriceSource(
            {"BTC": Decimal(68500000), "ETH": Decimal(3500000), "SOL": Decimal(150000)}
        )
    if first is not None:  # whatever the random draw, a rejection happens
        tally(f"first {container.execute_order(first, ANYONE).execution_status.value}")

    for number in range(operations):
        account_id = rng.choice(ACCOUNTS)
        action = rng.choice(["deposit", "withdrawal", "buy", "buy", "sell", "cancel", "execute", "execute"])
        try:
            if action in ("deposit", "withdrawal"):
                amount = Decimal(rng.randint(1, 30000)) / 10
                container.transfer(
                    action,
                    account_id,
                    TransferRequest(amount=amount),
                    ANYONE,
                    f"mix-{seed}-{number}",  # type: ignore[arg-type]
                )
            elif action in ("buy", "sell"):
                symbol = rng.choice(SYMBOLS[account_id]) if action == "sell" else rng.choice(("BTC", "ETH", "SOL"))
                fields: dict[str, Any] = {
                    "account_id": account_id, "symbol": symbol, "name": "mix", "side": action,
                    "order_type": rng.choice(["market", "limit"]), "quantity": Decimal(rng.randint(1, 50)) / 100,
                }  # fmt: skip
                if fields["order_type"] == "limit":
                    fields["price"] = {"BTC": Decimal(68000), "ETH": Decimal(3400), "SOL": Decimal(150)}[symbol]
                container.create_order(CreateOrderRequest.model_validate(fields), ANYONE)
            else:
                pending = container.orders.list_pending_orders(PageRequest(limit=200), OrderFilters()).items
                if action == "execute":  # resting limit orders pile up; executing market ones moves money
                    pending = [o for o in pending if o.order_type.value == "market"] or pending
                if not pending:
                    continue
                order = rng.choice(pending)
                if action == "cancel":
                    container.cancel_order(order.id, ANYONE)
                else:
                    container.execute_order(order.id, ANYONE)
            tally(action)
        except OrdersError as refused:  # 404/409/422/503: refused, and (the invariants say) nothing changed
            tally(f"{action} refused ({refused.code})")
    return outcomes


@pytest.mark.parametrize("seed", [11, 23])
def test_a_random_concurrent_mix_leaves_every_balance_explained(stack: Deployed, seed: int) -> None:
    seed += seed % 2  # the first container (the one that starts with a rejection) sees the dear market
    results: list[dict[str, int]] = []
    unaffordable = stack.create_order(account_id=2, quantity=Decimal("0.1"))["id"]
    threads = [
        threading.Thread(
            target=lambda s=s: results.append(
                run_random_mix(s, 40, dear=s % 2 == 0, first=unaffordable if s == seed else None)
            )
        )
        for s in range(seed, seed + 4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    happened: dict[str, int] = {}
    for outcome in results:
        for name, times in outcome.items():
            happened[name] = happened.get(name, 0) + times

    services = stack.services
    for account_id in ACCOUNTS:
        account = services.accounts.get_account(account_id)
        assert account is not None
        entries = list(services.ledger.entries(account_id))
        cash = [e for e in entries if e.asset == "cash"]
        assert sum((e.amount for e in cash), Decimal(0)) == account.cash
        assert sum((e.reserved_change for e in cash), Decimal(0)) == account.reserved_cash
        open_orders = [
            order
            for status in (OrderStatus.PENDING, OrderStatus.EXECUTING)
            for order in services.orders.list_account_orders(
                account_id, PageRequest(limit=1000), OrderFilters(status=status)
            ).items
        ]
        assert account.reserved_cash == sum((o.reserved_cash for o in open_orders), Decimal(0))
        for position in account.positions:
            moved = [e for e in entries if e.asset == position.symbol]
            assert sum((e.amount for e in moved), Decimal(0)) == position.quantity
            assert sum((e.cost_basis_change or 0 for e in moved), Decimal(0)) == position.cost_basis
            assert position.reserved_quantity == sum(
                (o.reserved_quantity for o in open_orders if o.symbol == position.symbol), Decimal(0)
            )
            assert position.available_quantity >= 0
        assert account.available_cash >= 0
        report = stack.post(f"/api/accounts/{account_id}/audit").json()
        assert report["mismatches"] == [], report
    # The mix did exercise what it is meant to: fills, refusals of each kind, cancels, transfers.
    assert happened.get("execute", 0) > 0 and happened.get("cancel", 0) > 0 and happened.get("deposit", 0) > 0
    filled = rejected = 0
    for account_id in ACCOUNTS:
        statuses = [
            o.status
            for o in services.orders.list_account_orders(account_id, PageRequest(limit=1000), OrderFilters()).items
        ]
        filled += statuses.count(OrderStatus.FILLED)
        rejected += statuses.count(OrderStatus.REJECTED)
    assert filled > 0 and rejected > 0, happened


def test_a_balance_changed_behind_the_ledgers_back_is_reported_on_that_account_only(stack: Deployed) -> None:
    stack.create_order(quantity=Decimal("0.01"))
    boto3.client("dynamodb").update_item(
        TableName=stack.table_name,
        Key={"pk": {"S": "ACCOUNT#2"}, "sk": {"S": "ACCOUNT"}},
        UpdateExpression="SET available_cash = available_cash + :gift",
        ExpressionAttributeValues={":gift": {"N": "0.01"}},
    )

    reports = {account_id: stack.post(f"/api/accounts/{account_id}/audit").json() for account_id in ACCOUNTS}
    scheduled = stack.invoke(
        "AuditAccountFunction", {"source": "aws.events", "detail-type": "Scheduled Event", "id": "audit-test"}
    )

    assert [account_id for account_id, report in reports.items() if not report["matches"]] == [2]
    assert reports[2]["mismatches"] == ["cash: ledger sum = cash", "cash: ledger available = available_cash"]
    wrong = next(check for check in reports[2]["checks"] if check["name"] == "cash: ledger sum = cash")
    assert (wrong["expected"], wrong["actual"]) == (Decimal(50000), Decimal("50000.01"))
    assert (scheduled["accounts_checked"], scheduled["mismatches"], scheduled["mismatched_accounts"]) == (3, 1, [2])
    health = stack.get("/api/orders/health").json()["statistics"]["last_audit"]
    assert (health["accounts_checked"], health["mismatches"], health["complete"]) == (3, 1, True)


def test_the_scheduled_audit_resumes_where_a_run_out_of_time_stopped(stack: Deployed) -> None:
    first = stack.services.audit_every_account(seconds=0)
    second = stack.services.audit_every_account(seconds=60)

    assert (first.accounts_checked, first.complete) == (1, False)
    assert (second.accounts_checked, second.complete, second.resumed) == (2, True, True)
    assert stack.services.counters.get_cursor("AUDIT") is None


def test_the_audit_reads_the_ledger_page_by_page(stack: Deployed) -> None:
    for number in range(30):
        stack.post("/api/accounts/2/deposits", json={"amount": 1}, headers={"Idempotency-Key": f"p{number}"})

    entries = list(stack.services.ledger.entries(2))
    page = stack.services.ledger.list_entries(2, PageRequest(limit=10), LedgerFilters())

    assert len(entries) == 31
    assert len(page.items) == 10 and page.next_cursor is not None
    assert stack.post("/api/accounts/2/audit").json()["entries"] == 31
