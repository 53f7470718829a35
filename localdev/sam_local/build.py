"""``sam build`` for this machine's architecture, and the two files sam local reads from it: the
env-vars file that points the functions at moto, and the built template made runnable here."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import yaml

from localdev.sam_local import SamLocalError
from localdev.stack import AWS_LOCAL_ENVIRONMENT
from localdev.template import ROOT, TEMPLATE_PATH, Template

# Apart from the deploy build (.aws-sam/build, arm64): sam keeps its build graph (build.toml) beside
# the build directory and its cache by resource, so a shared parent would mix the two architectures.
LOCAL_DIR = ROOT / ".aws-sam" / "local"
BUILD_DIR = LOCAL_DIR / "build"
BUILT_TEMPLATE = BUILD_DIR / "template.yaml"
ENV_VARS_FILE = LOCAL_DIR / "env.json"

_LAMBDA_ARCHITECTURES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}

_LOCAL_TEMPLATE_HEADER = """\
# Written by localdev/sam_local/build.py from sam build's template for sam local on this machine: the
# parameters default to the host's architecture and the local run's settings, and the variables of
# the env-vars file that the template does not declare are declared empty (sam local only sets
# declared variables). Do not deploy this file.
"""


def host_architecture() -> str:
    """The Lambda architecture of this machine: containers run natively only on their own."""
    machine = platform.machine().lower()
    try:
        return _LAMBDA_ARCHITECTURES[machine]
    except KeyError:
        raise SamLocalError(f"Lambda has no architecture for this machine ({machine})") from None


def sam_executable() -> str:
    beside_python = Path(sys.executable).with_name("sam")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("sam")
    if found is None:
        raise SamLocalError("the SAM CLI is not installed: run `make venv`")
    return found


def sam_environment(base: Mapping[str, str]) -> dict[str, str]:
    """What the sam processes run with: the caller's environment without its AWS settings, and moto's
    dummy credentials. sam hands its credentials and region to every container; real ones have no
    business near moto."""
    environment = {name: value for name, value in base.items() if not name.startswith("AWS_")}
    environment.update(AWS_LOCAL_ENVIRONMENT)
    environment["SAM_CLI_TELEMETRY"] = "0"
    return environment


def build(architecture: str, build_dir: Path, environment: Mapping[str, str], *, log: IO[bytes] | None = None) -> float:
    """``sam build`` for ``architecture`` into ``build_dir`` (its cache beside it); the seconds it took."""
    started = time.monotonic()
    command = [
        *(sam_executable(), "build", "--template-file", str(TEMPLATE_PATH)),
        *("--build-dir", str(build_dir), "--cache-dir", str(build_dir.parent / "cache")),
        *("--parameter-overrides", f"Architecture={architecture}"),
    ]
    # The layer's Makefile picks its wheels' platform from LAMBDA_ARCHITECTURE.
    result = subprocess.run(  # noqa: S603 - our own command line
        command,
        cwd=ROOT,
        env={**environment, "LAMBDA_ARCHITECTURE": architecture},
        stdout=log if log is not None else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
    )
    if result.returncode != 0:
        output = result.stdout.decode(errors="replace") if result.stdout else f"(see {getattr(log, 'name', 'the log')})"
        raise SamLocalError(f"sam build failed:\n{output}")
    return time.monotonic() - started


def declared_variables(document: Mapping[str, Any]) -> set[str]:
    """Every environment variable the template declares, in Globals or on a function."""
    declared = set(document.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
    for resource in document["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            declared |= set(resource.get("Properties", {}).get("Environment", {}).get("Variables", {}))
    return declared


def write_local_template(path: Path, parameters: Mapping[str, str], variables: Iterable[str]) -> None:
    """Make sam build's template runnable here: ``parameters`` as defaults (the host's architecture,
    the local run's settings) and ``variables`` declared. sam local only overrides variables a function
    declares and drops the others, so AWS_ENDPOINT_URL would never reach the functions otherwise."""
    document = Template.load(path).document
    for name, value in parameters.items():
        if name in document.get("Parameters", {}):
            document["Parameters"][name]["Default"] = value
    missing = sorted(set(variables) - declared_variables(document))
    environment = document.setdefault("Globals", {}).setdefault("Function", {}).setdefault("Environment", {})
    environment.setdefault("Variables", {}).update(dict.fromkeys(missing, ""))
    text = _LOCAL_TEMPLATE_HEADER + yaml.safe_dump(document, sort_keys=False)
    # Another sam-local may be serving from this build: never let it read half a template.
    if path.read_text(encoding="utf-8") != text:
        staged = path.with_name(f".{path.name}.{os.getpid()}")
        staged.write_text(text, encoding="utf-8")
        staged.replace(path)


def env_vars(function_environment: Mapping[str, str], endpoint: str) -> dict[str, dict[str, str]]:
    """The env-vars file (``sam local ... --env-vars``): the same values for every function ("Parameters")."""
    return {"Parameters": {**function_environment, **AWS_LOCAL_ENVIRONMENT, "AWS_ENDPOINT_URL": endpoint}}
