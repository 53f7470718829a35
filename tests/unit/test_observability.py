"""The metrics line each invocation ends with: the EMF document Powertools builds, as Powertools writes
it, once; nothing when metrics are off or none were recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from orders_common.observability import count, flush_metrics, measure, metrics


@pytest.fixture(autouse=True)
def _metrics_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


def record_a_fill() -> None:
    count("OrdersFilled")
    count("OrdersFilled")
    measure("FillNotional", 1234.5)


def printed_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_the_line_is_the_text_powertools_writes_for_the_same_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    # Given the same metrics recorded twice, at a fixed timestamp
    metrics.set_timestamp(1_796_000_000_000)
    record_a_fill()
    metrics.flush_metrics()  # Powertools' own
    record_a_fill()
    metrics.set_timestamp(1_796_000_000_000)

    # When the invocation ends
    flush_metrics()

    # Then both lines are the same text, and the document is the EMF CloudWatch reads
    powertools_line, ours = printed_lines(capsys)
    assert ours == powertools_line
    document = json.loads(ours)
    assert document["OrdersFilled"] == [1.0, 1.0]
    assert document["FillNotional"] == [1234.5]
    assert document["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Hyperoru"
    assert document["_aws"]["Timestamp"] == 1_796_000_000_000


def test_each_invocation_prints_its_own_metrics_once(capsys: pytest.CaptureFixture[str]) -> None:
    count("OrdersCreated")
    flush_metrics()
    count("OrdersCancelled")
    flush_metrics()
    flush_metrics()  # nothing recorded since: nothing printed

    first, second = (json.loads(line) for line in printed_lines(capsys))
    assert (first.get("OrdersCreated"), first.get("OrdersCancelled")) == ([1.0], None)
    assert (second.get("OrdersCreated"), second.get("OrdersCancelled")) == (None, [1.0])
    assert not metrics.metric_set


def test_disabled_metrics_are_dropped_not_kept(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    count("OrdersCreated")

    flush_metrics()

    assert printed_lines(capsys) == []
    assert not metrics.metric_set
