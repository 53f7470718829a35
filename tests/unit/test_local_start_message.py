"""What `make run` says once started: prices, whether auth is on, the schedule and how to turn it off, and
the demo accounts only when there are some."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from localdev.__main__ import parse_arguments, port_taken
from localdev.banner import accounts_lines, auth_line, demo_accounts, schedule_line
from localdev.persistence import State
from localdev.pipeline import Pipeline, Schedule


@dataclass
class Spec:
    logical_id: str


@dataclass
class Function:
    spec: Spec


def pipeline_with(*schedules: tuple[str, float]) -> Pipeline:
    function: Any
    runs = []
    for logical_id, interval in schedules:
        function = Function(Spec(logical_id))
        runs.append(Schedule(function, interval=interval, rule_arn="arn"))
    return Pipeline([], runs, threading.Event())


def test_the_schedule_line_says_it_fills_pending_orders_every_period_and_how_to_turn_it_off() -> None:
    line = schedule_line(
        parse_arguments([]), pipeline_with(("ProcessAllFunction", 60), ("AuditAccountFunction", 86400))
    )

    assert line.startswith("Schedule: process-all runs every 60 s: it fills by itself every pending order")
    assert 'make run ARGS="--no-schedule"' in line
    assert schedule_line(
        parse_arguments(["--schedule-seconds", "5"]), pipeline_with(("ProcessAllFunction", 5))
    ).startswith("Schedule: process-all runs every 5 s")


def test_without_the_schedule_it_says_orders_wait() -> None:
    off = schedule_line(parse_arguments(["--no-schedule"]), pipeline_with(("AuditAccountFunction", 86400)))
    none = schedule_line(parse_arguments(["--no-pipeline"]), pipeline_with())

    assert off == "Schedule: off (--no-schedule): pending orders wait for an execute or a process-all call."
    assert "(--no-pipeline)" in none


def test_auth_says_on_or_off_and_how_to_switch_it_on_with_make() -> None:
    assert 'make run ARGS="--auth"' in auth_line(False)
    assert auth_line(False).startswith("Auth: off")
    assert auth_line(True).startswith("Auth: on")
    assert "python -m localdev.token --user 1" in auth_line(True)


def test_the_demo_accounts_are_described_with_their_balances_only_when_seeded() -> None:
    seeded = list(accounts_lines(parse_arguments([]), None, None))
    empty = list(accounts_lines(parse_arguments(["--no-seed"]), None, None))
    restored = list(accounts_lines(parse_arguments([]), State("2026-12-05T00:00:00Z", tables={}), None))

    assert seeded == [f"Demo: {demo_accounts()}."]
    assert 'account 1 (user 1, "Main"): 100000 cash, 1.5 BTC, 10 ETH' in seeded[0]
    assert 'account 3 (user 2, "Trading"): 25000 cash, 100 SOL' in seeded[0]
    assert empty == ["Accounts: none (--no-seed); open one with POST /api/accounts."]
    assert not any("Demo" in line for line in empty + restored)


def test_a_taken_port_suggests_the_make_form_and_the_python_one() -> None:
    message = port_taken("127.0.0.1", 3000)

    assert "Port 3000 on 127.0.0.1 is already in use" in message
    assert "make run PORT=3001" in message
    assert "python -m localdev --port 3001" in message
