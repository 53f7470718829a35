"""The README's API examples, run in order against a fresh `make run ARGS="--no-state --no-schedule"`, answer
what the README shows (times, request ids, entry ids and paging tokens aside)."""

from __future__ import annotations

import pytest

from tools.readme_examples import README, local_server, refreshed, steps

pytestmark = pytest.mark.e2e


def test_every_example_answers_what_the_readme_shows() -> None:
    text = README.read_text()

    with local_server() as base:
        _, differences = refreshed(text, base)

    assert not differences, (
        "The README's examples answer otherwise now; if the change is intended, run "
        "`python -m tools.readme_examples --write` and review the diff.\n\n" + "\n\n".join(differences)
    )


def test_the_examples_take_ids_from_answers_and_hold_no_placeholders() -> None:
    commands = [step.command for step in steps(README.read_text())]

    assert len(commands) > 30
    assert all("<" not in command.replace("< headers.txt", "") for command in commands)
    # No order, account or paging id is written into a URL: each comes from an earlier answer.
    paths = [line for command in commands for line in command.split("\n") if "/api/orders/order/" in line]
    assert paths and all("/api/orders/order/$" in line for line in paths)
    assert any("next_token=$NEXT" in command for command in commands)
