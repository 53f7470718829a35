"""`make run FRESH=1` and the saved state's options; the start message says which start it was."""

from __future__ import annotations

from pathlib import Path

from localdev.__main__ import parse_arguments
from localdev.banner import state_line
from localdev.persistence import DEFAULT_PATH, State
from localdev.template import ROOT
from tests.unit.test_local_venue_options import make


def test_the_state_is_kept_in_the_repository_s_git_ignored_local_folder() -> None:
    arguments = parse_arguments([])

    assert arguments.state == DEFAULT_PATH == ROOT / ".local" / "state.json"
    assert (arguments.fresh, arguments.no_state, arguments.save_seconds) == (False, False, 30)
    assert "/.local/" in (ROOT / ".gitignore").read_text().splitlines()


def test_make_run_fresh_passes_fresh() -> None:
    assert "-m localdev --port 3000 --fresh --auth" in make("-n", "run", "FRESH=1", "ARGS=--auth")
    assert make("-n", "run", "FRESH=0").split("-m localdev", 1)[1].split() == ["--port", "3000"]
    assert "FRESH=1" in next(line for line in make("help").splitlines() if line.startswith("  run "))


def test_the_start_message_says_which_start_it_was() -> None:
    state = Path("/somewhere/s.json")
    saved = State("2026-12-05T00:00:00Z", tables={"OrdersTable": [{"sk": {"S": "ORDER"}}, {"sk": {"S": "ACCOUNT"}}]})

    restored = state_line(parse_arguments(["--state", str(state)]), True, saved)
    fresh = state_line(parse_arguments(["--fresh", "--state", str(state)]), True, None)
    first = state_line(parse_arguments(["--state", str(state), "--save-seconds", "0"]), True, None)
    venue = state_line(parse_arguments(["--exchange", "fake-hyperliquid"]), False, None)
    off = state_line(parse_arguments(["--no-state", "--no-seed"]), False, None)

    assert restored.startswith(
        "State: restored 1 order, 1 account (2 items), 0 queued messages from /somewhere/s.json "
        "(saved at 2026-12-05T00:00:00Z)"
    )
    assert "every 30 s and at Ctrl-C/SIGTERM" in restored
    assert fresh.startswith("State: fresh start with the demo data (--fresh)")
    assert first.startswith("State: fresh start with the demo data (nothing saved at /somewhere/s.json yet)")
    assert "saved to /somewhere/s.json at Ctrl-C/SIGTERM" in first
    assert "neither saves nor restores (the stand-in venue starts empty each time" in venue
    assert off == "State: fresh start empty (--no-seed); nothing is saved (--no-state)."
