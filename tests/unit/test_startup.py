"""The collector is paused while a Lambda container starts and back, with startup objects frozen, once
the first invocation has finished. Each case runs in a fresh interpreter: the collector is process-wide."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from localdev.template import ROOT

PROBE = """
import gc, json
import orders_common
from orders_common.batch import lambda_batch_handler
from localdev.functions import LambdaContext

states = {"after_import": gc.isenabled()}
handler = lambda_batch_handler(lambda event, context: {"batchItemFailures": []})
context = LambdaContext("ExecuteQueuedFunction", 256, 30)
handler({"Records": []}, context)
states["after_first_invocation"] = gc.isenabled()
states["frozen_objects"] = gc.get_freeze_count()
handler({"Records": []}, context)
states["after_second_invocation"] = gc.isenabled()
print(json.dumps(states))
"""


def run_probe(**environment: str) -> dict[str, object]:
    env = {key: value for key, value in os.environ.items() if key not in {"AWS_LAMBDA_FUNCTION_NAME", "PYTHONPATH"}}
    env.update(environment, PYTHONPATH=os.pathsep.join([str(ROOT / "layers" / "common"), str(ROOT)]))
    output = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def test_on_lambda_the_collector_waits_for_the_end_of_the_first_invocation() -> None:
    # Given a Lambda environment, When the layer loads and the first invocation ends
    states = run_probe(AWS_LAMBDA_FUNCTION_NAME="orders-execute-queued")

    # Then the collector was off during startup, and is on (with startup objects frozen) afterwards
    assert states["after_import"] is False
    assert states["after_first_invocation"] is True
    assert isinstance(states["frozen_objects"], int) and states["frozen_objects"] > 10_000
    assert states["after_second_invocation"] is True


def test_outside_lambda_the_collector_is_left_alone() -> None:
    states = run_probe()

    assert states == {
        "after_import": True,
        "after_first_invocation": True,
        "frozen_objects": 0,
        "after_second_invocation": True,
    }
