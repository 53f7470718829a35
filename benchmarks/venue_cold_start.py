"""Cold start with the venue layer, for the functions it is attached to (those that execute or cancel orders).

Each fresh interpreter (`python -S`, the lean directory of `cold_start` plus the venue layer's packages, installed
for the host from layers/venue/requirements.txt as the layer's Makefile installs them) measures two things:

- import: the handler module imported and its clients built, as `cold_start` measures it;
- first use: what the first invocation adds before it can trade: the function's use case built, and with
  EXCHANGE=hyperliquid the venue client connected (`connect`: the venue layer put on sys.path, the SDK and
  eth-account imported, the secret read from Secrets Manager, the venue's listings fetched, the SDK's client
  built). The secret is in a moto server (its own process), the listings come from the local stand-in.

Modes, interleaved round by round: `paper` (EXCHANGE=paper, the venue layer attached: present but off sys.path, as
/opt/venue is on Lambda), `hyperliquid`, and `paper, layer on sys.path` (what the layer's packages would do to a
paper function if they were on sys.path, as /opt/python is). Medians; the baseline is boto3 and one DynamoDB client.
A paper function that imports anything from the venue layer fails the run.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3

from benchmarks.cold_start import CACHE, host_layer, lambda_environment
from benchmarks.common import arguments, median, print_table
from localdev.fake_hyperliquid_exchange import fake_hyperliquid_venue
from localdev.moto_server import moto_server_process
from localdev.stack import free_port
from localdev.template import ROOT, Template
from tests.support.venue_desk import AGENT
from tests.support.venue_secrets import USER, store_secret
from tools.bytecode import COMPILE

# The functions the venue layer is attached to, and the use case each builds on its first invocation.
USE_CASES = {
    "CreateOrderFunction": "create_order",
    "ExecuteOrderFunction": "execute_order",
    "ExecuteQueuedFunction": "execute_queued",
    "ProcessAllFunction": "process_all",
    "CancelOrderFunction": "cancel_order",
    "CancelAllOrdersFunction": "cancel_all",
    "CancelClientOrderFunction": "cancel_order",
}
SMALL = ("ExecuteOrderFunction", "CancelOrderFunction")
MODES = ("paper", "hyperliquid", "paper, layer on sys.path")

PROBE = """
import sys, time
started = time.perf_counter()
layer, function, use_case, mode, venue, secret = sys.argv[1:7]
sys.path.insert(0, layer)
if function == "-":
    import boto3
    boto3.client("dynamodb")
    print((time.perf_counter() - started) * 1000, "-")
    raise SystemExit
sys.path.insert(0, function)
if mode == "paper, layer on sys.path":
    sys.path.insert(2, venue)
import app
from orders_common.wiring import services
services().table
if use_case == "process_all":
    services().execution_queue.client
imported = time.perf_counter()
modules_imported = len(sys.modules)
getattr(services(), use_case)
built = time.perf_counter()
sdk = credentials = built
if mode == "hyperliquid":
    # connect's steps, one at a time so that each is timed; connect then finds them done (the modules loaded,
    # the secret in Powertools' cache) and fetches the listings, builds the SDK's client.
    from orders_common.exchange.hyperliquid_credentials import enable_venue_packages, read_credentials
    enable_venue_packages(venue)
    from eth_account import Account
    from hyperliquid.exchange import Exchange
    sdk = time.perf_counter()
    read_credentials(secret)
    credentials = time.perf_counter()
    services().venue.client
ready = time.perf_counter()
from_venue = sorted(name for name, module in sys.modules.items()
                    if (getattr(module, "__file__", None) or "").startswith(venue))
if mode == "paper" and from_venue:
    raise SystemExit(f"paper imported from the venue layer: {from_venue[:5]}")
milliseconds = [(imported - started), (built - imported), (sdk - built), (credentials - sdk), (ready - credentials)]
print(*(value * 1000 for value in milliseconds), modules_imported, len(sys.modules), ",".join(from_venue) or "-")
"""
PHASES = ("import", "use case", "SDK import", "secret", "meta + client")


def host_venue_layer() -> Path:
    """The venue layer's packages for the host's Python, as its Makefile installs them (pinned, --no-deps), compiled."""
    requirements_file = ROOT / "layers" / "venue" / "requirements.txt"
    requirements = requirements_file.read_text()
    target = CACHE / f"venue-layer-py{sys.version_info.major}{sys.version_info.minor}"
    stamp = target / ".complete"
    if not stamp.exists() or stamp.read_text() != requirements:
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
             "--no-warn-conflicts", "--no-deps", "--target", str(target), "-r", str(requirements_file)],
            check=True,
        )  # fmt: skip
        for leftover in ("bin", "docs", "newsfragments"):
            shutil.rmtree(target / leftover, ignore_errors=True)
        for tests in [path for path in target.rglob("tests") if path.is_dir()]:
            shutil.rmtree(tests, ignore_errors=True)
        subprocess.run([sys.executable, *COMPILE, str(target)], check=True, capture_output=True)  # noqa: S603
        stamp.write_text(requirements)
    return target


@contextmanager
def venue_environment() -> Iterator[dict[str, str]]:
    """The stand-in venue (in this process) and the venue's secret in a moto server: the variables that point a
    function at them with EXCHANGE=hyperliquid."""
    with moto_server_process(free_port()) as endpoint, fake_hyperliquid_venue({AGENT.address: USER}) as (url, _):
        secrets = boto3.client(
            "secretsmanager", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",  # noqa: S106 - the moto server's placeholders
        )  # fmt: skip
        yield {
            "HYPERLIQUID_SECRET_ARN": store_secret(secrets, "hyperliquid"),
            "HYPERLIQUID_API_URL": url,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": endpoint,
        }


class Probe:
    """Runs the probe in fresh interpreters; remembers what each mode loaded from the venue layer."""

    def __init__(self, layer: Path, venue: Path) -> None:
        self.layer, self.venue = str(layer), str(venue)
        self.script = Path(tempfile.mkdtemp()) / "probe.py"
        self.script.write_text(PROBE)
        self.loaded: dict[str, set[str]] = {}

    def run(self, function: str, use_case: str, mode: str, environment: dict[str, str]) -> list[float]:
        secret = environment.get("HYPERLIQUID_SECRET_ARN", "-")
        command = [sys.executable, "-S", str(self.script), self.layer, function, use_case, mode, self.venue, secret]
        output = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)  # noqa: S603
        if output.returncode != 0:
            raise RuntimeError(f"the probe failed ({function}, {mode}): {output.stderr[-2000:]}")
        *values, from_venue = output.stdout.split()
        self.loaded.setdefault(mode, set()).update(name for name in from_venue.split(",") if name != "-")
        return [float(value) for value in values]


def measure(
    probe: Probe, names: tuple[str, ...], folders: dict[str, str], runs: int, base: dict[str, str]
) -> tuple[list[float], dict[tuple[str, str], list[list[float]]]]:
    """The baseline's samples, and each (function, mode)'s: every mode of every function once per round."""
    baseline: list[float] = []
    samples: dict[tuple[str, str], list[list[float]]] = {}
    with venue_environment() as venue_variables:
        environments = {
            "paper": {**base, "EXCHANGE": "paper"},
            "hyperliquid": {**base, **venue_variables, "EXCHANGE": "hyperliquid"},
            "paper, layer on sys.path": {**base, "EXCHANGE": "paper"},
        }
        for round_number in range(runs):
            baseline.append(probe.run("-", "-", "-", base)[0])
            # Each round starts with another mode: none always runs first, or right after the baseline.
            modes = MODES[round_number % len(MODES) :] + MODES[: round_number % len(MODES)]
            for name in names:
                for mode in modes:
                    sample = probe.run(folders[name], USE_CASES[name], mode, environments[mode])
                    samples.setdefault((name, mode), []).append(sample)
    return baseline, samples


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--runs", type=int, default=None, help="rounds (default 15, small 5)")
    options = parser.parse_args()
    runs = options.runs or (5 if options.small else 15)
    template = Template.load()
    folders = {spec.logical_id: str(spec.code_uri) for spec in template.functions()}
    names = SMALL if options.small else tuple(USE_CASES)
    probe = Probe(host_layer(), host_venue_layer())
    base = {**lambda_environment(template), "PATH": os.environ.get("PATH", "")}
    baseline, samples = measure(probe, names, folders, runs, base)

    base_ms = median(baseline)
    rows = [("boto3 + DynamoDB client (baseline)", "", f"{base_ms:.0f} (1.00)", *[""] * 7)]
    figures = {}
    for name in names:
        paper_first_use = median([sample[1] for sample in samples[(name, "paper")]])
        for mode in MODES:
            taken = samples[(name, mode)]
            phases = [median([sample[index] for sample in taken]) for index in range(len(PHASES))]
            first_use = median([sum(sample[1 : len(PHASES)]) for sample in taken])
            modules = "/".join(
                str(round(median([sample[index] for sample in taken]))) for index in (len(PHASES), len(PHASES) + 1)
            )
            extra = f"{first_use - paper_first_use:+.0f}" if mode == "hyperliquid" else ""
            imported = f"{phases[0]:.0f} ({phases[0] / base_ms:.2f})"
            rows.append((name, mode, imported, *(f"{value:.1f}" for value in phases[1:]), f"{first_use:.0f}", extra,
                         modules))  # fmt: skip
            figures[f"{name} {mode}"] = {"phases_ms": dict(zip(PHASES, phases, strict=True)), "first_use_ms": first_use}
    print_table(
        f"Cold start with the venue layer, host Python {platform.python_version()}: median of {runs} interleaved "
        "rounds of fresh interpreters (ms)",
        ["function", "mode", "import (ratio)", *(f"{phase} ms" for phase in PHASES[1:]), "first use ms",
         "extra vs paper ms", "modules (import/end)"],
        rows,
    )  # fmt: skip
    for mode in MODES:
        loaded = sorted(probe.loaded.get(mode, ()))
        names_loaded = f" ({', '.join(loaded)})" if loaded and mode != "hyperliquid" else ""
        print(f"{mode}: {len(loaded)} modules loaded from the venue layer{names_loaded}")
    print(json.dumps({"runs": runs, "baseline_ms": base_ms, "figures": figures}))


if __name__ == "__main__":
    main()
