"""`make run ARGS="--exchange fake-hyperliquid"`: the option, make's ARGS, and the faults `/_local/venue` takes."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from localdev.__main__ import parse_arguments
from localdev.local_venue import DEFAULT_REJECTION, FaultRequest, parse_fault
from localdev.template import ROOT


def test_the_exchange_is_paper_unless_the_stand_in_is_asked_for() -> None:
    assert parse_arguments([]).exchange == "paper"
    assert parse_arguments(["--exchange", "fake-hyperliquid", "--auth"]).exchange == "fake-hyperliquid"
    assert parse_arguments(["--exchange=paper"]).exchange == "paper"


@pytest.mark.parametrize("exchange", ["hyperliquid", "mainnet", ""])
def test_another_exchange_is_refused(exchange: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_arguments(["--exchange", exchange])

    assert stopped.value.code == 2
    assert "fake-hyperliquid" in capsys.readouterr().err  # the choices are named


def make(*arguments: str) -> str:
    """What make prints, as a make of its own: under `make test` the inherited MAKEFLAGS and MAKELEVEL would add
    make's "Entering/Leaving directory" lines."""
    executable = shutil.which("make")
    assert executable is not None
    environment = {
        name: value for name, value in os.environ.items() if name not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    }
    command = [executable, "--no-print-directory", *arguments]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, check=True).stdout


def test_make_run_passes_args_to_localdev_and_says_so() -> None:
    # -n: the command make would run, not run.
    assert "-m localdev --port 8080 --exchange fake-hyperliquid --auth" in make(
        "-n", "run", "PORT=8080", "ARGS=--exchange fake-hyperliquid --auth"
    )
    assert "-m localdev --port 3000 --auth" in make("-n", "run", "ARGS=--auth")
    assert make("-n", "run").split("-m localdev", 1)[1].split() == ["--port", "3000"]
    run_help = next(line for line in make("help").splitlines() if line.startswith("  run "))
    assert 'ARGS="--exchange fake-hyperliquid"' in run_help


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"fault": "timeout_next"}', FaultRequest("timeout_next", delay=2.5)),
        (b'{"fault": "timeout_next", "delay": 0.2}', FaultRequest("timeout_next", delay=0.2)),
        (b'{"fault": "drop_next"}', FaultRequest("drop_next")),
        (b'{"fault": "reject_next"}', FaultRequest("reject_next", reason=DEFAULT_REJECTION)),
        (b'{"fault": "reject_next", "reason": "Price too far"}', FaultRequest("reject_next", reason="Price too far")),
        (b'{"fault": "fail_next"}', FaultRequest("fail_next", status=500)),
        (b'{"fault": "fail_next", "status": 429}', FaultRequest("fail_next", status=429)),
    ],
)
def test_each_fault_is_read_with_its_defaults(body: bytes, expected: FaultRequest) -> None:
    assert parse_fault(body, default_delay=2.5) == expected


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (None, "JSON object"),
        (b"not json", "JSON object"),
        (b'["timeout_next"]', "JSON object"),
        (b"{}", "fault must be one of"),
        (b'{"fault": "explode_next"}', "fault must be one of"),
        (b'{"fault": "drop_next", "delay": 1}', "unknown: delay"),
        (b'{"fault": "timeout_next", "reason": "x"}', "unknown: reason"),
        (b'{"fault": "timeout_next", "delay": 0}', "delay must be more than 0"),
        (b'{"fault": "timeout_next", "delay": 61}', "at most 60"),
        (b'{"fault": "timeout_next", "delay": "3"}', "number of seconds"),
        (b'{"fault": "timeout_next", "delay": true}', "number of seconds"),
        (b'{"fault": "timeout_next", "delay": NaN}', "number of seconds"),
        (b'{"fault": "reject_next", "reason": ""}', "non-empty string"),
        (b'{"fault": "reject_next", "reason": 7}', "non-empty string"),
        (b'{"fault": "fail_next", "status": 200}', "400 to 599"),
        (b'{"fault": "fail_next", "status": "500"}', "400 to 599"),
    ],
)
def test_a_bad_fault_is_refused_saying_why(body: bytes | None, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_fault(body, default_delay=2.5)
