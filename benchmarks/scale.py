"""What listing and health cost as the table grows: items read (ScannedCount), items returned (Count)
and requests, for one account's orders, one user's orders, pending orders and health, with 1,000 and
then 100,000 other orders in the table (filled orders of other accounts and users). Target: the same
cost either way (ratio 1.0)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3

from benchmarks.common import QUIET, arguments, print_table
from localdev.aws_calls import watch_reads
from localdev.inprocess import InProcessStack, in_process_stack
from orders_common.dal.client import serialize
from orders_common.dal.mapping import order_to_item
from orders_common.models.order import Order, OrderStatus, OrderType, Side
from orders_common.wiring import services

ENDPOINTS = {
    "account orders (page)": "/api/orders/account/1",
    "user orders (page)": "/api/orders/user/1",
    "pending orders (page)": "/api/orders/pending",
    "health": "/api/orders/health",
}


def place_own_orders(stack: InProcessStack) -> None:
    """Account 1 (user 1): 25 orders, 15 of them filled, 10 pending."""
    body = {"account_id": 1, "symbol": "BTC", "name": "mine", "side": "buy", "order_type": "market"}
    for number in range(25):
        response = stack.router.handle(
            "POST",
            "/api/orders/create",
            body=json.dumps({**body, "quantity": 0.001}),
            headers={"Content-Type": "application/json"},
        )
        order_id = response.json()["id"]
        if number < 15:
            stack.router.handle("POST", f"/api/orders/execute/{order_id}")


def add_other_orders(stack: InProcessStack, count: int, first_id: int) -> None:
    """Filled orders of other accounts and users, written straight to the table in batches."""
    client = boto3.client("dynamodb")
    shards = services().settings.pending_index_shards
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batch: list[dict[str, Any]] = []
    for offset in range(count):
        order_id = first_id + offset
        moment = start + timedelta(seconds=offset)
        order = Order(
            id=order_id, account_id=1000 + offset % 5000, user_id=1000 + offset % 2000, symbol="ETH", name="other",
            side=Side.BUY, order_type=OrderType.MARKET, quantity=Decimal("0.1"), filled_quantity=Decimal("0.1"),
            filled_price=Decimal("3500"), commission=Decimal("0.35"), status=OrderStatus.FILLED,
            created_at=moment, updated_at=moment, executed_at=moment,
        )  # fmt: skip
        batch.append({"PutRequest": {"Item": serialize(order_to_item(order, pending_shards=shards))}})
        if len(batch) == 25:
            client.batch_write_item(RequestItems={stack.table_name: batch})
            batch = []
    if batch:
        client.batch_write_item(RequestItems={stack.table_name: batch})


def measure(stack: InProcessStack) -> dict[str, tuple[int, int, int]]:
    figures = {}
    for label, path in ENDPOINTS.items():
        reads = watch_reads(services().table.client)
        response = stack.router.handle("GET", path)
        assert response.status == 200, response.body
        figures[label] = (reads.scanned, reads.count, reads.requests)
        services().table.client.meta.events.unregister("after-call.dynamodb", reads.record)
    return figures


def main() -> None:
    options = arguments(__doc__).parse_args()
    small, large = (1_000, 10_000) if options.small else (1_000, 100_000)
    with in_process_stack(environment=QUIET) as stack:
        place_own_orders(stack)
        started = time.perf_counter()
        add_other_orders(stack, small, first_id=10_000_000)
        with_small = measure(stack)
        add_other_orders(stack, large - small, first_id=10_000_000 + small)
        with_large = measure(stack)
        seconds = time.perf_counter() - started
    rows = []
    for label in ENDPOINTS:
        (s_read, s_count, s_requests), (l_read, l_count, l_requests) = with_small[label], with_large[label]
        ratio = max(l_read / s_read if s_read else 1.0, l_requests / s_requests)
        rows.append(
            (label, f"{s_read} / {s_count} / {s_requests}", f"{l_read} / {l_count} / {l_requests}", f"{ratio:.2f}")
        )
    print_table(
        f"Cost with {small:,} and {large:,} other orders (read / returned / requests; {seconds:.0f} s to load)",
        ["call", f"{small:,} others", f"{large:,} others", "ratio"],
        rows,
    )


if __name__ == "__main__":
    main()
