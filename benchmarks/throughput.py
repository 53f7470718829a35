"""process-all over many pending orders: orders per second of the API path (bounded concurrency, one
invocation) and of the schedule path (fan-out with SendMessageBatch, then executor invocations draining
the queue in batches of 10, at most 5 at a time as the template's MaximumConcurrency), each as a ratio
to executing the same orders one by one.

moto runs in its own process (as DynamoDB runs elsewhere), and every AWS request waits a modelled
network latency (``--latency-ms``, default 5 ms, typical of DynamoDB within a region): without it,
an in-process fake answers instantly and concurrency has nothing to overlap.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from benchmarks.common import QUIET, arguments, print_table, silence_metrics
from localdev.events import sqs_event
from localdev.functions import LocalFunction
from localdev.moto_server import moto_server_process
from localdev.resources import create_resources, function_environment
from localdev.stack import AWS_LOCAL_ENVIRONMENT, LOCAL_DEFAULTS, LOCAL_PARAMETERS, free_port
from localdev.template import Resolver, Template
from orders_common.auth import Caller
from orders_common.logic.process_all import TimePlan
from orders_common.models.account_requests import OpenAccountRequest
from orders_common.models.order import Order
from orders_common.models.paging import MAX_PAGE_SIZE, OrderFilters, PageRequest
from orders_common.models.requests import CreateOrderRequest
from orders_common.wiring import reset_services, services

ACCOUNTS = 100
EXECUTOR_CONCURRENCY = 5  # MaximumConcurrency of the executor's SQS event source in template.yaml


@contextmanager
def fresh_stack(orders: int) -> Iterator[tuple[Template, Resolver]]:
    """A moto server with the template's resources, ACCOUNTS funded accounts and ``orders`` pending buys."""
    saved = dict(os.environ)
    boto3.DEFAULT_SESSION = None  # a session keeps the endpoint it first saw
    with moto_server_process(free_port()) as endpoint:
        try:
            os.environ.update({**AWS_LOCAL_ENVIRONMENT, "AWS_ENDPOINT_URL": endpoint})
            template = Template.load(parameters=LOCAL_PARAMETERS)
            resolver = create_resources(template)
            os.environ.update({**function_environment(template, resolver), **LOCAL_DEFAULTS, **QUIET})
            reset_services()
            for user_id in range(1, ACCOUNTS + 1):  # accounts 1 to ACCOUNTS
                services().open_account(
                    OpenAccountRequest(user_id=user_id, initial_deposit=Decimal(10_000_000)), Caller.anyone()
                )
            for number in range(orders):
                request = CreateOrderRequest.model_validate(
                    {"account_id": number % ACCOUNTS + 1, "symbol": "BTC", "name": "load", "side": "buy",
                     "order_type": "market", "quantity": Decimal("0.01")}
                )  # fmt: skip
                services().create_order(request, Caller.anyone())
            yield template, resolver
        finally:
            os.environ.clear()
            os.environ.update(saved)
            reset_services()
            boto3.DEFAULT_SESSION = None


class _Body:
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield b"{}"


class Latency:
    """Every AWS request waits ``seconds`` before it is sent, and requests are counted per operation.

    With ``remote_transactions``, a TransactWriteItems is not sent to moto at all: it is answered
    with success after ``remote_transactions`` seconds, as a store whose work happens elsewhere
    (DynamoDB) would answer. Nothing is written then; this measures how the service overlaps waiting.
    """

    def __init__(self, seconds: float, remote_transactions: float | None = None) -> None:
        self.seconds = seconds
        self.remote_transactions = remote_transactions
        self.requests: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, request: Any, **kwargs: Any) -> AWSResponse | None:
        name = kwargs.get("event_name", "").split(".")[-1]
        with self.lock:
            self.requests[name] = self.requests.get(name, 0) + 1
        if self.remote_transactions is not None and name == "TransactWriteItems":
            time.sleep(self.remote_transactions)
            return AWSResponse(request.url, 200, {"x-amzn-RequestId": "remote-model"}, _Body())
        time.sleep(self.seconds)
        return None

    def install(self) -> None:
        # Clients made from now on (the store's is rebuilt below) carry the delay.
        boto3.setup_default_session()
        boto3.DEFAULT_SESSION.events.register("before-send", self)  # type: ignore[union-attr]
        reset_services()


def every_pending_order() -> list[Order]:
    found: list[Order] = []
    cursor: str | None = None
    while True:
        page = services().orders.list_pending_orders(PageRequest(limit=MAX_PAGE_SIZE, after=cursor), OrderFilters())
        found += page.items
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def sequential(orders: int, latency: Latency) -> tuple[float, float]:
    """Wall time, and the CPU time this process spent per order (the store's work is in moto's)."""
    with fresh_stack(orders):
        latency.install()
        pending = every_pending_order()
        started, cpu = time.perf_counter(), time.process_time()
        for order in pending:
            services().engine.execute(order)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu / orders


def api_path(orders: int, latency: Latency) -> tuple[float, Any]:
    with fresh_stack(orders):
        latency.install()
        started = time.perf_counter()
        result = services().process_all(Caller.anyone(), TimePlan(600, 660, 660))
        elapsed = time.perf_counter() - started
        assert result.succeeded == orders, result
    return elapsed, result


def schedule_path(orders: int, latency: Latency) -> tuple[float, int, int]:
    with fresh_stack(orders) as (template, resolver):
        latency.install()
        started = time.perf_counter()
        services().fan_out(seconds=600)
        sends = latency.requests.get("SendMessageBatch", 0)
        invocations = drain(template, resolver)
        elapsed = time.perf_counter() - started
    return elapsed, sends, invocations


def drain(template: Template, resolver: Resolver) -> int:
    """Lambda's SQS event source: batches of 10, EXECUTOR_CONCURRENCY invocations at a time, each in its
    own execution environment; a batch's successful messages are deleted."""
    spec = template.function("ExecuteQueuedFunction")
    queue_url = resolver.refs["ExecutionQueue"]
    queue_arn = resolver.attributes[("ExecutionQueue", "Arn")]
    sqs = boto3.client("sqs")
    invocations = [0] * EXECUTOR_CONCURRENCY

    def worker(number: int) -> None:
        environment = LocalFunction(spec)
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return
            result = environment.invoke(sqs_event(messages, queue_arn))
            failed = {failure["itemIdentifier"] for failure in result["batchItemFailures"]}
            done = [m for m in messages if m["MessageId"] not in failed]
            if done:
                sqs.delete_message_batch(
                    QueueUrl=queue_url,
                    Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)],
                )
            invocations[number] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(EXECUTOR_CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(invocations)


def run(orders: int, title: str, make_latency: Callable[[], Latency]) -> None:
    one_by_one, cpu_per_order = sequential(orders, make_latency())
    api_seconds, api_result = api_path(orders, make_latency())
    schedule_seconds, sends, invocations = schedule_path(orders, make_latency())
    concurrency = os.environ.get("PROCESS_ALL_CONCURRENCY", "8")
    rows = [
        ("one by one (baseline)", f"{orders / one_by_one:.0f}", "1.00", f"{one_by_one:.1f} s"),
        (
            f"API path (process-all, concurrency {concurrency})",
            f"{orders / api_seconds:.0f}",
            f"{one_by_one / api_seconds:.2f}",
            f"{api_seconds:.1f} s; {api_result.succeeded} filled, {api_result.queued} queued",
        ),
        (
            f"schedule path (fan-out + {EXECUTOR_CONCURRENCY} executors)",
            f"{orders / schedule_seconds:.0f}",
            f"{one_by_one / schedule_seconds:.2f}",
            f"{schedule_seconds:.1f} s; {sends} SendMessageBatch (limit {orders // 10 + 1}); {invocations} invocations",
        ),
    ]
    print_table(title, ["path", "orders/s", "ratio", "detail"], rows)
    wait = one_by_one / orders - cpu_per_order
    print(f"CPU of this process per order (one by one): {cpu_per_order * 1000:.1f} ms; waiting: {wait * 1000:.1f} ms.")


def main() -> None:
    silence_metrics()
    parser = arguments(__doc__)
    parser.add_argument("--orders", type=int, default=None, help="pending orders (default 2000, small 300)")
    parser.add_argument("--latency-ms", type=float, default=5.0, help="network latency of every request")
    parser.add_argument(
        "--transaction-ms", type=float, default=10.0, help="latency of a remote transaction in the second run"
    )
    options = parser.parse_args()
    orders = options.orders or (300 if options.small else 2000)
    latency, transaction = options.latency_ms / 1000, options.transaction_ms / 1000
    run(
        orders,
        f"process-all over {orders} pending orders: moto server, {options.latency_ms:g} ms per request",
        lambda: Latency(latency),
    )
    print(
        "moto applies one request at a time on one core; its own time per transaction bounds the concurrent "
        "paths above. Below, transactions are answered as a remote store would (after a latency, with no "
        "work in this machine), which isolates how the service overlaps waiting.\n"
    )
    run(
        orders,
        f"process-all over {orders} pending orders: transactions answered after {options.transaction_ms:g} ms "
        f"(remote store model), other requests {options.latency_ms:g} ms",
        lambda: Latency(latency, remote_transactions=transaction),
    )


if __name__ == "__main__":
    main()
