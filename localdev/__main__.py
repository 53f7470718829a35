"""``make run``: the orders API on http://127.0.0.1:3000 with no AWS account and no Docker."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
from contextlib import ExitStack
from pathlib import Path
from types import FrameType

from localdev.banner import describe, state_line
from localdev.local_events import PATH as EVENTS_PATH
from localdev.local_events import EventTap, events_handler
from localdev.local_prices import PATH as PRICES_PATH
from localdev.local_prices import PriceControl, install_adjustable_prices, price_handler
from localdev.local_venue import PATH as VENUE_PATH
from localdev.local_venue import deploy_on_venue, local_venue, venue_handler
from localdev.persistence import (
    DEFAULT_PATH,
    SAVE_SECONDS,
    Saver,
    State,
    StateError,
    StateInUse,
    capture,
    held,
    restore,
)
from localdev.persistence import load as load_state
from localdev.pipeline import Pipeline
from localdev.routing import Router
from localdev.server import ApiGateway, LocalHandler
from localdev.stack import LOCAL_PARAMETERS, LocalStack
from localdev.template import Template
from orders_common.wiring import services
from tools.openapi import build_openapi, documentation_pages

EXCHANGES = ("paper", "fake-hyperliquid")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m localdev", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="API port (default 3000)")
    parser.add_argument("--moto-port", type=int, default=0, help="port of the embedded moto server (default: any free)")
    parser.add_argument(
        "--set",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="override a function environment variable, e.g. --set PRICE_SOURCE=hyperliquid",
    )
    parser.add_argument("--no-seed", action="store_true", help="start without the demo accounts")
    parser.add_argument(
        "--schedule-seconds",
        type=float,
        default=None,
        help="run the schedules this often instead of at the template's rate (e.g. 5 for a demo)",
    )
    parser.add_argument(
        "--no-schedule",
        action="store_true",
        help="deploy with ProcessAllScheduleEnabled=false: no schedule fills pending orders every minute (they wait "
        "for an execute or a process-all call) and health does not expect one; the queue and the event stream run",
    )
    parser.add_argument("--no-pipeline", action="store_true", help="no SQS poller, no stream reader and no schedules")
    parser.add_argument(
        "--auth",
        action="store_true",
        help="require JWTs as the deployed API does; mint them with `python -m localdev.token --user 1`",
    )
    parser.add_argument(
        "--exchange",
        choices=EXCHANGES,
        default="paper",
        help="where orders execute: paper fills (default) or fake-hyperliquid, the local Hyperliquid stand-in "
        "(Exchange=hyperliquid on testnet, its API wallet's key in a moto secret, prices from its mids)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    state = parser.add_argument_group(
        "saved state",
        "paper runs restore the table and the queues saved at the last stop (Ctrl-C, SIGTERM) and save them "
        "again every --save-seconds and at the stop; --exchange fake-hyperliquid never saves or restores",
    )
    state.add_argument(
        "--fresh",
        action="store_true",
        help="ignore the saved state: start empty with the demo data (the saved state is replaced at the next save)",
    )
    state.add_argument(
        "--state",
        type=Path,
        default=DEFAULT_PATH,
        metavar="PATH",
        help="the state file (default .local/state.json in the repository)",
    )
    state.add_argument("--no-state", action="store_true", help="neither restore nor save any state")
    state.add_argument(
        "--save-seconds",
        type=float,
        default=SAVE_SECONDS,
        metavar="N",
        help=f"save every N seconds while running (default {SAVE_SECONDS:g}; 0: only at the stop)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    _stop_on_signals()
    print(f"Starting the orders API for http://{arguments.host}:{arguments.port} ...", flush=True)
    try:
        return _run(arguments)
    except KeyboardInterrupt:
        # Stopped while starting: what had started was stopped on the way out.
        print("\nStopped.", flush=True)
        return 0


def port_taken(host: str, port: int) -> str:
    return (
        f"Port {port} on {host} is already in use: stop what uses it, or take another port with "
        f"`make run PORT={port + 1}` (python -m localdev --port {port + 1})."
    )


def _run(arguments: argparse.Namespace) -> int:
    overrides = dict(item.split("=", 1) for item in arguments.set)
    persist = not arguments.no_state and arguments.exchange == "paper"
    try:
        # Bind first: a taken port should be reported before anything else starts.
        gateway_address = (arguments.host, arguments.port)
        parameters = {
            **LOCAL_PARAMETERS,
            "AuthEnabled": "true" if arguments.auth else "false",
            **({"ProcessAllScheduleEnabled": "false"} if arguments.no_schedule else {}),
        }
        stack = LocalStack(
            template=Template.load(parameters=parameters),
            moto_port=arguments.moto_port,
            overrides=overrides,
            seed=not arguments.no_seed,
        )
        probe = ApiGateway(gateway_address, Router([], {}), quiet=True)
        probe.server_close()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(port_taken(arguments.host, arguments.port), file=sys.stderr)
            return 2
        raise
    try:
        # Everything started is stopped in reverse order, however this ends (Ctrl-C, SIGTERM, an error).
        with ExitStack() as running:
            saved = _open_state(running, arguments, stack) if persist else None
            venue = running.enter_context(local_venue()) if arguments.exchange == "fake-hyperliquid" else None
            stack.start_moto()
            running.callback(stack.stop)
            local: dict[str, LocalHandler] = {}
            prices: PriceControl | None
            if venue is not None:
                deploy_on_venue(stack, venue, parameters)
                prices = venue
                # Unless told otherwise, a timeout answers after the functions stopped waiting for the venue.
                local[VENUE_PATH] = venue_handler(venue, default_delay=services().settings.price_timeout_seconds + 1)
            else:
                stack.deploy()  # restores the saved state (StateError when it cannot)
                prices = install_adjustable_prices()
            if persist:
                # Registered before the API and the pipeline: the last save runs after they stopped.
                running.callback(_keep_saving(arguments, stack).close)
            assert stack.resolver is not None
            tap = EventTap.on_bus(stack.resolver.refs["OrderEventBus"])
            tap.start()
            running.callback(tap.close)
            gateway = ApiGateway(
                gateway_address,
                stack.router,
                pages=documentation_pages(build_openapi(stack.template)),
                local={PRICES_PATH: price_handler(prices), EVENTS_PATH: events_handler(tap), **local},
                quiet=arguments.quiet,
            )
            running.callback(gateway.server_close)
            pipeline = Pipeline.from_template(
                stack.template,
                stack.resolver,
                stack.functions,
                schedule_seconds=arguments.schedule_seconds,
                quiet=arguments.quiet,
            )
            if arguments.no_pipeline:
                pipeline = Pipeline([], [], pipeline.stop)
            pipeline.start()
            running.callback(pipeline.close)
            for line in describe(arguments, stack, pipeline, prices, venue, saved):
                print(line, flush=True)
            print(state_line(arguments, persist, saved), flush=True)
            print("Ctrl-C (or SIGTERM) stops.", flush=True)
            server_thread = threading.Thread(target=gateway.serve_forever, name="api", daemon=True)
            server_thread.start()
            running.callback(gateway.shutdown)
            _serve_until_stopped(server_thread)
    except (StateError, StateInUse) as error:
        return _refuse_state(error)
    return 0


def _open_state(running: ExitStack, arguments: argparse.Namespace, stack: LocalStack) -> State | None:
    """Hold the state file while running; the state to restore (into the stack, before the seeding)."""
    running.enter_context(held(arguments.state))
    saved = None if arguments.fresh else load_state(arguments.state)
    if saved is not None:
        stack.restore = lambda template, resolver: restore(saved, template, resolver)
    return saved


def _keep_saving(arguments: argparse.Namespace, stack: LocalStack) -> Saver:
    """Save the stack's state every --save-seconds from now on, and at ``close``."""
    resolver = stack.resolver
    assert resolver is not None
    saver = Saver(arguments.state, lambda: capture(stack.template, resolver), arguments.save_seconds)
    saver.start()
    return saver


def _refuse_state(error: StateError | StateInUse) -> int:
    if isinstance(error, StateInUse):
        print(f"{error}: stop it, or give this one --state OTHER_FILE or --no-state.", file=sys.stderr)
        return 2
    print(
        f"Cannot restore the saved local state: {error}.\n"
        "Start with `make run FRESH=1` (or `python -m localdev --fresh`) to begin again with the demo data; "
        "the file is replaced at the next save (move it aside first to keep it).",
        file=sys.stderr,
    )
    return 2


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM both stop cleanly from the start, even when a script started this process in the
    background (shells make background jobs ignore SIGINT, and the process inherits that)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    # A closed terminal stops it cleanly too (and so saves the state), unless started under nohup.
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        signal.signal(signal.SIGHUP, _interrupt)


def _serve_until_stopped(server_thread: threading.Thread) -> None:
    try:
        # A timed wait: the kernel may hand the signal to any thread, and Python runs its handler only
        # when the main thread next runs, which an untimed join would postpone until the server stops.
        while server_thread.is_alive():
            server_thread.join(timeout=0.25)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
