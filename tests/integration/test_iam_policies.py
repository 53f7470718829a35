"""Every path of every function against IAM: each AWS call a function makes is granted by its policy in
template.yaml, and each policy grants exactly what its function's code uses, no more.

Moto grants everything; ``localdev.iam`` decides as IAM would. The paths run once for the module.
Locally every function shares one process and one set of services, where a real function has
containers of its own; services are rebuilt before each step, so that what one function cached (an
account's owner) cannot spare another function a read it makes on AWS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pytest

from localdev.events import sqs_event
from localdev.functions import LocalFunction
from localdev.local_auth import LocalIssuer
from localdev.template import ROOT, Template
from orders_common.logic import cancel_after as switches_module
from orders_common.logic import fan_out as fan_out_module
from orders_common.models.numbers import utc_now
from orders_common.models.paging import encode_token
from orders_common.wiring import reset_services
from tests.support.iam import KNOWN_GAPS, known_gaps, recorded_stack
from tests.support.stack import Deployed

BUY = {
    "account_id": 1,
    "symbol": "BTC",
    "name": "IAM buy",
    "side": "buy",
    "order_type": "market",
    "quantity": Decimal("0.01"),
}
SELL = {**BUY, "symbol": "ETH", "name": "IAM sell", "side": "sell", "quantity": Decimal("0.5")}
MISSING = 999_999


class Driver:
    """Drives the stack one step at a time, each step in fresh services (a new container)."""

    def __init__(self, stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
        self.stack = stack
        self.monkeypatch = monkeypatch

    def call(
        self, method: str, path: str, status: int, *, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> Any:
        reset_services()
        response = self.stack.request(method, path, headers=headers, **kwargs)
        assert response.status == status, (method, path, response.body)
        return response.json()

    def create(
        self, status: int = 201, *, key: str | None = None, headers: Mapping[str, str] | None = None, **fields: Any
    ) -> Any:
        all_headers = {**(headers or {}), **({"Idempotency-Key": key} if key else {})}
        return self.call("POST", "/api/orders/create", status, json={**BUY, **fields}, headers=all_headers)

    def invoke(self, function: LocalFunction | str, event: dict[str, Any]) -> Any:
        reset_services()
        return (self.stack.functions[function] if isinstance(function, str) else function).invoke(event)

    @contextmanager
    def environment(self, **variables: str) -> Iterator[None]:
        with self.monkeypatch.context() as scoped:
            for name, value in variables.items():
                scoped.setenv(name, value)
            yield

    def drain_queue_through_the_executor(self) -> int:
        return self.stack.drain_queue(before_each=reset_services)


def drive_creates(d: Driver) -> dict[str, Any]:
    orders = {
        "market buy": d.create(),
        "limit buy": d.create(order_type="limit", price=Decimal("1000"), key="iam-1", client_order_id="iam-c1"),
        "market sell": d.create(**SELL, key="iam-2"),
        "limit sell": d.create(**{**SELL, "order_type": "limit", "price": Decimal("9000"), "client_order_id": "c2"}),
    }
    replay = d.create(order_type="limit", price=Decimal("1000"), key="iam-1", client_order_id="iam-c1")
    assert replay == orders["limit buy"]
    refused = {
        "IDEMPOTENCY_KEY_REUSED": d.create(409, key="iam-1", quantity=Decimal("0.02")),
        # Refused creates: each deletes its key's record, so that the key can be retried.
        "ACCOUNT_NOT_FOUND": d.create(404, key="iam-3", account_id=MISSING),
        "DUPLICATE_CLIENT_ORDER_ID": d.create(
            409, key="iam-4", order_type="limit", price=Decimal("1000"), client_order_id="iam-c1"
        ),
        "INSUFFICIENT_FUNDS": d.create(422, key="iam-5", account_id=2, quantity=Decimal("1")),
        "INSUFFICIENT_POSITION": d.create(422, key="iam-6", **{**SELL, "quantity": Decimal("100")}),
        "UNKNOWN_SYMBOL": d.create(422, key="iam-7", symbol="DOGE"),
        # Over MaxOrderNotional (1,000,000 by default): refused before the store is asked anything.
        "ORDER_TOO_LARGE": d.create(422, key="iam-8", **{**SELL, "quantity": Decimal("1000")}),
    }
    assert {code: body["code"] for code, body in refused.items()} == {code: code for code in refused}
    return orders


def drive_reads(d: Driver, order: dict[str, Any]) -> None:
    d.call("GET", "/api/orders/pending", 200)
    d.call("GET", "/api/orders/pending", 200, query={"status": "pending", "symbol": "BTC", "limit": 1})
    d.call("GET", "/api/orders/user/1", 200)
    d.call("GET", "/api/orders/account/1", 200)
    d.call("GET", f"/api/orders/account/{MISSING}", 404)
    d.call("GET", "/api/accounts/1", 200)
    d.call("GET", f"/api/accounts/{MISSING}", 404)
    d.call("GET", f"/api/orders/order/{order['id']}", 200)
    d.call("GET", f"/api/orders/order/{MISSING}", 404)
    d.call("GET", "/api/no/such/route", 404)  # the catch-all, which calls nothing
    d.call("DELETE", "/api/orders/create", 405)
    assert d.call("GET", "/api/orders/health", 200)["statistics"] is not None  # auth off: everyone is admin
    assert d.call("GET", "/api/orders/health/details", 200)["statistics"] is not None


def drive_execute_and_cancel(d: Driver, orders: dict[str, Any]) -> None:
    def execute(order: dict[str, Any], status: int = 200) -> Any:
        return d.call("POST", f"/api/orders/execute/{order['id']}", status)

    assert execute(orders["market buy"])["execution_status"] == "filled"
    assert execute(orders["market sell"])["execution_status"] == "filled"  # reads the position's cost
    assert execute(orders["limit buy"])["execution_status"] == "open"
    execute(orders["market buy"], 409)
    execute({"id": MISSING}, 404)
    dear = d.create(account_id=2, quantity=Decimal("0.7"))
    with d.environment(STATIC_PRICES="BTC=75000,ETH=3500,SOL=150"):  # the market ran away
        assert execute(dear)["execution_status"] == "rejected"

    spare = d.create()
    d.call("POST", f"/api/orders/cancel/{spare['id']}", 200)
    d.call("POST", f"/api/orders/cancel/{orders['limit sell']['id']}", 200)  # gives the position back
    d.call("POST", f"/api/orders/cancel/{spare['id']}", 409)
    d.call("POST", f"/api/orders/cancel/{MISSING}", 404)


def drive_fills(d: Driver, orders: dict[str, Any]) -> None:
    """The fills of an order (a page, the next page, none yet, no such order) and of an account (filtered)."""
    path = f"/api/orders/order/{orders['market buy']['id']}/fills"
    assert len(d.call("GET", path, 200)) == 1
    assert d.call("GET", path, 200, query={"limit": 1, "next_token": encode_token("FILL#000001")}) == []
    assert d.call("GET", f"/api/orders/order/{orders['limit buy']['id']}/fills", 200) == []
    d.call("GET", f"/api/orders/order/{MISSING}/fills", 404)
    fills = d.call("GET", "/api/accounts/1/fills", 200, query={"limit": 1})
    assert len(fills) == 1
    window = {"symbol": "BTC", "since": fills[0]["executed_at"], "until": "2099-01-01T00:00:00Z"}
    d.call("GET", "/api/accounts/1/fills", 200, query=window)
    d.call("GET", f"/api/accounts/{MISSING}/fills", 404)


def drive_order_events(d: Driver, orders: dict[str, Any]) -> None:
    """An order's timeline (a page, the next page) and no such order."""
    path = f"/api/orders/order/{orders['market buy']['id']}/events"
    assert [event["kind"] for event in d.call("GET", path, 200)] == ["created", "filled"]
    assert d.call("GET", path, 200, query={"limit": 1, "next_token": encode_token("EVENT#0000000002#01")}) == []
    d.call("GET", f"/api/orders/order/{MISSING}/events", 404)


def drive_process_all_and_the_queue(d: Driver, template: Template) -> None:
    d.create()
    done = d.call("POST", "/api/orders/process-all", 200)
    assert (done["succeeded"], done["skipped"]) == (1, 1)  # the open limit buy stays

    for _ in range(11):
        d.create(quantity=Decimal("0.001"))
    with d.environment(PROCESS_ALL_TIME_BUDGET_SECONDS="0.000001"):  # no time: all to the queue
        handed = d.call("POST", "/api/orders/process-all", 200)
    assert (handed["processed"], handed["queued"]) == (0, 12)  # two SQS batches, sent at once
    assert d.drain_queue_through_the_executor() == 12

    example = json.loads((ROOT / "events" / "execute_queued.json").read_text())  # order 1 twice: final
    assert d.invoke("ExecuteQueuedFunction", example) == {"batchItemFailures": []}
    missing = {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": json.dumps({"order_id": MISSING})}
    queue_arn = d.stack.resolver.attributes[("ExecutionQueue", "Arn")]
    assert d.invoke("ExecuteQueuedFunction", sqs_event([missing], queue_arn)) == {"batchItemFailures": []}

    schedule = json.loads((ROOT / "events" / "process_all.schedule.json").read_text())
    for _ in range(2):
        d.create(quantity=Decimal("0.001"))
    assert d.invoke("ProcessAllFunction", schedule)["queued"] == 2  # the two market buys, not the open limit
    # A scheduled run out of time saves where it stopped; the next resumes there and clears it.
    hurried = LocalFunction(replace(template.function("ProcessAllFunction"), timeout=5))
    with d.monkeypatch.context() as scoped:
        scoped.setattr(fan_out_module, "PAGE_SIZE", 1)
        assert d.invoke(hurried, schedule)["complete"] is False
        assert d.invoke("ProcessAllFunction", schedule)["resumed"] is True
    assert d.drain_queue_through_the_executor() > 0


def drive_order_changes(d: Driver) -> None:
    """Amends, cancels by client id and of a whole account, the dead man's switch and its run-out."""
    buy = d.create(order_type="limit", price=Decimal("1000"), client_order_id="iam-amend")
    path = f"/api/orders/order/{buy['id']}"
    d.call("PATCH", path, 200, json={"quantity": 0.02}, headers={"If-Match": '"1"'})  # reserves more
    d.call("PATCH", path, 200, json={"price": 900})  # releases some
    d.call("PATCH", path, 200, json={"name": "renamed"})  # moves no money
    assert d.call("PATCH", path, 412, json={"name": "late"}, headers={"If-Match": "1"})["code"] == "VERSION_MISMATCH"
    d.call("PATCH", path, 422, json={"quantity": 1000})
    d.call("PATCH", f"/api/orders/order/{MISSING}", 404, json={"name": "x"})
    sell = d.create(**{**SELL, "order_type": "limit", "price": Decimal("9000"), "quantity": Decimal("0.1")})
    d.call("PATCH", f"/api/orders/order/{sell['id']}", 200, json={"quantity": 0.2})  # checks the account too
    d.call("GET", "/api/orders/client/1/iam-amend", 200)
    d.call("GET", "/api/orders/client/1/no-such-id", 404)  # the miss is confirmed consistently
    d.call("POST", "/api/orders/cancel/client/1/iam-amend", 200, headers={"If-Match": '"4"'})
    d.call("POST", "/api/orders/cancel/client/1/no-such-id", 404)
    d.call("PATCH", path, 409, json={"name": "too late"})
    d.create(order_type="limit", price=Decimal("1000"))
    cancelled = d.call("POST", "/api/orders/cancel-all", 200, json={"account_id": 1})["cancelled"]
    assert sell["id"] in cancelled
    d.call("POST", "/api/orders/cancel-all", 404, json={"account_id": MISSING})
    filled = d.create(execute=True)  # create and execute in one call
    assert filled["status"] == "filled"

    d.call("POST", "/api/accounts/2/cancel-after", 200, json={"seconds": 60})
    d.call("POST", "/api/accounts/2/cancel-after", 200, json={"seconds": 5})  # moves the switch
    d.call("POST", f"/api/accounts/{MISSING}/cancel-after", 404, json={"seconds": 5})
    d.create(account_id=2, order_type="limit", price=Decimal("1000"), quantity=Decimal("0.001"))
    schedule = json.loads((ROOT / "events" / "process_all.schedule.json").read_text())
    with d.monkeypatch.context() as scoped:
        scoped.setattr(switches_module, "utc_now", lambda: utc_now() + timedelta(seconds=10))
        ran_out = d.invoke("ProcessAllFunction", schedule)
    assert ran_out["cancelled_by_switches"] == 1


def drive_published_events(d: Driver) -> None:
    """Every event written so far through the publisher (bulk cancels read their order), then a batch
    delivered again (each event's mark read, nothing published twice)."""
    records = d.stack.stream_records()
    assert any("order" not in record["dynamodb"]["NewImage"] for record in records)  # cancel-all's
    for start in range(0, len(records), 10):
        assert d.stack.publish_records(records[start : start + 10], reset_services) == {"batchItemFailures": []}
    assert d.stack.publish_records(records[:10], reset_services) == {"batchItemFailures": []}
    assert len(d.stack.bus_events()) == len(records)


def drive_accounts(d: Driver) -> None:
    opened = d.call("POST", "/api/accounts", 201, json={"user_id": 5, "name": "IAM", "initial_deposit": 100})
    account = opened["account_id"]
    keyed = {"user_id": 5, "initial_deposit": 10}
    assert d.call("POST", "/api/accounts", 201, json=keyed, headers={"Idempotency-Key": "iam-open"}) == d.call(
        "POST", "/api/accounts", 201, json=keyed, headers={"Idempotency-Key": "iam-open"}
    )  # the replay reads the account it opened
    d.call("GET", "/api/users/5/accounts", 200, query={"limit": 1})
    d.call("GET", "/api/users/5/portfolio", 200)  # its accounts, then each account's partition
    transfer = {"amount": 50, "reference": "iam"}
    d.call("POST", f"/api/accounts/{account}/deposits", 201, json=transfer, headers={"Idempotency-Key": "iam-d"})
    d.call("POST", f"/api/accounts/{account}/deposits", 201, json=transfer, headers={"Idempotency-Key": "iam-d"})
    d.call("POST", f"/api/accounts/{account}/withdrawals", 201, json=transfer, headers={"Idempotency-Key": "iam-w"})
    too_much = {"amount": 10_000}
    d.call("POST", f"/api/accounts/{account}/withdrawals", 422, json=too_much, headers={"Idempotency-Key": "iam-w2"})
    d.call("POST", f"/api/accounts/{MISSING}/deposits", 404, json=transfer, headers={"Idempotency-Key": "iam-d2"})
    adjustment = {"symbol": "ETH", "quantity": 2, "cost_basis": 7000, "reason": "iam"}
    d.call("POST", f"/api/accounts/{account}/adjustments", 201, json=adjustment)  # a new position
    d.call("POST", f"/api/accounts/{account}/adjustments", 201, json=adjustment, headers={"Idempotency-Key": "a"})
    d.call("POST", f"/api/accounts/{account}/adjustments", 201, json=adjustment, headers={"Idempotency-Key": "a"})
    d.call("POST", f"/api/accounts/{account}/adjustments", 422, json={**adjustment, "quantity": -100})
    d.call("POST", f"/api/accounts/{MISSING}/adjustments", 404, json=adjustment)
    d.call("POST", f"/api/accounts/{account}/freeze", 200)
    d.call("POST", f"/api/accounts/{MISSING}/freeze", 404)
    assert d.create(422, account_id=account, quantity=Decimal("0.0001"))["code"] == "ACCOUNT_FROZEN"
    assert d.create(422, **{**SELL, "account_id": account})["code"] == "ACCOUNT_FROZEN"
    d.call("POST", f"/api/accounts/{account}/unfreeze", 200)
    d.call("POST", f"/api/accounts/{MISSING}/unfreeze", 404)
    d.call("GET", f"/api/accounts/{account}/ledger", 200, query={"type": "deposit", "symbol": "CASH", "limit": 1})
    d.call("GET", f"/api/accounts/{MISSING}/ledger", 404)
    assert d.call("POST", f"/api/accounts/{account}/audit", 200)["matches"] is True
    schedule = json.loads((ROOT / "events" / "audit_account.schedule.json").read_text())
    assert d.invoke("AuditAccountFunction", schedule)["mismatches"] == 0
    assert d.call("GET", "/api/orders/health", 200)["statistics"]["last_audit"]["mismatches"] == 0
    assert d.call("GET", "/api/orders/health/details", 200)["statistics"]["last_audit"]["mismatches"] == 0


def drive_with_authentication(d: Driver, key_path: Path) -> None:
    issuer = LocalIssuer(issuer="https://issuer.test", audience="orders-api", key_path=key_path)
    d.monkeypatch.setenv("AUTH_ENABLED", "true")
    d.stack.require_tokens(issuer)

    def token(user: int, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {issuer.mint(user, **claims)}"}

    user, admin = token(1), token(99, admin=True)
    d.call("GET", "/api/orders/health/details", 401)  # API Gateway refuses it: no function runs
    assert d.call("GET", "/api/orders/health", 200)["statistics"] is None  # no authorizer: monitors, one read

    mine = d.create(headers=user)  # the transaction checks the owner: no read
    d.create(headers=user, key="iam-auth-1", **SELL)
    # Another user's account: the buy's and the sell's transactions refuse it.
    assert d.create(403, headers=user, key="iam-auth-2", account_id=3, symbol="SOL")["code"] == "FORBIDDEN"
    assert d.create(403, headers=user, **{**SELL, "account_id": 3, "symbol": "SOL"})["code"] == "FORBIDDEN"
    assert d.create(404, headers=user, key="iam-auth-3", account_id=MISSING)["code"] == "ACCOUNT_NOT_FOUND"
    d.create(403, headers=token(1, user_id="not-a-number"))
    theirs = d.create(headers=token(2), account_id=3, symbol="SOL", quantity=Decimal("1"))

    assert d.call("GET", "/api/orders/health/details", 403, headers=user)["code"] == "FORBIDDEN"
    assert d.call("GET", "/api/orders/health/details", 200, headers=admin)["statistics"]["pending_orders"] > 0
    d.call("GET", "/api/orders/pending", 403, headers=user)
    d.call("GET", "/api/orders/pending", 200, headers=admin)
    d.call("GET", "/api/orders/user/1", 200, headers=user)
    d.call("GET", "/api/orders/user/2", 403, headers=user)
    d.call("GET", "/api/orders/account/1", 200, headers=user)
    d.call("GET", "/api/orders/account/3", 403, headers=user)
    d.call("GET", "/api/accounts/1", 200, headers=user)
    d.call("GET", "/api/accounts/3", 403, headers=user)
    d.call("GET", f"/api/orders/order/{mine['id']}", 200, headers=user)
    d.call("GET", f"/api/orders/order/{theirs['id']}", 403, headers=user)
    d.call("POST", f"/api/orders/execute/{theirs['id']}", 403, headers=user)
    d.call("POST", f"/api/orders/cancel/{theirs['id']}", 403, headers=user)
    d.call("POST", f"/api/orders/execute/{mine['id']}", 200, headers=user)
    d.call("GET", f"/api/orders/order/{mine['id']}/fills", 200, headers=user)
    d.call("GET", f"/api/orders/order/{mine['id']}/fills", 200, headers=admin)
    d.call("GET", f"/api/orders/order/{theirs['id']}/fills", 403, headers=user)
    d.call("GET", f"/api/orders/order/{mine['id']}/events", 200, headers=user)
    d.call("GET", f"/api/orders/order/{theirs['id']}/events", 403, headers=user)
    d.call("GET", f"/api/orders/order/{theirs['id']}/events", 200, headers=admin)
    d.call("GET", "/api/accounts/1/fills", 200, headers=user)
    d.call("GET", "/api/accounts/3/fills", 403, headers=user)
    d.call("GET", "/api/accounts/3/fills", 200, headers=admin)
    d.call("POST", f"/api/orders/cancel/{d.create(headers=user)['id']}", 200, headers=user)
    d.call("POST", "/api/orders/process-all", 403, headers=user)
    d.call("POST", "/api/orders/process-all", 200, headers=admin)


@pytest.fixture(scope="module")
def driven(
    template: Template, functions: dict[str, LocalFunction], tmp_path_factory: pytest.TempPathFactory
) -> Deployed:
    """The stack after every path of every function has run, its calls in ``iam``."""
    with recorded_stack(template, functions) as stack, pytest.MonkeyPatch.context() as monkeypatch:
        d = Driver(stack, monkeypatch)
        orders = drive_creates(d)
        drive_reads(d, orders["limit buy"])
        drive_execute_and_cancel(d, orders)
        drive_fills(d, orders)
        drive_order_events(d, orders)
        drive_process_all_and_the_queue(d, template)
        drive_order_changes(d)
        drive_published_events(d)
        drive_accounts(d)
        drive_with_authentication(d, tmp_path_factory.mktemp("iam") / "key.pem")
    return stack


def unexpected(driven: Deployed, kind: Literal["ungranted", "unused"]) -> list[str]:
    """What the scenario found of ``kind`` (see ``localdev.iam.Difference``), known gaps aside."""
    assert driven.iam is not None
    return sorted(
        f"{function}: {permission}"
        for function, difference in driven.iam.differences().items()
        for permission in getattr(difference, kind) - known_gaps(function, kind, driven.resolver)
    )


def test_every_function_ran_and_every_call_was_attributed_and_understood(driven: Deployed) -> None:
    assert driven.iam is not None
    # Every function with a grant used it; the catch-all route has none and calls nothing.
    granted = {function for function, policy in driven.iam.policies.items() if policy.grants()}
    assert set(driven.iam.used()) == granted
    assert set(driven.iam.policies) - granted == {"RouteNotFoundFunction"}
    # The test's own calls (reading the queue) come from this thread; a call from any other thread
    # without a function is one a pool lost track of, and would escape the checks.
    assert {call.thread for call in driven.iam.unattributed()} == {"MainThread"}
    # Every call of a function is understood. The test's own calls (the local stream reader, the bus's
    # tap rule) are the event sources' and the harness's, which no function policy covers.
    assert [call for call in driven.iam.calls if call.problem and call.function is not None] == []
    harness = {call.operation.split(".")[0] for call in driven.iam.unattributed()}
    assert harness <= {"sqs", "events", "dynamodbstreams", "dynamodb"}, harness


def test_no_function_calls_what_its_policy_does_not_grant(driven: Deployed) -> None:
    assert unexpected(driven, "ungranted") == [], "called without a grant: AccessDenied on AWS"


def test_no_policy_grants_what_its_function_never_uses(driven: Deployed) -> None:
    assert unexpected(driven, "unused") == [], "granted but never used: remove it from template.yaml"


def test_each_known_gap_still_occurs(driven: Deployed) -> None:
    assert driven.iam is not None
    for gap in KNOWN_GAPS:
        found = getattr(driven.iam.differences()[gap.function], gap.kind)
        assert gap.permission(driven.resolver) in found, (
            f"{gap.function} {gap.action} no longer occurs ({gap.reason}): the fix landed; "
            "remove it from KNOWN_GAPS in tests/support/iam.py"
        )
