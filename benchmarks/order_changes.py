"""What the order changes cost: DynamoDB requests and write units of amend, cancel-all, the client-id
routes, the dead man's switch and create-and-execute; then one scheduled run over resting stop and
trailing-stop orders, with the price still and with the price moving (trailing stops follow it).

Write units are counted as DynamoDB bills them (2 per transaction item, 1 per other write), read
units from the items returned (see fan_out_cost).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from benchmarks.common import QUIET, arguments, print_table, silence_metrics
from benchmarks.fan_out_cost import SCHEDULE_EVENT, Usage, dynamodb_client
from localdev.inprocess import InProcessStack, in_process_stack
from localdev.local_prices import install_adjustable_prices

HEADERS = {"Content-Type": "application/json"}


def call(stack: InProcessStack, method: str, path: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    response = stack.router.handle(
        method, path, body=json.dumps(body) if body is not None else None, headers={**HEADERS, **headers}
    )
    assert response.status < 300, response.body
    return response.json()


def limit_buy(stack: InProcessStack, **changes: Any) -> dict[str, Any]:
    body = {"account_id": 1, "symbol": "BTC", "name": "bench", "side": "buy", "order_type": "limit", "price": 10000}
    return dict(call(stack, "POST", "/api/orders/create", {**body, "quantity": 0.0001, **changes}))


def measure(label: str, action: Callable[[], object]) -> tuple[str, int, str, str]:
    usage = Usage()
    client = dynamodb_client()
    client.meta.events.register("before-parameter-build.dynamodb", usage.remember)
    client.meta.events.register("after-call.dynamodb", usage.record)
    try:
        action()
    finally:
        client.meta.events.unregister("before-parameter-build.dynamodb", usage.remember)
        client.meta.events.unregister("after-call.dynamodb", usage.record)
    detail = ", ".join(f"{name} {count}" for name, count in sorted(usage.requests.items()))
    return label, sum(usage.requests.values()), detail, f"{usage.write_units:g}"


def change_rows(stack: InProcessStack) -> list[tuple[str, int, str, str]]:
    limit_buy(stack)  # the container's id block and account owner are read before measuring
    rows = []
    order = limit_buy(stack)
    rows.append(
        measure(
            "amend a limit buy's price",
            lambda: call(stack, "PATCH", f"/api/orders/order/{order['id']}", {"price": 11000}),
        )
    )
    rows.append(
        measure(
            "amend with If-Match",
            lambda: call(stack, "PATCH", f"/api/orders/order/{order['id']}", {"name": "x"}, **{"If-Match": '"2"'}),
        )
    )
    rows.append(
        measure(
            "cancel with If-Match",
            lambda: call(stack, "POST", f"/api/orders/cancel/{order['id']}", **{"If-Match": '"3"'}),
        )
    )
    keyed = limit_buy(stack, client_order_id="bench-1")
    rows.append(measure("get by client order id", lambda: call(stack, "GET", "/api/orders/client/1/bench-1")))
    rows.append(
        measure("cancel by client order id", lambda: call(stack, "POST", "/api/orders/cancel/client/1/bench-1"))
    )
    assert keyed["client_order_id"] == "bench-1"
    rows.append(
        measure(
            "arm the dead man's switch", lambda: call(stack, "POST", "/api/accounts/1/cancel-after", {"seconds": 60})
        )
    )
    rows.append(measure("arm it again", lambda: call(stack, "POST", "/api/accounts/1/cancel-after", {"seconds": 60})))
    call(stack, "POST", "/api/accounts/1/cancel-after", {"seconds": 0})
    rows.append(
        measure(
            "create with execute: true (market buy, filled)",
            lambda: limit_buy(stack, order_type="market", price=None, execute=True),
        )
    )
    rows.append(
        measure(
            "create with execute: true (stop, not triggered)",
            lambda: limit_buy(
                stack, side="sell", order_type="stop_market", price=None, trigger_price=50000, execute=True
            ),
        )
    )
    call(stack, "POST", "/api/orders/cancel-all", {"account_id": 1})
    for _ in range(100):
        limit_buy(stack)
    result: dict[str, Any] = {}
    rows.append(
        measure(
            "cancel-all of 100 orders",
            lambda: result.update(call(stack, "POST", "/api/orders/cancel-all", {"account_id": 1})),
        )
    )
    assert len(result["cancelled"]) == 100
    return rows


def schedule_rows(stack: InProcessStack, backlog: int) -> list[tuple[str, str]]:
    prices = install_adjustable_prices()
    assert prices is not None
    for _ in range(backlog // 2):
        limit_buy(stack, side="sell", order_type="stop_market", price=None, trigger_price=50000)
        limit_buy(stack, side="sell", order_type="trailing_stop", price=None, trail_percent=5)

    def run() -> Usage:
        usage = Usage()
        client = dynamodb_client()
        client.meta.events.register("before-parameter-build.dynamodb", usage.remember)
        client.meta.events.register("after-call.dynamodb", usage.record)
        try:
            stack.functions["ProcessAllFunction"].invoke(SCHEDULE_EVENT)
        finally:
            client.meta.events.unregister("before-parameter-build.dynamodb", usage.remember)
            client.meta.events.unregister("after-call.dynamodb", usage.record)
        return usage

    still = run()
    prices.update({"BTC": prices.get_price("BTC") * 101 / 100})
    moving = run()
    rows = []
    for label, usage in (("price unchanged", still), ("price up 1%: every trailing stop follows", moving)):
        requests: Counter[str] = usage.requests
        rows.append((f"{label}: DynamoDB requests", str(dict(requests))))
        rows.append(
            (
                f"{label}: read / write units per pending order",
                f"{usage.read_units / backlog:.4f} / {usage.write_units / backlog:.4f}",
            )
        )
    return rows


def main() -> None:
    silence_metrics()
    options = arguments(__doc__).parse_args()
    backlog = 200 if options.small else 2_000
    with in_process_stack(environment={**QUIET, "PRICE_SOURCE": "static"}) as stack:
        rows = change_rows(stack)
    print_table("Requests and write units per change (moto)", ["call", "requests", "detail", "write units"], rows)
    with in_process_stack(environment={**QUIET, "PRICE_SOURCE": "static"}) as stack:
        schedule = schedule_rows(stack, backlog)
    print_table(
        f"One scheduled run over {backlog:,} resting trigger orders (half stops, half trailing stops)",
        ["what", "figure"],
        schedule,
    )


if __name__ == "__main__":
    main()
