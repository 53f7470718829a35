"""The metrics line each invocation ends with: the EMF document Powertools builds, as Powertools writes
it, once; nothing when metrics are off or none were recorded. The metrics are recorded without
Powertools' per-call checks, so the names the code records are held to CloudWatch's rules here."""

from __future__ import annotations

import ast
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aws_lambda_powertools.metrics import MetricUnit

from orders_common.observability import count, flush_metrics, measure, metrics, recorded_metrics

LAYER = Path(__file__).resolve().parents[2] / "layers" / "common" / "orders_common"


@pytest.fixture(autouse=True)
def _metrics_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    metrics.clear_metrics()
    recorded_metrics().clear()
    yield
    metrics.clear_metrics()
    metrics.provider.timestamp = None  # a timestamp set stays for every later document
    recorded_metrics().clear()


def record_a_fill() -> None:
    count("OrdersFilled")
    count("OrdersFilled")
    measure("FillNotional", 1234.5)


def printed_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_the_line_is_the_text_powertools_writes_for_the_same_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    # Given the same metrics recorded by Powertools' own add_metric and by the desk's, at a fixed timestamp
    metrics.set_timestamp(1_796_000_000_000)
    metrics.add_metric(name="OrdersFilled", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="OrdersFilled", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="FillNotional", unit=MetricUnit.NoUnit, value=1234.5)
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


def powertools_line(capsys: pytest.CaptureFixture[str], recorded: list[tuple[str, MetricUnit, float]]) -> str:
    """The line Powertools' own ``add_metric`` and ``flush_metrics`` print for ``recorded``."""
    for name, unit, value in recorded:
        metrics.add_metric(name=name, unit=unit, value=value)
    metrics.flush_metrics()
    (line,) = printed_lines(capsys)
    return line


@pytest.mark.parametrize(
    "invocations",
    [
        [[("OrdersCreated", MetricUnit.Count, 1)]] * 3,
        [
            [("OrdersFilled", MetricUnit.Count, 1), ("FillNotional", MetricUnit.NoUnit, 0.1)],
            [("FillNotional", MetricUnit.NoUnit, 7), ("OrdersFilled", MetricUnit.Count, 1)],
            [("OrdersFilled", MetricUnit.Count, 1), ("FillNotional", MetricUnit.NoUnit, 250.75)],
            [("PendingOrders", MetricUnit.NoUnit, 3), ("OldestPendingAgeSeconds", MetricUnit.Seconds, 61.5)],
        ],
    ],
)
def test_each_invocations_line_is_powertools_text_for_its_own_metrics_and_time(
    capsys: pytest.CaptureFixture[str], invocations: list[list[tuple[str, MetricUnit, float]]]
) -> None:
    # Given invocations that record the same set of metrics again (its line written once and kept)
    # or another set, or the same metrics in another order, each at its own timestamp
    for number, recorded in enumerate(invocations):
        metrics.set_timestamp(1_796_000_000_000 + number * 1000)
        expected = powertools_line(capsys, recorded)
        metrics.set_timestamp(1_796_000_000_000 + number * 1000)
        for name, unit, value in recorded:
            (count if unit is MetricUnit.Count else measure)(name, value, *([] if unit is MetricUnit.Count else [unit]))

        # When the invocation ends
        flush_metrics()

        # Then it prints what Powertools prints for them: its own values at its own time
        assert printed_lines(capsys) == [expected]


def test_a_line_without_a_set_timestamp_is_stamped_with_the_time_of_the_flush(
    capsys: pytest.CaptureFixture[str],
) -> None:
    count("OrdersCreated")
    count("OrdersCreated")  # the set's line is kept from an earlier invocation: its time is not
    flush_metrics()
    before = int(time.time() * 1000)
    count("OrdersCreated")

    flush_metrics()

    after = int(time.time() * 1000)
    (line,) = printed_lines(capsys)[1:]
    assert before <= json.loads(line)["_aws"]["Timestamp"] <= after
    assert json.loads(line)["OrdersCreated"] == [1.0]


def test_dimensions_and_metadata_added_to_powertools_metrics_are_in_the_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a line kept for a set of metrics, and then a dimension and metadata added to the metrics
    count("OrdersCreated")
    flush_metrics()
    printed_lines(capsys)
    metrics.add_dimension(name="environment", value="prod\u00e9")
    metrics.add_metadata(key="region", value="eu-west-1")
    metrics.set_timestamp(1_796_000_000_000)
    expected = powertools_line(capsys, [("OrdersCreated", MetricUnit.Count, 1)])
    metrics.add_dimension(name="environment", value="prod\u00e9")
    metrics.add_metadata(key="region", value="eu-west-1")
    metrics.set_timestamp(1_796_000_000_000)
    count("OrdersCreated")

    # When the invocation ends
    flush_metrics()

    # Then its line is Powertools' text with them
    assert printed_lines(capsys) == [expected]
    assert json.loads(expected)["environment"] == "prod\u00e9"


def test_each_invocation_prints_its_own_metrics_once(capsys: pytest.CaptureFixture[str]) -> None:
    count("OrdersCreated")
    flush_metrics()
    count("OrdersCancelled")
    flush_metrics()
    flush_metrics()  # nothing recorded since: nothing printed

    first, second = (json.loads(line) for line in printed_lines(capsys))
    assert (first.get("OrdersCreated"), first.get("OrdersCancelled")) == ([1.0], None)
    assert (second.get("OrdersCreated"), second.get("OrdersCancelled")) == (None, [1.0])
    assert not recorded_metrics()


def test_disabled_metrics_are_dropped_not_kept(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    count("OrdersCreated")

    flush_metrics()

    assert printed_lines(capsys) == []
    assert not recorded_metrics()


def test_a_hundredth_value_is_published_at_once_as_powertools_does(capsys: pytest.CaptureFixture[str]) -> None:
    # Given Powertools' own metrics publishing 150 values of one metric, and then the desk's
    for _ in range(150):
        metrics.add_metric(name="OrdersCancelled", unit=MetricUnit.Count, value=1)
    metrics.flush_metrics()
    powertools_lines = printed_lines(capsys)

    # When the desk records as many in one invocation
    for _ in range(150):
        count("OrdersCancelled")
    flush_metrics()

    # Then both wrote a document of 100 values (EMF's limit) as the hundredth came, then one of the rest
    ours = printed_lines(capsys)
    assert [len(json.loads(line)["OrdersCancelled"]) for line in ours] == [100, 50]
    assert [len(json.loads(line)["OrdersCancelled"]) for line in powertools_lines] == [100, 50]


def metric_names(node: ast.expr) -> list[str]:
    """The names a metric call's first argument can take: a literal, or either branch of a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return metric_names(node.body) + metric_names(node.orelse)
    raise AssertionError(f"a metric is recorded under a computed name: {ast.unparse(node)}")


def test_every_metric_the_desk_records_has_a_name_cloudwatch_takes() -> None:
    # Given every metric the layer's code records (a call of count or measure)
    names = set()
    for path in LAYER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("count", "measure"):
                names.update(metric_names(node.args[0]))

    # Then each name is 1 to 255 ASCII characters, without a leading colon (CloudWatch's rules)
    assert {"OrdersCreated", "OrdersFilled", "Deposits", "Withdrawals", "FillNotional", "PendingOrders"} <= names
    for name in names:
        assert 1 <= len(name) <= 255 and name.isascii() and not name.startswith(":"), name


def test_a_dimension_holding_the_lines_own_mark_is_still_written_as_powertools_writes_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a dimension whose text is the mark the kept line is cut at (never one of the desk's)
    metrics.add_dimension(name="odd", value="\x00emf-gap\x00")
    metrics.set_timestamp(1_796_000_000_000)
    expected = powertools_line(capsys, [("OrdersCreated", MetricUnit.Count, 1)])
    metrics.add_dimension(name="odd", value="\x00emf-gap\x00")
    metrics.set_timestamp(1_796_000_000_000)
    count("OrdersCreated")

    # When the invocation ends
    flush_metrics()

    # Then the line is written whole, Powertools' text, rather than the invocation failing
    assert printed_lines(capsys) == [expected]
