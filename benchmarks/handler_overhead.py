"""Time spent in a handler outside I/O (event parsing, routing, validation, the use case, JSON
serialization), with the store replaced by an in-memory fake: median and p99 per request for create
and for get order. Target: median under 1 ms. Console logging is off (it is I/O)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import arguments, median, percentile, print_table

ENVIRONMENT = {
    "TABLE_NAME": "orders-benchmark",
    "PRICE_SOURCE": "static",
    "STATIC_PRICES": "BTC=68500,ETH=3500,SOL=150",
    "AUTH_ENABLED": "false",  # as make run: ownership checks need JWT claims these events do not carry
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def measure(invoke: Callable[[], Any], calls: int, warm_up: int = 50) -> list[float]:
    for _ in range(warm_up):  # first calls build validators and serializers once per container
        invoke()
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        invoke()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    options = arguments(__doc__).parse_args()
    calls = 2_000 if options.small else 10_000
    os.environ.update(ENVIRONMENT)

    from localdev.events import http_api_event
    from localdev.functions import LambdaContext, load_functions
    from localdev.template import Template
    from orders_common.config import get_settings
    from orders_common.wiring import Services, install_services
    from tests.support.fakes import demo_store

    services = Services(get_settings())
    store = demo_store()
    for port in ("orders", "order_writes", "accounts", "account_reads", "counters", "ledger", "fill_reads"):
        services.__dict__[port] = store
    install_services(services)
    functions = load_functions(Template.load())
    create_handler = functions["CreateOrderFunction"].handler
    get_handler = functions["OrderDetailsFunction"].handler

    body = {"account_id": 1, "symbol": "BTC", "name": "bench", "side": "buy", "order_type": "market"}
    create_event = http_api_event(
        "POST",
        "/api/orders/create",
        headers={"Content-Type": "application/json"},
        body=json.dumps({**body, "quantity": 0.00001}),
    )
    context = LambdaContext("bench", 512, 10)

    def create() -> None:
        response = create_handler(create_event, context)
        assert response["statusCode"] == 201, response

    get_event = http_api_event(
        "GET", "/api/orders/order/1", route_key="GET /api/orders/order/{order_id}", path_parameters={"order_id": "1"}
    )

    def get() -> None:
        response = get_handler(get_event, context)
        assert response["statusCode"] == 200, response

    rows = []
    for label, invoke in (("create order", create), ("get order", get)):
        timings = measure(invoke, calls)
        rows.append((label, calls, f"{median(timings):.3f}", f"{percentile(timings, 0.99):.3f}"))
    print_table(
        "Handler time outside I/O (in-memory store), milliseconds per request",
        ["handler", "calls", "median ms", "p99 ms"],
        rows,
    )


if __name__ == "__main__":
    main()
