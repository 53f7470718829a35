"""DynamoDB requests (and price requests) per API call, counted through botocore's event hooks under
moto. The same counts are asserted by tests/integration/test_request_counts.py."""

from __future__ import annotations

from collections import Counter
from typing import Any

from benchmarks.common import QUIET, arguments, print_table, silence_metrics
from localdev.aws_calls import watch
from localdev.fake_hyperliquid import fake_hyperliquid
from localdev.inprocess import InProcessStack, in_process_stack
from localdev.local_auth import LocalIssuer
from localdev.routing import Router
from localdev.stack import LOCAL_PARAMETERS
from localdev.template import Resolver, Template
from orders_common.auth import Caller
from orders_common.logic.process_all import TimePlan
from orders_common.wiring import services

BUY = {"account_id": 1, "symbol": "BTC", "name": "bench", "side": "buy", "order_type": "market", "quantity": "0.001"}


def body(changes: dict[str, Any] | None = None) -> str:
    import json

    return json.dumps({**BUY, **(changes or {})}).replace('"0.001"', "0.001")


def call(
    stack: InProcessStack, method: str, path: str, json_body: str | None = None, headers: dict[str, str] | None = None
) -> Any:
    response = stack.router.handle(
        method, path, body=json_body, headers={"Content-Type": "application/json", **(headers or {})}
    )
    assert response.status < 300, response.body
    return response.json()


def measure(stack: InProcessStack, label: str, action: Any) -> tuple[str, int, str]:
    log = watch(services().table.client)
    action()
    counts = Counter(log.operations)
    log.operations.clear()
    detail = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
    return label, sum(counts.values()), detail


def anonymous_rows(stack: InProcessStack) -> list[tuple[str, int, str]]:
    rows = []
    rows.append(
        measure(
            stack,
            "create (first of the container: owner + id block)",
            lambda: call(stack, "POST", "/api/orders/create", body()),
        )
    )
    order_id = call(stack, "POST", "/api/orders/create", body())["id"]
    rows.append(measure(stack, "create (next ones)", lambda: call(stack, "POST", "/api/orders/create", body())))
    log = watch(services().table.client)
    for _ in range(200):
        call(stack, "POST", "/api/orders/create", body())
    rows.append(("create (average of 200)", round(len(log.operations) / 200, 3), f"{len(log.operations)} requests"))
    keyed = {"Idempotency-Key": "bench-key-1"}
    rows.append(
        measure(
            stack,
            "create with Idempotency-Key (record in the same transaction)",
            lambda: call(stack, "POST", "/api/orders/create", body(), keyed),
        )
    )
    rows.append(
        measure(
            stack,
            "create retried with the same Idempotency-Key",
            lambda: call(stack, "POST", "/api/orders/create", body(), keyed),
        )
    )
    rows.append(measure(stack, "get order", lambda: call(stack, "GET", f"/api/orders/order/{order_id}")))
    rows.append(measure(stack, "list account orders (page)", lambda: call(stack, "GET", "/api/orders/account/1")))
    rows.append(measure(stack, "list user orders (page)", lambda: call(stack, "GET", "/api/orders/user/1")))
    shards = services().settings.pending_index_shards
    rows.append(
        measure(
            stack, f"list pending orders (page, {shards} shards)", lambda: call(stack, "GET", "/api/orders/pending")
        )
    )
    rows.append(
        measure(
            stack, f"health, with figures (admin, {shards} shards)", lambda: call(stack, "GET", "/api/orders/health")
        )
    )
    rows.append(measure(stack, "execute (buy)", lambda: call(stack, "POST", f"/api/orders/execute/{order_id}")))
    cancel_id = call(stack, "POST", "/api/orders/create", body())["id"]
    rows.append(measure(stack, "cancel", lambda: call(stack, "POST", f"/api/orders/cancel/{cancel_id}")))
    key = {"Idempotency-Key": "bench-deposit"}
    rows.append(
        measure(
            stack,
            "deposit (read, then one transaction)",
            lambda: call(stack, "POST", "/api/accounts/2/deposits", '{"amount": 5}', key),
        )
    )
    key = {"Idempotency-Key": "bench-withdrawal"}
    rows.append(
        measure(stack, "withdrawal", lambda: call(stack, "POST", "/api/accounts/2/withdrawals", '{"amount": 5}', key))
    )
    adjustment = '{"symbol": "SOL", "quantity": 1, "reason": "bench"}'
    rows.append(
        measure(
            stack,
            "adjustment (account + position read)",
            lambda: call(stack, "POST", "/api/accounts/2/adjustments", adjustment),
        )
    )
    rows.append(
        measure(
            stack,
            "open an account (id + one transaction)",
            lambda: call(stack, "POST", "/api/accounts", '{"user_id": 9, "initial_deposit": 5}'),
        )
    )
    rows.append(measure(stack, "a user's accounts (page)", lambda: call(stack, "GET", "/api/users/1/accounts")))
    rows.append(measure(stack, "ledger (page)", lambda: call(stack, "GET", "/api/accounts/1/ledger")))
    rows.append(measure(stack, "freeze", lambda: call(stack, "POST", "/api/accounts/2/freeze")))
    call(stack, "POST", "/api/accounts/2/unfreeze")
    sell_id = call(stack, "POST", "/api/orders/create", body({"side": "sell"}))["id"]
    rows.append(
        measure(stack, "execute (sell: + position read)", lambda: call(stack, "POST", f"/api/orders/execute/{sell_id}"))
    )
    return rows


def authenticated_rows(stack: InProcessStack) -> list[tuple[str, int, str]]:
    template = Template.load(parameters={**LOCAL_PARAMETERS, "AuthEnabled": "true"})
    import os
    import tempfile
    from pathlib import Path

    issuer = LocalIssuer(issuer="https://bench", audience="orders-api", key_path=Path(tempfile.mkdtemp()) / "k.pem")
    resolver = Resolver(template, refs=stack.resolver.refs, attributes=stack.resolver.attributes)
    stack.router = Router(
        template.http_routes(), stack.functions, authorizer=issuer, secured=template.secured_route_keys(resolver)
    )
    os.environ["AUTH_ENABLED"] = "true"
    from orders_common.wiring import reset_services

    reset_services()
    token = {"Authorization": f"Bearer {issuer.mint(1)}"}
    rows = [
        measure(
            stack,
            "create, authenticated (first: id block)",
            lambda: call(stack, "POST", "/api/orders/create", body(), token),
        )
    ]
    rows.append(
        measure(
            stack, "create, authenticated (next ones)", lambda: call(stack, "POST", "/api/orders/create", body(), token)
        )
    )
    rows.append(
        measure(stack, "health, status only (not admin)", lambda: call(stack, "GET", "/api/orders/health", None, token))
    )
    return rows


def single_shard_rows() -> list[tuple[str, int, str]]:
    """PendingIndexShards=1: one request per pending page, one hot partition key under load."""
    with in_process_stack(environment={**QUIET, "PENDING_INDEX_SHARDS": "1"}) as stack:
        call(stack, "POST", "/api/orders/create", body())
        return [
            measure(stack, "list pending orders (page, 1 shard)", lambda: call(stack, "GET", "/api/orders/pending")),
            measure(stack, "health, with figures (admin, 1 shard)", lambda: call(stack, "GET", "/api/orders/health")),
        ]


def price_requests(small: bool) -> list[tuple[str, int, str]]:
    """Requests to Hyperliquid: mid prices once per invocation, each symbol's book once per invocation."""
    with (
        fake_hyperliquid() as (url, script),
        in_process_stack(environment={**QUIET, "PRICE_SOURCE": "hyperliquid", "HYPERLIQUID_INFO_URL": url}) as stack,
    ):
        order_id = call(stack, "POST", "/api/orders/create", body())["id"]
        before = len(script.requests)
        call(stack, "POST", f"/api/orders/execute/{order_id}")
        execute = len(script.requests) - before
        count = 20 if small else 100
        for _ in range(count):
            call(stack, "POST", "/api/orders/create", body())
        before = len(script.requests)
        services().begin_invocation()
        result = services().process_all(Caller.anyone(), TimePlan(60, 120, 120))
        sent = script.requests[before:]
        return [
            ("venue requests per execute (price + book)", execute, "allMids 1, l2Book 1"),
            (
                f"venue requests per process-all of {result.processed} orders of one symbol",
                len(sent),
                ", ".join(f"{kind} {count}" for kind, count in sorted(Counter(r["type"] for r in sent).items())),
            ),
        ]


def main() -> None:
    silence_metrics()
    options = arguments(__doc__).parse_args()
    with in_process_stack(environment=QUIET) as stack:
        rows = anonymous_rows(stack) + authenticated_rows(stack)
    rows += single_shard_rows()
    rows += price_requests(options.small)
    print_table("Requests per API call (moto, botocore event hooks)", ["call", "requests", "detail"], rows)


if __name__ == "__main__":
    main()
