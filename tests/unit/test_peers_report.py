"""The peers benchmark's paired comparison: the project's warm median over the minimal Chalice's, round
by round (candidates of one round run within seconds of each other)."""

from __future__ import annotations

import pytest

from benchmarks.peers import Interpreter, Result, print_paired


def test_each_round_compares_the_project_with_chalice_in_that_round(capsys: pytest.CaptureFixture[str]) -> None:
    # Given three rounds, the machine slower in the second: the project 2 % below, 4 % above, 2 % below Chalice
    results = {
        ("get", "project order_details"): Result(round_medians=[490.0, 624.0, 500.0]),
        ("get", "AWS Chalice"): Result(round_medians=[500.0, 600.0, 510.0]),
        ("create", "project create_order"): Result(round_medians=[900.0, 1000.0, 1100.0]),
        ("create", "AWS Chalice"): Result(round_medians=[1000.0, 1000.0, 1000.0]),
    }

    # When the paired table is printed
    print_paired(Interpreter("host"), results)

    # Then each function's row has the median, lowest and highest ratio and the rounds at or below
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("| order", "| create"))]
    rows = {line.split("|")[1].strip(): [cell.strip() for cell in line.split("|")[2:6]] for line in lines}
    assert rows == {
        "order_details": ["0.980", "0.980", "1.040", "2 of 3"],
        "create_order": ["1.000", "0.900", "1.100", "2 of 3"],
    }
