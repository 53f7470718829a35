"""Requests to the venue per execution on Hyperliquid: the signed actions sent to /exchange (order, cancel) and the
reads sent to /info by type (allMids, orderStatus, userFills, meta), for each step of an order's life there.

The desk of the execution tests (tests.support.venue_desk): the use cases on the in-memory store, the real venue
adapter and client (the official SDK signing every action), the local stand-in venue, which verifies each
signature, and the venue's secret in a moto Secrets Manager. Each step starts as an invocation does, with the
prices forgotten. Every step runs `--repeat` times (3, small 1) on new orders and must count the same each time.
Only requests to the venue (and the secret's reads) are counted here, not DynamoDB's.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from benchmarks.common import arguments, print_table, silence_metrics
from localdev.fake_hyperliquid import Reply
from localdev.stack import AWS_LOCAL_ENVIRONMENT
from orders_common import aws_clients
from orders_common.errors import ExchangeUnavailable
from orders_common.exchange.hyperliquid_rules import cloid_for
from orders_common.observability import logger
from tests.support.fakes import FakeQueue
from tests.support.venue_desk import ANYONE, VenueDesk, venue_desk
from tests.support.venue_secrets import secrets_manager

# The columns: signed actions (POST /exchange), then reads (POST /info). Anything else (l2Book, spotMeta, a plain
# cancel by venue id, ...) is listed under "other"; the secret's reads too, though they are not the venue's.
ACTIONS = ("order", "cancelByCloid")
READS = ("allMids", "orderStatus", "userFills", "userFillsByTime", "meta")
TIMEOUT_SECONDS = 1.0  # the stand-in answers after this; the desk's client gives up after 0.5 s
T = TypeVar("T")


class VenueRequests:
    """Counts what reaches the stand-in: its /exchange requests (which it records), its account-level /info reads
    (through its ``info``), its public /info reads (which its script records); and GetSecretValue."""

    def __init__(self, desk: VenueDesk, secrets: Any) -> None:
        self.desk = desk
        self.info: list[str] = []
        self.secret_reads = 0
        answer = desk.venue.info

        def counted(request: Mapping[str, Any]) -> Reply:
            self.info.append(str(request.get("type")))
            return answer(request)

        def secret_read(**_: Any) -> None:
            self.secret_reads += 1

        desk.venue.info = counted  # type: ignore[method-assign]
        # The adapter reads the secret with a client of the desk's session (hyperliquid_credentials).
        aws_clients.session().get_component("event_emitter").register(
            "before-call.secrets-manager.GetSecretValue", secret_read
        )

    def total(self) -> Counter[str]:
        counts: Counter[str] = Counter(payload["action"]["type"] for payload in self.desk.venue.requests)
        counts.update(self.info)
        counts.update(str(request.get("type")) for request in self.desk.venue.venue.script.requests)
        counts["GetSecretValue"] = self.secret_reads
        return counts

    def count(self, step: Callable[[], T]) -> tuple[T, Counter[str]]:
        """What ``step`` sends, as one invocation: the prices are forgotten first, as every invocation starts."""
        before = self.total()
        self.desk.prices.clear_cache()
        result = step()
        return result, self.total() - before


def timed_out(desk: VenueDesk, order_id: int) -> None:
    """An execute whose answer comes after the client's timeout: the venue took the order, the desk leaves it
    executing (the API answers 503) for the reconciler."""
    desk.venue.timeout_next(TIMEOUT_SECONDS)
    try:
        desk.engine.execute(desk.order(order_id))
    except ExchangeUnavailable:
        return
    raise AssertionError("the execute should have timed out")


def expect(outcome: object, wanted: str) -> None:
    if outcome != wanted:
        raise AssertionError(f"expected {wanted}, got {outcome}")


def one_round(desk: VenueDesk, venue: VenueRequests) -> list[tuple[str, Counter[str]]]:
    """Every step once, on new orders: (step, what it sent) each."""
    rows = []
    market, sent = venue.count(lambda: desk.place(quantity="0.05", execute=True))
    expect(desk.order(market.id).status.value, "filled")
    rows.append(("market buy: create with execute, filled", sent))

    limit, sent = venue.count(lambda: desk.place(order_type="limit", price="68000", quantity="0.05", execute=True))
    expect(desk.order(limit.id).status.value, "pending")
    rows.append(("GTC limit buy: create with execute, rests", sent))
    rows.append(("a look at it (the executor), nothing new", venue.count(lambda: desk.queued(limit.id))[1]))
    expect(desk.order(limit.id).status.value, "pending")
    desk.venue.venue.hit(cloid_for(limit.id), "0.02")
    rows.append(("a look after a partial fill (0.02 of 0.05)", venue.count(lambda: desk.queued(limit.id))[1]))
    expect(desk.order(limit.id).status.value, "partially_filled")
    desk.venue.venue.hit(cloid_for(limit.id), "0.03")
    rows.append(("the look that fills it (the last 0.03)", venue.count(lambda: desk.queued(limit.id))[1]))
    expect(desk.order(limit.id).status.value, "filled")

    resting = desk.place(order_type="limit", price="68000", quantity="0.05", execute=True)
    run = venue.count(lambda: desk.fan_out(FakeQueue())(seconds=10))[1]
    rows.append(("a schedule run, whatever rests there", run))
    rows.append(("cancel of a resting order", venue.count(lambda: desk.cancel(resting.id, ANYONE))[1]))
    expect(desk.order(resting.id).status.value, "cancelled")

    lost = desk.place(quantity="0.05")
    execute = venue.count(lambda: timed_out(desk, lost.id))[1]
    reconcile = venue.count(lambda: desk.queued(lost.id))[1]
    expect(desk.order(lost.id).status.value, "filled")
    rows.append(("timeout after the venue accepted: the execute", execute))
    rows.append(("  then the reconcile (the executor, by cloid)", reconcile))
    rows.append(("  the two together", execute + reconcile))
    return rows


def table_row(step: str, sent: Counter[str]) -> tuple[object, ...]:
    venue = sum(sent[name] for name in (*ACTIONS, *READS))
    other = ", ".join(f"{name} {count}" for name, count in sorted(sent.items()) if name not in (*ACTIONS, *READS))
    return (step, *(sent[name] for name in ACTIONS), *(sent[name] for name in READS), venue, other)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--repeat", type=int, default=None, help="rounds of every step (default 3, small 1)")
    options = parser.parse_args()
    repeat = options.repeat or (1 if options.small else 3)
    silence_metrics()
    logger.setLevel("ERROR")  # the timeout's warnings are expected: figures, not log lines
    os.environ.update(AWS_LOCAL_ENVIRONMENT)  # a region and fake credentials for the (moto) secret's client
    with secrets_manager() as secrets, tempfile.TemporaryDirectory() as packages, venue_desk(secrets, packages) as desk:
        venue = VenueRequests(desk, secrets)
        rows = [("a container's first venue call (connect)", venue.count(lambda: desk.exchange.client)[1])]
        rounds = [one_round(desk, venue) for _ in range(repeat)]
    for later in rounds[1:]:
        if later != rounds[0]:
            raise AssertionError(f"the rounds counted differently: {rounds[0]} then {later}")
    rows += rounds[0]
    print_table(
        f"Venue requests per step on Hyperliquid (the local stand-in; {repeat} round(s), each the same)",
        ["step", *(f"/exchange {name}" for name in ACTIONS), *READS, "venue requests", "other"],
        [table_row(step, sent) for step, sent in rows],
    )
    print(json.dumps({"repeat": repeat, "steps": {step: dict(sent) for step, sent in rows}}))


if __name__ == "__main__":
    main()
