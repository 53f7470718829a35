"""Event publish latency locally: from the commit of an order's change to its event being on the bus.

``make run``'s stack (a moto server, the table's stream read by the local event source every 50 ms,
the publisher function in process): N orders are created one after another, each waiting until its
``created`` event is on the bus. The commit is the moment the create's TransactWriteItems answered;
the event is on the bus when the publisher's PutEvents answered. On AWS the stream's own delay
(typically well under a second) takes the place of the local poll.

    PYTHONPATH=layers/common:. python -m benchmarks.event_publish [--small]
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

from benchmarks.common import QUIET, arguments, median, percentile, print_table, silence_metrics
from localdev.pipeline import Pipeline
from localdev.stack import LOCAL_PARAMETERS, LocalStack
from localdev.template import Template

BODY = {"account_id": 1, "symbol": "BTC", "name": "bench", "side": "buy", "order_type": "limit", "price": 10000}


class Clock:
    """When each create committed, and when each event was on the bus (by event id)."""

    def __init__(self) -> None:
        self.committed: float | None = None
        self.on_bus: dict[str, float] = {}
        self.arrived = threading.Condition()

    def commit(self, **_: Any) -> None:
        self.committed = time.perf_counter()

    def published(self, event_id: str) -> None:
        with self.arrived:
            self.on_bus[event_id] = time.perf_counter()
            self.arrived.notify_all()

    def wait_for(self, event_id: str, timeout: float = 10) -> float:
        with self.arrived:
            if not self.arrived.wait_for(lambda: event_id in self.on_bus, timeout):
                raise TimeoutError(f"event {event_id} was not published within {timeout} s")
            return self.on_bus[event_id]


def main() -> int:
    options = arguments(__doc__).parse_args()
    orders = 20 if options.small else 200
    os.environ.update(QUIET)
    stack = LocalStack(template=Template.load(parameters=LOCAL_PARAMETERS), overrides=QUIET).start()
    assert stack.resolver is not None
    from orders_common.wiring import services

    silence_metrics()
    clock = Clock()
    services().table.client.meta.events.register("after-call.dynamodb.TransactWriteItems", clock.commit)
    bus = services().event_bus
    publish = bus.publish

    def timed_publish(event: Any) -> None:
        publish(event)
        clock.published(event.event_id)

    bus.publish = timed_publish  # type: ignore[method-assign]
    full = Pipeline.from_template(stack.template, stack.resolver, stack.functions, quiet=True)
    pipeline = Pipeline([], [], full.stop, streams=full.streams)  # the stream only: no schedule runs meanwhile
    pipeline.start()
    latencies: list[float] = []
    try:
        for _ in range(orders):
            response = stack.router.handle(
                "POST", "/api/orders/create", body=json.dumps({**BODY, "quantity": 0.0001}),
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            assert response.status == 201, response.body
            assert clock.committed is not None
            committed = clock.committed
            latencies.append((clock.wait_for(f"{response.json()['id']}-1-1") - committed) * 1000)
    finally:
        pipeline.close()
        stack.stop()
    print_table(
        f"Event publish latency, commit to PutEvents answered ({orders} orders, one at a time)",
        ["median ms", "p95 ms", "max ms"],
        [[f"{median(latencies):.1f}", f"{percentile(latencies, 0.95):.1f}", f"{max(latencies):.1f}"]],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
