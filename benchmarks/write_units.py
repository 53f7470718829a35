"""What each change writes: DynamoDB write requests, the items of its transaction, and the write units
that come to (transactions cost 2 units per item and KB, condition checks included; other writes 1 per
KB). A put's size is measured as DynamoDB sizes items (names and values); an update is counted as one
KB (the orders and accounts it changes are under 1 KB). Index copies are counted apart: each write of an item that
sits in a global secondary index also writes the index (1 unit per index, standard)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from benchmarks.common import QUIET, arguments, print_table
from localdev.inprocess import InProcessStack, in_process_stack


def index_copies(operation: dict[str, Any]) -> int:
    """Index writes a write causes: an order sits in by_account and by_user, and while pending in
    pending and pending_summary (leaving them is a write too); an account item sits in by_user."""
    item = operation.get("Item")
    if item is not None:
        return sum(1 for name in ("by_account_pk", "by_user_pk") if name in item) + 2 * ("pending_pk" in item)
    key = operation.get("Key", {})
    partition, sort = key.get("pk", {}).get("S", ""), key.get("sk", {}).get("S", "")
    if partition.startswith("ORDER#") and "UpdateExpression" in operation:
        return 4
    if partition.startswith("ACCOUNT#") and sort == "ACCOUNT" and "UpdateExpression" in operation:
        return 1
    return 0


def item_bytes(value: dict[str, Any]) -> int:
    """DynamoDB's size of an item (attribute names plus values, roughly as it bills them)."""
    return sum(len(name.encode()) + value_bytes(attribute) for name, attribute in value.items())


def value_bytes(attribute: dict[str, Any]) -> int:
    ((kind, value),) = attribute.items()
    if kind == "S":
        return len(value.encode())
    if kind == "N":
        return len(value.lstrip("-").replace(".", "")) // 2 + 2
    if kind == "M":
        return 3 + item_bytes(value)
    if kind == "L":
        return 3 + sum(1 + value_bytes(element) for element in value)
    return 1


def units(operation: dict[str, Any]) -> int:
    item = operation.get("Item")
    return 1 if item is None else -(-item_bytes(item) // 1024)


class Writes:
    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.items = 0
        self.units = 0
        self.index_writes = 0

    def record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        name = model.name
        if name not in {"TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem"}:
            return
        self.requests[name] += 1
        if name == "TransactWriteItems":
            operations = [next(iter(entry.values())) for entry in params["TransactItems"]]
            self.items += len(operations)
            self.units += 2 * sum(units(operation) for operation in operations)
        else:
            operations = [params]
            self.items += 1
            self.units += units(params)
        for operation in operations:
            self.index_writes += index_copies(operation)


def call(stack: InProcessStack, method: str, path: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    response = stack.router.handle(
        method,
        path,
        body=json.dumps(body) if body is not None else None,
        headers={"Content-Type": "application/json", **headers},
    )
    assert response.status < 300, (path, response.body)
    return response.json()


def measure(stack: InProcessStack, label: str, action: Any) -> tuple[str, str, int, int, int]:
    from orders_common.wiring import services

    writes = Writes()
    built = services()
    client = (built.table if hasattr(built, "table") else built.repository.table).client  # b8691aa had a repository
    client.meta.events.register("before-parameter-build.dynamodb", writes.record)
    try:
        action()
    except AssertionError:
        return label, "not offered", 0, 0, 0
    finally:
        client.meta.events.unregister("before-parameter-build.dynamodb", writes.record)
    detail = ", ".join(f"{name} {count}" for name, count in sorted(writes.requests.items()))
    return label, detail, writes.items, writes.units, writes.index_writes


BUY = {"account_id": 1, "symbol": "BTC", "name": "w", "side": "buy", "order_type": "market", "quantity": 0.01}
SELL = {**BUY, "symbol": "ETH", "side": "sell", "quantity": 1}


def partial_fill_rows(stack: InProcessStack) -> list[tuple[str, str, int, int, int]]:
    """A limit buy of 2.5 BTC under the third level of the default book (1 BTC per level): the first
    attempt takes two levels and leaves it open; after the market drops, the last 0.5 fills."""
    from orders_common.exchange.prices import StaticPriceSource
    from orders_common.wiring import services

    account = call(stack, "POST", "/api/accounts", {"user_id": 8, "initial_deposit": 1000000})
    body = {**BUY, "account_id": account["account_id"], "order_type": "limit", "price": 68513.7, "quantity": 2.5}
    order = call(stack, "POST", "/api/orders/create", body)
    rows = [
        measure(
            stack,
            "partial fill, 2 levels (stays open)",
            lambda: call(stack, "POST", f"/api/orders/execute/{order['id']}"),
        )
    ]
    prices = services().settings.static_prices
    services().use_prices(StaticPriceSource({**prices, "BTC": prices["BTC"] - 1000}))
    rows.append(
        measure(
            stack, "last fill, 1 level (completes)", lambda: call(stack, "POST", f"/api/orders/execute/{order['id']}")
        )
    )
    services().use_prices(StaticPriceSource(prices))
    return rows


def main() -> None:
    arguments(__doc__).parse_args()
    rows = []
    with in_process_stack(environment=QUIET) as stack:
        call(stack, "POST", "/api/orders/create", BUY)  # the container's id block and owner, out of the way
        buy: dict[str, Any] = {}
        sell: dict[str, Any] = {}
        rows.append(measure(stack, "create a buy", lambda: buy.update(call(stack, "POST", "/api/orders/create", BUY))))
        rows.append(
            measure(stack, "create a sell", lambda: sell.update(call(stack, "POST", "/api/orders/create", SELL)))
        )
        rows.append(measure(stack, "fill a buy", lambda: call(stack, "POST", f"/api/orders/execute/{buy['id']}")))
        rows.append(measure(stack, "fill a sell", lambda: call(stack, "POST", f"/api/orders/execute/{sell['id']}")))
        rows += partial_fill_rows(stack)
        other = call(stack, "POST", "/api/orders/create", BUY)
        rows.append(measure(stack, "cancel a buy", lambda: call(stack, "POST", f"/api/orders/cancel/{other['id']}")))
        rows.append(
            measure(
                stack,
                "create with Idempotency-Key and client order id",
                lambda: call(
                    stack, "POST", "/api/orders/create", {**BUY, "client_order_id": "w-1"}, **{"Idempotency-Key": "w"}
                ),
            )
        )
        key = {"Idempotency-Key": "deposit-1"}
        rows.append(
            measure(stack, "deposit", lambda: call(stack, "POST", "/api/accounts/2/deposits", {"amount": 1}, **key))
        )
        key = {"Idempotency-Key": "withdrawal-1"}
        rows.append(
            measure(
                stack, "withdrawal", lambda: call(stack, "POST", "/api/accounts/2/withdrawals", {"amount": 1}, **key)
            )
        )
        adjustment = {"symbol": "BTC", "quantity": 1, "cost_basis": 60000, "reason": "w"}
        rows.append(
            measure(stack, "adjustment", lambda: call(stack, "POST", "/api/accounts/2/adjustments", adjustment))
        )
        rows.append(
            measure(
                stack,
                "open an account with a deposit",
                lambda: call(stack, "POST", "/api/accounts", {"user_id": 9, "initial_deposit": 5}),
            )
        )
    print_table(
        "Writes per change (estimated write units: 2 per transaction item and KB, 1 per other write and KB)",
        ["change", "requests", "items", "write units", "index copies"],
        rows,
    )


if __name__ == "__main__":
    main()
