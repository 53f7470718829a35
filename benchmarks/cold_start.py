"""Cold start: for every function, the time a fresh interpreter takes to import its handler module and
build its clients, median of several runs, as a ratio to a fresh interpreter that only imports boto3
and creates one DynamoDB client. Target: every function <= 1.45x (stretch 1.3x).

The interpreters hold only what Lambda holds: the layer's packages (with bytecode, as `make build`
ships them) and boto3, never the development virtual environment (whose extra packages change boto3's
own import). Measured on the host's Python and, when Docker and the python3.13 Lambda image are
available, inside that image with the layer `sam build` makes for this machine's architecture.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import arguments, median, print_table
from localdev.template import ROOT, Template
from tools.bytecode import COMPILE, docker_can_run, lambda_image

CACHE = ROOT / ".cache" / "bench"
BOTO3 = "boto3==1.44.5"  # what the Lambda python3.13 runtime carries at the time of writing

PROBE = """
import os, sys, time
started = time.perf_counter()
layer, function = sys.argv[1], sys.argv[2]
sys.path.insert(0, layer)
if function == "-":
    import boto3
    boto3.client("dynamodb")
else:
    sys.path.insert(0, function)
    import app
    from orders_common.wiring import services
    services().table
    if sys.argv[3] == "queue":
        services().execution_queue.client
print((time.perf_counter() - started) * 1000)
"""


def lambda_environment(template: Template) -> dict[str, str]:
    """The functions' own environment as far as import-time behaviour goes."""
    variables = template.document["Globals"]["Function"]["Environment"]["Variables"]
    environment = {name: value for name, value in variables.items() if isinstance(value, str)}
    environment.update(
        AWS_LAMBDA_FUNCTION_NAME="cold-start-probe",
        TABLE_NAME="orders",
        EXECUTION_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/queue",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="x",
        AWS_SECRET_ACCESS_KEY="x",  # noqa: S106 - a placeholder: no request leaves the machine
    )
    return environment


def host_layer() -> Path:
    """The layer's packages and boto3 for the host's Python, compiled once (as shipped bytecode)."""
    version = f"{sys.version_info.major}{sys.version_info.minor}"
    target = CACHE / f"lean-py{version}"
    stamp = target / ".complete"
    requirements = (ROOT / "layers" / "common" / "requirements.txt").read_text()
    if not stamp.exists() or stamp.read_text() != requirements:
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
             "--no-warn-conflicts",
             "--target", str(target), "-r", str(ROOT / "layers" / "common" / "requirements.txt"), BOTO3],
            check=True,
        )  # fmt: skip
        subprocess.run([sys.executable, *COMPILE, str(target)], check=True, capture_output=True)  # noqa: S603
        stamp.write_text(requirements)
    shutil.rmtree(target / "orders_common", ignore_errors=True)
    shutil.copytree(ROOT / "layers" / "common" / "orders_common", target / "orders_common")
    subprocess.run([sys.executable, *COMPILE, str(target / "orders_common")], check=True)  # noqa: S603
    return target


def container_layer() -> Path:
    """`sam build` for this machine's architecture, with 3.13 bytecode compiled in the Lambda image."""
    architecture = "arm64" if platform.machine() in {"aarch64", "arm64"} else "x86_64"
    build = ROOT / ".aws-sam" / "build-bench"
    subprocess.run(  # noqa: S603
        # Not cached: SAM's cache does not know that LAMBDA_ARCHITECTURE changes the layer, and its
        # record of source hashes (.aws-sam/build.toml) is shared with `make build`, whose build would
        # make a stale cached layer look current.
        [str(Path(sys.executable).parent / "sam"), "build", "--build-dir", str(build), "--no-cached",
         "--parameter-overrides", f"Architecture={architecture}"],
        cwd=ROOT, check=True, capture_output=True, env={**os.environ, "LAMBDA_ARCHITECTURE": architecture},
    )  # fmt: skip
    layer = build / "CommonLayer" / "python"
    subprocess.run(  # noqa: S603
        ["docker", "run", "--rm", "--entrypoint", "python3", "-v", f"{layer}:/opt/python", lambda_image(),  # noqa: S607
         *COMPILE, "/opt/python"],
        check=True,
    )  # fmt: skip
    return layer


def measure(command: list[str], runs: int, environment: dict[str, str]) -> float:
    timings = []
    for _ in range(runs):
        output = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)  # noqa: S603
        timings.append(float(output.stdout.strip().splitlines()[-1]))
    return median(timings)


def run_all(
    label: str, command: list[str], layer: str, functions: dict[str, str], runs: int, environment: dict[str, str]
) -> list[tuple[str, str, str, str]]:
    baseline = measure([*command, layer, "-", "-"], runs, environment)
    rows = [(label, "boto3 + DynamoDB client (baseline)", f"{baseline:.0f}", "1.00")]
    for name, folder in functions.items():
        uses_queue = "queue" if name == "ProcessAllFunction" else "-"
        elapsed = measure([*command, layer, folder, uses_queue], runs, environment)
        ratio = elapsed / baseline
        rows.append((label, name, f"{elapsed:.0f}", f"{ratio:.2f}" + ("" if ratio <= 1.45 else "  (over 1.45)")))
    return rows


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--runs", type=int, default=None, help="runs per function (default 9, small 7)")
    parser.add_argument("--no-container", action="store_true", help="only the host's Python")
    options = parser.parse_args()
    runs = options.runs or (7 if options.small else 9)
    template = Template.load()
    environment = lambda_environment(template)
    functions = {spec.logical_id: str(spec.code_uri) for spec in template.functions()}
    probe = Path(tempfile.mkdtemp()) / "probe.py"
    probe.write_text(PROBE)

    layer = host_layer()
    host = {**environment, "PATH": os.environ.get("PATH", "")}
    rows = run_all(f"host Python {platform.python_version()}", [sys.executable, "-S", str(probe)], str(layer),
                   functions, runs, host)  # fmt: skip
    image = lambda_image()
    if options.no_container or not docker_can_run(image):
        print(f"(no container figures: Docker or {image} not available)")
    else:
        built = container_layer()
        mounts = ["-v", f"{built}:/opt/python:ro", "-v", f"{ROOT / 'functions'}:/functions:ro",
                  "-v", f"{probe.parent}:/probe:ro"]  # fmt: skip
        settings = [f"--env={name}={value}" for name, value in {**environment, "PYTHONPATH": "/var/runtime"}.items()]
        command = [
            "docker",
            "run",
            "--rm",
            "--entrypoint",
            "python3",
            *mounts,
            *settings,
            image,
            "-S",
            "/probe/probe.py",
        ]
        container_functions = {name: f"/functions/{Path(folder).name}" for name, folder in functions.items()}
        rows += run_all(
            f"Lambda image {image.split(':')[-1]}", command, "/opt/python", container_functions, runs, dict(os.environ)
        )
    print_table(
        f"Cold start: import + clients, median of {runs} fresh interpreters (ms)",
        ["where", "function", "ms", "ratio"],
        rows,
    )
    print(json.dumps({"runs": runs}))


if __name__ == "__main__":
    main()
