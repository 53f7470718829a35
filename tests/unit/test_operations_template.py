"""template.yaml's operations: the dashboard charts only metrics that AWS or the code emits, covers every
function, and every alarm notifies the one topic, says what to look at first and treats missing data on
purpose."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

from localdev.template import Template

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "common" / "orders_common"

# What AWS publishes, per namespace, that the dashboard and the alarms may name.
AWS_METRICS = {
    "AWS/ApiGateway": {"Count", "4xx", "5xx", "Latency", "IntegrationLatency", "DataProcessed"},
    "AWS/SQS": {
        "ApproximateNumberOfMessagesVisible",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateAgeOfOldestMessage",
        "NumberOfMessagesSent",
        "NumberOfMessagesReceived",
    },
    "AWS/Lambda": {"Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"},
    "AWS/DynamoDB": {
        "ThrottledRequests",
        "ReadThrottleEvents",
        "WriteThrottleEvents",
        "ConsumedReadCapacityUnits",
        "ConsumedWriteCapacityUnits",
    },
    "AWS/Events": {"Invocations", "FailedInvocations", "TriggeredRules"},
}
NAMESPACE = "Hyperoru"
METRIC_CALLS = {"count", "measure"}  # orders_common.observability


def emitted_metrics() -> set[str]:
    """Every metric name the layer passes to count(...) or measure(...) (both branches of a conditional)."""
    names: set[str] = set()
    for path in LAYER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
                continue
            if node.func.id in METRIC_CALLS:
                names |= _names(node.args[0])
    return names


def _names(expression: ast.expr) -> set[str]:
    """The names an argument can evaluate to: a string, or either branch of a conditional."""
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return {expression.value}
    if isinstance(expression, ast.IfExp):
        return _names(expression.body) | _names(expression.orelse)
    return set()


def substituted(template: Template, text: str) -> str:
    """A !Sub string with its placeholders filled: parameters by their defaults, the rest (logical ids,
    attributes, pseudo parameters, the Sub's own variables) by ``<name>``."""
    parameters = template.document["Parameters"]

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(parameters[name]["Default"]) if name in parameters else f"<{name}>"

    return re.sub(r"\$\{([^}!]+)\}", fill, text)


def dashboard(template: Template) -> dict[str, Any]:
    body = template.resources["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    text = body if isinstance(body, str) else body[0]
    parsed: dict[str, Any] = json.loads(substituted(template, text))
    return parsed


def charted(widget: dict[str, Any]) -> list[tuple[str, str]]:
    """(namespace, metric) of each line of a metric widget: rows with the "." and "..." shorthands
    resolved from the row before, and SEARCH expressions read for their namespace and metric name.
    Math over other lines (age / 60) names no metric of its own."""
    found: list[tuple[str, str]] = []
    previous: list[Any] = []
    for row in widget["properties"]["metrics"]:
        fields = [item for item in row if not isinstance(item, dict)]
        if not fields:
            expression = row[0]["expression"]
            if "SEARCH(" in expression:
                namespace = re.search(r"\{([^,}]+)", expression)
                metric = re.search(r'MetricName="([^"]+)"', expression)
                assert namespace and metric, f"a search that names no namespace or metric: {expression}"
                found.append((namespace.group(1), metric.group(1)))
            continue
        if fields[0] == "...":
            fields = previous[: len(previous) - len(fields) + 1] + fields[1:]
        else:
            fields = [previous[i] if value == "." else value for i, value in enumerate(fields)]
        previous = fields
        found.append((fields[0], fields[1]))
    return found


def unknown_metrics(lines: list[tuple[str, str]], emitted: set[str]) -> list[tuple[str, str]]:
    return [
        (namespace, metric)
        for namespace, metric in lines
        if not (metric in AWS_METRICS.get(namespace, set()) or (namespace == NAMESPACE and metric in emitted))
    ]


def alarms(template: Template) -> dict[str, dict[str, Any]]:
    return template.resources_of_type("AWS::CloudWatch::Alarm")


def alarm_metrics(alarm: dict[str, Any]) -> list[tuple[str, str]]:
    properties = alarm["Properties"]
    if "MetricName" in properties:
        return [(properties["Namespace"], properties["MetricName"])]
    return [
        (query["MetricStat"]["Metric"]["Namespace"], query["MetricStat"]["Metric"]["MetricName"])
        for query in properties["Metrics"]
        if "MetricStat" in query
    ]


def test_the_metrics_the_operations_read_are_emitted_by_the_code() -> None:
    assert emitted_metrics() >= {
        "OrdersCreated", "OrdersFilled", "OrdersPartiallyFilled", "OrdersRejected", "OrdersCancelled",
        "OrdersExpired", "OrdersAmended", "FillNotional", "PendingOrders", "OldestPendingAgeSeconds",
        "StuckExecutingOrders", "AuditMismatches",
    }  # fmt: skip


def test_every_dashboard_line_is_a_metric_aws_or_the_code_emits(template: Template) -> None:
    widgets = dashboard(template)["widgets"]
    lines = [line for widget in widgets if widget["type"] == "metric" for line in charted(widget)]

    assert len(lines) > 40
    assert unknown_metrics(lines, emitted_metrics()) == []


def test_a_metric_nobody_emits_is_caught() -> None:
    widget = {"properties": {"metrics": [
        ["Hyperoru", "OrdersFilled", "service", "orders"],
        [".", "OrdersTeleported", ".", "."],
        [{"expression": "SEARCH('{AWS/Lambda,FunctionName} MetricName=\"Erors\"', 'Sum', 60)"}],
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "q"],
        ["...", "dlq"],
    ]}}  # fmt: skip

    assert unknown_metrics(charted(widget), {"OrdersFilled"}) == [
        ("Hyperoru", "OrdersTeleported"),
        ("AWS/Lambda", "Erors"),
    ]


def test_every_alarm_watches_a_metric_aws_or_the_code_emits(template: Template) -> None:
    lines = [line for alarm in alarms(template).values() for line in alarm_metrics(alarm)]

    assert unknown_metrics(lines, emitted_metrics()) == []


def test_the_dashboard_is_the_stacks_and_charts_the_issues_figures(template: Template) -> None:
    properties = template.resources["OperationsDashboard"]["Properties"]
    lines = {
        line for widget in dashboard(template)["widgets"] if widget["type"] == "metric" for line in charted(widget)
    }

    assert properties["DashboardName"] == {"Fn::Sub": "${AWS::StackName}-orders"}
    assert lines >= {
        ("AWS/ApiGateway", "Count"), ("AWS/ApiGateway", "4xx"), ("AWS/ApiGateway", "5xx"),
        ("AWS/ApiGateway", "Latency"), ("Hyperoru", "OrdersCreated"), ("Hyperoru", "FillNotional"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"), ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
        ("AWS/Lambda", "Errors"), ("AWS/Lambda", "Duration"), ("AWS/Lambda", "Throttles"),
        ("AWS/Lambda", "ConcurrentExecutions"), ("AWS/DynamoDB", "ThrottledRequests"),
        ("AWS/DynamoDB", "ConsumedReadCapacityUnits"), ("AWS/DynamoDB", "ConsumedWriteCapacityUnits"),
        ("Hyperoru", "PendingOrders"), ("Hyperoru", "OldestPendingAgeSeconds"), ("Hyperoru", "AuditMismatches"),
    }  # fmt: skip
    # Per-route lines need the stage's detailed metrics (on by default, a parameter turns them off).
    route_settings = template.resources["OrdersApi"]["Properties"]["DefaultRouteSettings"]
    assert route_settings["DetailedMetricsEnabled"] == {"Fn::If": ["DetailedApiMetricsOn", True, False]}
    assert template.document["Parameters"]["DetailedApiMetrics"]["Default"] == "true"


@pytest.mark.parametrize("metric", ["Errors", "Throttles", "ConcurrentExecutions"])
def test_every_function_has_a_line_in_each_per_function_widget(template: Template, metric: str) -> None:
    functions = {spec.logical_id for spec in template.functions()}
    (widget,) = [
        w
        for w in dashboard(template)["widgets"]
        if w["type"] == "metric" and w["properties"]["title"].startswith(f"Lambda: {_words(metric)} per function")
    ]
    names = {row[-2] for row in widget["properties"]["metrics"]}

    assert {name.strip("<>") for name in names} == functions


def test_the_init_duration_widget_reads_every_functions_log_group(template: Template) -> None:
    functions = {spec.logical_id for spec in template.functions()}
    (widget,) = [w for w in dashboard(template)["widgets"] if w["type"] == "log"]
    query = widget["properties"]["query"]

    assert set(re.findall(r"SOURCE '<(\w+)LogGroup>'", query)) == functions
    assert "initDurationMs" in query  # the JSON log format's REPORT record (platform.report)


def test_every_alarm_notifies_the_topic_says_what_to_look_at_and_treats_missing_data_on_purpose(
    template: Template,
) -> None:
    found = alarms(template)

    assert set(found) >= {
        "ApiServerErrorsAlarm", "ExecutorErrorsAlarm", "ExecutionDeadLetterAlarm", "PublishEventsDeadLetterAlarm",
        "WebhookDeadLetterAlarm", "StalePendingOrderAlarm", "TableThrottlingAlarm", "AuditMismatchAlarm",
        "ScheduleNotRunningAlarm",
    }  # fmt: skip
    for name, alarm in found.items():
        properties = alarm["Properties"]
        description = properties["AlarmDescription"]
        text = description["Fn::Sub"] if isinstance(description, dict) else description
        assert "First:" in text, f"{name}: say what to look at first"
        assert properties["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert properties["OKActions"] == [{"Ref": "AlarmTopic"}], name
        assert properties["TreatMissingData"] in {"breaching", "notBreaching", "ignore", "missing"}, name


def test_the_schedule_alarm_treats_silence_as_the_failure(template: Template) -> None:
    alarm = template.resources["ScheduleNotRunningAlarm"]

    assert alarm["Condition"] == "ScheduleEnabled"
    assert alarm["Properties"]["TreatMissingData"] == "breaching"
    assert alarm["Properties"]["Dimensions"] == [{"Name": "RuleName", "Value": {"Ref": "ProcessAllFunctionSchedule"}}]


def test_the_alarm_email_is_subscribed_only_when_given(template: Template) -> None:
    subscription = template.resources["AlarmEmailSubscription"]

    assert template.document["Parameters"]["AlarmEmail"]["Default"] == ""
    assert subscription["Condition"] == "AlarmEmailGiven"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert set(template.document["Outputs"]) >= {"AlarmTopicArn", "DashboardName", "DashboardUrl"}


def _words(metric: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", metric).lower()
