"""`make run` installs only what the local server needs, `make test` (and CI's `make venv`) everything; `make
help` shows the port, not make's variable."""

from __future__ import annotations

from pathlib import Path

from localdev.template import ROOT
from tests.unit.test_local_venue_options import make


def requirement_names(name: str) -> set[str]:
    lines = (ROOT / name).read_text().splitlines()
    return {
        line.split("==")[0].split("[")[0].split(">")[0].split("!")[0].strip().lower()
        for line in lines
        if line and line[0].isalpha()
    }


def test_make_run_installs_the_run_requirements_only_with_progress(tmp_path: Path) -> None:
    venv = tmp_path / "venv"  # never created: -n only prints what make would do

    planned = make("-n", "run", f"VENV={venv}")

    assert f"-m venv {venv}" in planned
    assert "-r requirements-run.txt" in planned
    assert "requirements-dev.txt" not in planned
    install = next(line for line in planned.splitlines() if "-r requirements-run.txt" in line)
    assert "--quiet" not in install
    assert "first run only" in planned  # says what is happening before pip starts
    assert planned.rstrip().endswith(f"{venv}/bin/python -m localdev --port 3000")


def test_make_test_and_ci_s_make_venv_install_everything(tmp_path: Path) -> None:
    venv = tmp_path / "venv"

    for target in ("test", "venv", "lint"):
        planned = make("-n", target, f"VENV={venv}")
        assert "-r requirements-dev.txt" in planned, target
        install = next(line for line in planned.splitlines() if "-r requirements-dev.txt" in line)
        assert "--quiet" not in install


def test_the_run_requirements_hold_no_development_tool_and_the_dev_ones_include_them() -> None:
    run = requirement_names("requirements-run.txt")
    dev = (ROOT / "requirements-dev.txt").read_text().splitlines()

    assert {"boto3", "moto", "pyyaml", "pyjwt", "eth-account", "hyperliquid-python-sdk"} <= run
    assert not run & {"aws-sam-cli", "mypy", "schemathesis", "pytest", "ruff", "hypothesis", "boto3-stubs"}
    assert "-r requirements-run.txt" in dev
    assert "-r layers/common/requirements.txt" in (ROOT / "requirements-run.txt").read_text().splitlines()


def test_make_help_shows_the_port_not_make_s_variable() -> None:
    shown = make("help")
    run = next(line for line in shown.splitlines() if line.startswith("  run "))

    assert "$(PORT)" not in shown
    assert "http://127.0.0.1:3000" in run
    assert "http://127.0.0.1:8080" in make("help", "PORT=8080")
