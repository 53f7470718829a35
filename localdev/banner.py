"""What `make run` says when it has started: where the API is, what it holds, and what runs by itself."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from localdev.demo import DEMO
from localdev.local_events import PATH as EVENTS_PATH
from localdev.local_prices import PATH as PRICES_PATH
from localdev.local_prices import PriceControl
from localdev.local_venue import PATH as VENUE_PATH
from localdev.local_venue import LocalVenue
from localdev.persistence import State, shown_path
from localdev.pipeline import Pipeline
from localdev.stack import LocalStack

PROCESS_ALL = "ProcessAllFunction"


def describe(
    arguments: argparse.Namespace,
    stack: LocalStack,
    pipeline: Pipeline,
    prices: PriceControl | None,
    venue: LocalVenue | None,
    saved: State | None,
) -> Iterator[str]:
    base = f"http://{arguments.host}:{arguments.port}"
    yield f"Orders API on {base} (moto at {stack.moto_endpoint})"
    for route in stack.template.http_routes():
        yield f"  {route.method:<5} {route.path:<40} -> {route.function}"
    yield f"  OpenAPI: {base}/openapi.json, Swagger UI: {base}/swagger"
    if prices is not None:
        shown = "the stand-in's mids" if venue is not None else "static prices"
        yield f"  Prices ({shown}): GET/PUT {base}{PRICES_PATH} (local only)"
    yield f"  Order events: GET {base}{EVENTS_PATH} (local only)"
    for line in pipeline.describe():
        yield f"  {line}"
    if venue is not None:
        yield (
            f"Exchange: the local Hyperliquid stand-in at {venue.url} (testnet signing), not paper: account "
            f"{venue.account_address}, API wallet {venue.api_wallet}, its key in the secret {venue.secret_arn}."
        )
        yield (
            f'  Venue: GET {base}{VENUE_PATH} (mids, resting orders, faults), POST {{"fault": '
            f'"timeout_next"|"drop_next"|"reject_next"|"fail_next"}} (local only)'
        )
    else:
        yield "Exchange: paper (--exchange fake-hyperliquid executes on a local Hyperliquid stand-in)."
    if prices is not None:
        table = ", ".join(f"{symbol} {price}" for symbol, price in sorted(prices.table().items()))
        source = "the stand-in's mids" if venue is not None else "static"
        yield f"Prices: {source}, {table} (PUT {PRICES_PATH} moves them)."
    yield auth_line(stack.auth_enabled)
    yield schedule_line(arguments, pipeline)
    yield from accounts_lines(arguments, saved, venue)


def auth_line(enabled: bool) -> str:
    if enabled:
        return (
            "Auth: on: send 'Authorization: Bearer <token>'; mint one with "
            "`.venv/bin/python -m localdev.token --user 1 [--admin]`."
        )
    return (
        'Auth: off, every caller is an admin (make run ARGS="--auth", or python -m localdev --auth, requires tokens).'
    )


def schedule_line(arguments: argparse.Namespace, pipeline: Pipeline) -> str:
    process_all = next((s for s in pipeline.schedules if s.function.spec.logical_id == PROCESS_ALL), None)
    if process_all is None:
        why = "--no-pipeline" if arguments.no_pipeline else "--no-schedule"
        return f"Schedule: off ({why}): pending orders wait for an execute or a process-all call."
    return (
        f"Schedule: process-all runs every {process_all.interval:g} s: it fills by itself every pending order the "
        'market allows (execute one before then, or turn it off with make run ARGS="--no-schedule"; '
        "--schedule-seconds N runs it every N s)."
    )


def accounts_lines(arguments: argparse.Namespace, saved: State | None, venue: LocalVenue | None) -> Iterator[str]:
    if saved is not None:
        yield "Accounts and orders: as saved (the State line below says what was restored)."
    elif arguments.no_seed:
        yield "Accounts: none (--no-seed); open one with POST /api/accounts."
    else:
        yield f"Demo: {demo_accounts()}."
        if venue is not None:
            yield "  (their seeded positions are not on the stand-in: sell what was bought through it)"


def demo_accounts() -> str:
    """The demo accounts a fresh start opens (ids 1, 2, 3 ...: the table is empty before them)."""
    described = []
    for account_id, (user_id, name, cash, positions) in enumerate(DEMO, start=1):
        holdings = "".join(f", {quantity} {symbol}" for symbol, quantity, _ in positions)
        described.append(f'account {account_id} (user {user_id}, "{name}"): {cash} cash{holdings}')
    return "; ".join(described)


def state_line(arguments: argparse.Namespace, persist: bool, saved: State | None) -> str:
    """Which start this was: restored (what, from where, saved when) or fresh, and when it saves."""
    where = shown_path(arguments.state)
    contents = "empty (--no-seed)" if arguments.no_seed else "with the demo data"
    if not persist:
        if arguments.exchange != "paper":
            return (
                f"State: fresh start {contents}; --exchange {arguments.exchange} neither saves nor restores "
                f"(the stand-in venue starts empty each time; the paper state in {where} is left alone)."
            )
        return f"State: fresh start {contents}; nothing is saved (--no-state)."
    every = f"every {arguments.save_seconds:g} s and " if arguments.save_seconds > 0 else ""
    saving = f"saved to {where} {every}at Ctrl-C/SIGTERM"
    if saved is not None:
        return (
            f"State: restored {saved.describe()} from {where} (saved at {saved.saved_at}); {saving}. "
            "make run FRESH=1 starts fresh."
        )
    why = "--fresh" if arguments.fresh else f"nothing saved at {where} yet"
    return f"State: fresh start {contents} ({why}); {saving}."
