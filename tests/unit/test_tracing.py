"""X-Ray tracing is a template parameter (``Tracing``, off by default), and off it costs nothing: a handler
imported and invoked with tracing off never loads the X-Ray SDK nor our tracing module (README,
Configuration; BENCHMARKS.md section 1). On, the handler runs inside Powertools' Tracer."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from localdev.template import ROOT, Template

# A fresh interpreter per case: import the handler, invoke it once (the store is unreachable: health then
# answers 503 in a moment, which is all the invocation needs), list what got imported.
PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import app
class Context:
    function_name = "probe"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:probe"
    aws_request_id = "probe-1"
    def get_remaining_time_in_millis(self):
        return 3000
imported_before = sorted(sys.modules)
event = json.load(open(sys.argv[2]))
status = app.lambda_handler(event, Context()).get("statusCode")
print(json.dumps({"before": imported_before, "after": sorted(sys.modules), "status": status}))
"""

TRACING_MODULES = ("aws_xray_sdk", "wrapt", "orders_common.tracing")


def run_probe(function: str, event: str, **environment: str) -> dict[str, object]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "POWERTOOLS_"))}
    env.update(
        PYTHONPATH=str(ROOT / "layers" / "common"),
        TABLE_NAME="orders",
        AUTH_ENABLED="false",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="x",
        AWS_SECRET_ACCESS_KEY="x",  # a placeholder: nothing leaves the machine
        AWS_ENDPOINT_URL="http://127.0.0.1:9",  # refused at once
        AWS_LAMBDA_FUNCTION_NAME="probe",
        POWERTOOLS_METRICS_DISABLED="true",
        **environment,
    )
    output = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "functions" / function), str(ROOT / "events" / event)],
        env=env, capture_output=True, text=True, check=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    result: dict[str, object] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def tracing_loaded(modules: object) -> list[str]:
    assert isinstance(modules, list)
    return [name for name in modules if name.startswith(TRACING_MODULES)]


@pytest.mark.parametrize(
    "environment",
    [{"POWERTOOLS_TRACE_DISABLED": "true"}, {}],  # the template's Tracing=Disabled, and no variable at all
    ids=["Tracing=Disabled", "no variable"],
)
def test_with_tracing_off_a_handler_never_imports_the_tracer_or_the_xray_sdk(environment: dict[str, str]) -> None:
    result = run_probe("health", "health.json", **environment)

    assert result["status"] == 503  # it ran: the unreachable store answered unhealthy
    assert tracing_loaded(result["before"]) == []
    assert tracing_loaded(result["after"]) == []
    # Powertools' own package __init__ imports its Tracer class (never the X-Ray SDK): as before this change.
    assert "aws_lambda_powertools.tracing.tracer" in result["before"]  # type: ignore[operator]


def test_with_tracing_on_the_handler_runs_inside_the_tracer() -> None:
    result = run_probe("health", "health.json", POWERTOOLS_TRACE_DISABLED="false")

    assert result["status"] == 503
    assert tracing_loaded(result["before"]) == []  # importing the handler still loads nothing of it
    assert {"orders_common.tracing", "aws_xray_sdk.core"} <= set(tracing_loaded(result["after"]))


def test_the_template_parameter_sets_globals_tracing_and_the_variable() -> None:
    template = Template.load()
    parameter = template.document["Parameters"]["Tracing"]
    globals_ = template.document["Globals"]["Function"]

    assert (parameter["Default"], parameter["AllowedValues"]) == ("Disabled", ["Disabled", "Active"])
    assert globals_["Tracing"] == {"Ref": "Tracing"}
    assert globals_["Environment"]["Variables"]["POWERTOOLS_TRACE_DISABLED"] == {
        "Fn::If": ["TracingOn", "false", "true"]
    }
    assert template.document["Conditions"]["TracingOn"] == {"Fn::Equals": [{"Ref": "Tracing"}, "Active"]}
    # API Gateway HTTP APIs have no X-Ray tracing (only REST APIs do): nothing to switch on there.
    assert "TracingEnabled" not in template.resources["OrdersApi"]["Properties"]
