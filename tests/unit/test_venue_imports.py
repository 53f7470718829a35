"""The venue layer stays inert unless the venue is used: importing every module of the common layer, the venue
client's included, loads nothing of the SDK and its dependencies and leaves /opt/venue off sys.path. With
EXCHANGE=paper the executing functions must import exactly what they did before (README, The venue)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from localdev.template import ROOT

# The venue layer's top-level packages the common layer must not load by being imported (requests: the
# SDK's HTTP client, whose certifi botocore would pick up).
VENUE_PACKAGES = ("hyperliquid", "eth_account", "eth_keys", "eth_utils", "requests", "websocket", "msgpack")

PROBE = """
import importlib, json, pkgutil, sys
import orders_common
names = sorted(info.name for info in pkgutil.walk_packages(orders_common.__path__, "orders_common."))
for name in names:
    importlib.import_module(name)
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1].split(",")))
print(json.dumps({"modules": names, "loaded": loaded, "venue_on_path": "/opt/venue" in sys.path}))
"""


def test_importing_the_common_layer_loads_nothing_of_the_venue() -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "layers" / "common"), str(ROOT)])
    output = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(VENUE_PACKAGES)],
        env=env, capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    result = json.loads(output.stdout.strip().splitlines()[-1])

    # The probe did import the venue client's modules (and they are importable from this checkout) ...
    assert {
        "orders_common.exchange.hyperliquid_venue",
        "orders_common.exchange.hyperliquid_credentials",
        "orders_common.exchange.hyperliquid_answers",
        "orders_common.exchange.hyperliquid_rules",
    } <= set(result["modules"])
    # ... and the SDK, installed in this interpreter, was not loaded by them.
    assert result["loaded"] == []
    assert result["venue_on_path"] is False
