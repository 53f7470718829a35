"""``make sam-local``: the orders API through ``sam local start-api``, every function in a Lambda container.

It runs, in this order:

- the embedded moto server of ``make run`` (table, queues and demo accounts from ``template.yaml``);
- ``sam build`` for this machine's architecture into ``.aws-sam/local/build`` (deploy builds in
  ``.aws-sam/build`` stay arm64), and an env-vars file that points the functions at moto;
- ``sam local start-api`` (port 3000) and ``sam local start-lambda`` (port 3001);
- the SQS poller and the schedule of ``make run``, invoking the executor and process-all through
  ``start-lambda``.

Function containers sit on Docker's default bridge network whatever ``--docker-network`` says, so they
reach moto at an address of this machine on that bridge (docker0's gateway, e.g. 172.17.0.1), where
moto listens too; on Docker Desktop they use ``host.docker.internal``.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

import boto3
import yaml
from botocore.config import Config
from moto.server import ThreadedMotoServer

from localdev.functions import LocalFunction
from localdev.pipeline import Pipeline
from localdev.stack import AWS_LOCAL_ENVIRONMENT, LocalStack
from localdev.template import ROOT, TEMPLATE_PATH, FunctionSpec, Template

# Apart from the deploy build (.aws-sam/build, arm64): sam keeps its build graph (build.toml) beside
# the build directory and its cache by resource, so a shared parent would mix the two architectures.
LOCAL_DIR = ROOT / ".aws-sam" / "local"
BUILD_DIR = LOCAL_DIR / "build"
BUILT_TEMPLATE = BUILD_DIR / "template.yaml"
ENV_VARS_FILE = LOCAL_DIR / "env.json"

DEFAULT_API_PORT = 3000
DEFAULT_LAMBDA_PORT = 3001
DEFAULT_MOTO_PORT = 5005
STARTUP_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 60

_LAMBDA_ARCHITECTURES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}

_LOCAL_TEMPLATE_HEADER = """\
# Written by localdev/sam_local.py from sam build's template for sam local on this machine: the
# parameters default to the host's architecture and the local run's settings, and the variables of
# the env-vars file that the template does not declare are declared empty (sam local only sets
# declared variables). Do not deploy this file.
"""


class SamLocalError(Exception):
    """Something this machine lacks or refuses; the message says what to do."""


def host_architecture() -> str:
    """The Lambda architecture of this machine: containers run natively only on their own."""
    machine = platform.machine().lower()
    try:
        return _LAMBDA_ARCHITECTURES[machine]
    except KeyError:
        raise SamLocalError(f"Lambda has no architecture for this machine ({machine})") from None


def lambda_base_image(template: Template, architecture: str) -> str:
    """The image sam local runs the template's zip functions on, e.g. public.ecr.aws/lambda/python:3.13-x86_64."""
    runtime = str(template.document["Globals"]["Function"]["Runtime"])
    found = re.fullmatch(r"([a-z]+)([0-9.]+)", runtime)  # python3.13
    if found is None:
        raise SamLocalError(f"no Lambda base image known for runtime {runtime}")
    return f"public.ecr.aws/lambda/{found.group(1)}:{found.group(2)}-{architecture}"


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


# Build


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


# Docker


@dataclass(frozen=True)
class DockerHost:
    address: str  # how a function container reaches this machine
    local: bool  # whether it is one of this machine's addresses (moto must then listen on it too)


def _is_local_address(address: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, 0))
        except (OSError, UnicodeError):
            return False
    return True


def docker_client() -> Any:
    import docker  # the Docker SDK that the SAM CLI itself uses

    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except Exception as error:
        raise SamLocalError(
            f"Docker is not available ({error}); start it (on a CI machine: sudo scripts/lambda-image/dockerd.sh start)"
        ) from None
    return client


def docker_host(client: Any, override: str | None = None) -> DockerHost:
    if override:
        return DockerHost(override, _is_local_address(override))
    config = client.networks.get("bridge").attrs.get("IPAM", {}).get("Config") or [{}]
    gateway = str(config[0].get("Gateway", ""))
    if gateway and _is_local_address(gateway):
        return DockerHost(gateway, local=True)
    # Docker Desktop: the bridge lives in a VM; host.docker.internal reaches this machine's loopback.
    return DockerHost("host.docker.internal", local=False)


def image_is_present(client: Any, image: str) -> bool:
    import docker

    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    return True


# Ports


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As servers bind: a port whose last connections linger in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def wait_for_port(port: int, deadline: float, alive: Iterable[SamService] = ()) -> None:
    while True:
        for service in alive:
            service.check_running()
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        if time.monotonic() > deadline:
            raise SamLocalError(f"nothing answered on port {port} within {STARTUP_TIMEOUT_SECONDS} s")
        time.sleep(0.5)


# sam local processes


@dataclass
class SamService:
    """One ``sam local start-api`` or ``start-lambda`` process, in its own session so that Ctrl-C reaches
    only us and we stop it in order (it removes its warm containers when interrupted)."""

    name: str
    arguments: list[str]
    port: int
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    def start(self, environment: Mapping[str, str]) -> None:
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [sam_executable(), "local", self.name, *self.arguments],
            cwd=ROOT,
            env=dict(environment),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT if self._log else None,
            start_new_session=True,
        )

    def check_running(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            where = f"; its output is in {self.log_path}" if self.log_path else ""
            raise SamLocalError(f"sam local {self.name} exited with status {self.process.returncode}{where}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            for stop_signal, patience in (
                (signal.SIGINT, STOP_TIMEOUT_SECONDS),
                (signal.SIGTERM, 10),
                (signal.SIGKILL, 10),
            ):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, stop_signal)
                try:
                    process.wait(timeout=patience)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self._log is not None:
            self._log.close()
            self._log = None


class SamLambdaFunction(LocalFunction):
    """A template function invoked through ``sam local start-lambda``, in its Lambda container, for the
    pipeline's poller and schedule (which call ``invoke(event)`` as they would in process)."""

    def __init__(self, spec: FunctionSpec, endpoint: str) -> None:
        super().__init__(spec)
        self.client = boto3.client(
            "lambda",
            endpoint_url=endpoint,
            region_name=AWS_LOCAL_ENVIRONMENT["AWS_REGION"],
            aws_access_key_id=AWS_LOCAL_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=AWS_LOCAL_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
            # Room for a cold container on top of the function's timeout, and no retry: a second try of
            # a batch that timed out here may still be running there.
            config=Config(connect_timeout=5, read_timeout=spec.timeout + 120, retries={"total_max_attempts": 1}),
        )

    def invoke(self, event: dict[str, Any]) -> Any:
        response = self.client.invoke(FunctionName=self.spec.logical_id, Payload=json.dumps(event).encode())
        payload = response["Payload"].read()
        result = json.loads(payload) if payload else None
        if response.get("FunctionError"):
            raise SamLocalError(f"{self.spec.logical_id} failed in its container: {result}")
        return result


# The whole thing


@dataclass
class SamLocal:
    """moto + a host-architecture build + start-api + start-lambda + the pipeline, started and stopped together."""

    api_port: int = DEFAULT_API_PORT
    lambda_port: int = DEFAULT_LAMBDA_PORT
    moto_port: int = DEFAULT_MOTO_PORT
    host: str = "127.0.0.1"
    build_dir: Path = BUILD_DIR
    env_vars_file: Path = ENV_VARS_FILE
    overrides: Mapping[str, str] = field(default_factory=dict)
    docker_host_override: str | None = None
    schedule_seconds: float | None = None
    pipeline_enabled: bool = True
    build_enabled: bool = True
    log_dir: Path | None = None
    quiet: bool = False
    architecture: str = field(default_factory=host_architecture)
    stack: LocalStack | None = None
    services: list[SamService] = field(default_factory=list)
    pipeline: Pipeline | None = None
    docker: DockerHost | None = None
    _moto_on_bridge: ThreadedMotoServer | None = None

    @property
    def built_template(self) -> Path:
        return self.build_dir / "template.yaml"

    @property
    def function_endpoint(self) -> str:
        assert self.docker is not None
        return f"http://{self.docker.address}:{self.moto_port}"

    def taken_port(self) -> str | None:
        """The first port we need that something else holds, said for the user."""
        wanted = [
            (self.host, self.api_port, "--port"),
            ("127.0.0.1", self.lambda_port, "--lambda-port"),
            ("127.0.0.1", self.moto_port, "--moto-port"),
        ]
        for host, port, option in wanted:
            if not port_is_free(host, port):
                return f"Port {port} on {host} is already in use; stop what uses it or pass {option}."
        return None

    def start(self, say: Callable[[str], None] = print) -> None:
        base_environment = dict(os.environ)  # before LocalStack adds the functions' variables
        client = docker_client()
        self.stack = stack = LocalStack(moto_port=self.moto_port, overrides=self.overrides)
        template = stack.template  # with the local run's parameters (static prices, ...)
        image = lambda_base_image(template, self.architecture)
        if not image_is_present(client, image):
            say(
                f"warning: {image} is not on this machine; sam will try to pull it "
                "(offline: sudo scripts/lambda-image/build.sh builds a local stand-in)"
            )
        self.docker = docker_host(client, self.docker_host_override)
        if self.docker.local and not port_is_free(self.docker.address, self.moto_port):
            raise SamLocalError(f"Port {self.moto_port} on {self.docker.address} is already in use; pass --moto-port.")
        sam_env = sam_environment(base_environment)

        if self.build_enabled:
            log = self._open_log("build")
            try:
                seconds = build(self.architecture, self.build_dir, sam_env, log=log)
            finally:
                if log is not None:
                    log.close()
            say(f"sam build ({self.architecture}) in {seconds:.1f} s -> {self._shown(self.built_template)}")
        elif not self.built_template.exists():
            raise SamLocalError(f"{self.built_template} does not exist: run without --no-build once")

        stack.start()
        if self.docker.local:
            # A second listener on the bridge address, same in-process moto state, so that containers
            # reach it without any forwarding from docker0 to the host's loopback.
            self._moto_on_bridge = ThreadedMotoServer(
                ip_address=self.docker.address, port=self.moto_port, verbose=False
            )
            self._moto_on_bridge.start()

        variables = env_vars(stack.environment, self.function_endpoint)
        self.env_vars_file.parent.mkdir(parents=True, exist_ok=True)
        self.env_vars_file.write_text(json.dumps(variables, indent=2) + "\n", encoding="utf-8")
        parameters = {**template.parameter_overrides, "Architecture": self.architecture}
        write_local_template(self.built_template, parameters, variables["Parameters"])

        # Warm containers, each started on its function's first invocation (LAZY). EAGER starts them all
        # from parallel threads, and SAM CLI 1.148 then loses track of some of them (two threads each
        # create its runtime) and leaves them running after Ctrl-C.
        common = [
            *("--template-file", str(self.built_template), "--env-vars", str(self.env_vars_file)),
            *("--skip-pull-image", "--warm-containers", "LAZY"),
        ]
        self.services = [
            SamService(
                "start-api",
                [*common, "--host", self.host, "--port", str(self.api_port)],
                self.api_port,
                self._log_path("start-api"),
            ),
            SamService(
                "start-lambda",
                [*common, "--host", "127.0.0.1", "--port", str(self.lambda_port)],
                self.lambda_port,
                self._log_path("start-lambda"),
            ),
        ]
        for service in self.services:
            service.start(sam_env)
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        for service in self.services:
            wait_for_port(service.port, deadline, self.services)

        if self.pipeline_enabled:
            assert self.stack.resolver is not None
            endpoint = f"http://127.0.0.1:{self.lambda_port}"
            functions = {spec.logical_id: SamLambdaFunction(spec, endpoint) for spec in template.functions()}
            self.pipeline = Pipeline.from_template(
                template, self.stack.resolver, functions, schedule_seconds=self.schedule_seconds, quiet=self.quiet
            )
            self.pipeline.start()

    def check_running(self) -> None:
        for service in self.services:
            service.check_running()

    def stop(self) -> None:
        if self.pipeline is not None:
            self.pipeline.close()
            self.pipeline = None
        # Both at once: each takes a few seconds to remove its containers.
        stoppers = [threading.Thread(target=service.stop, name=f"stop-{service.name}") for service in self.services]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        self.services = []
        if self._moto_on_bridge is not None:
            self._moto_on_bridge.stop()
            self._moto_on_bridge = None
        if self.stack is not None:
            self.stack.stop()
            self.stack = None

    def describe(self) -> Iterator[str]:
        assert self.stack is not None
        assert self.docker is not None
        yield f"Orders API on http://{self.host}:{self.api_port} (sam local start-api, {self.architecture} containers)"
        for route in self.stack.template.http_routes():
            yield f"  {route.method:<5} {route.path:<40} -> {route.function}"
        yield f"sam local start-lambda on http://127.0.0.1:{self.lambda_port}"
        if self.pipeline is not None:
            for line in self.pipeline.describe():
                yield f"  {line} (through start-lambda)"
        yield f"moto on {self.stack.moto_endpoint}; functions reach it at {self.function_endpoint}"
        yield f"env-vars file {self._shown(self.env_vars_file)}, template {self._shown(self.built_template)}"
        if self.log_dir is not None:
            yield f"sam output in {self._shown(self.log_dir)}/"
        yield "Try: sam local invoke -e events/health.json HealthFunction (samconfig.toml supplies the flags)"
        yield "Demo: user 1 owns accounts 1 and 2, user 2 owns account 3. Ctrl-C stops."

    def _log_path(self, name: str) -> Path | None:
        return self.log_dir / f"{name}.log" if self.log_dir is not None else None

    def _open_log(self, name: str) -> IO[bytes] | None:
        path = self._log_path(name)
        if path is None:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("wb")

    @staticmethod
    def _shown(path: Path) -> str:
        return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m localdev.sam_local", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address start-api listens on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_API_PORT, help="start-api port (default 3000)")
    parser.add_argument("--lambda-port", type=int, default=DEFAULT_LAMBDA_PORT, help="start-lambda port (default 3001)")
    parser.add_argument("--moto-port", type=int, default=DEFAULT_MOTO_PORT, help="moto server port (default 5005)")
    parser.add_argument(
        "--env-vars-file", type=Path, default=ENV_VARS_FILE, help="where to write the env-vars file for sam local"
    )
    parser.add_argument(
        "--build-dir", type=Path, default=BUILD_DIR, help="sam build's output (default .aws-sam/local/build)"
    )
    parser.add_argument(
        "--set",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="override a function environment variable, e.g. --set POWERTOOLS_LOG_LEVEL=DEBUG",
    )
    parser.add_argument(
        "--docker-host-address", default=None, help="address containers reach this machine at (default: detected)"
    )
    parser.add_argument("--schedule-seconds", type=float, default=None, help="run the schedule this often instead")
    parser.add_argument("--no-pipeline", action="store_true", help="no SQS poller and no schedule")
    parser.add_argument("--no-build", action="store_true", help="reuse the last build in .aws-sam/local/build")
    parser.add_argument("--log-dir", type=Path, default=None, help="write sam's output there instead of the console")
    parser.add_argument("--quiet", action="store_true", help="do not log each queue batch and schedule run")
    return parser.parse_args(argv)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM stops as cleanly as Ctrl-C


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    sam_local = SamLocal(
        api_port=arguments.port,
        lambda_port=arguments.lambda_port,
        moto_port=arguments.moto_port,
        host=arguments.host,
        build_dir=arguments.build_dir.resolve(),
        env_vars_file=arguments.env_vars_file.resolve(),
        overrides=dict(item.split("=", 1) for item in arguments.set),
        docker_host_override=arguments.docker_host_address,
        schedule_seconds=arguments.schedule_seconds,
        pipeline_enabled=not arguments.no_pipeline,
        build_enabled=not arguments.no_build,
        log_dir=arguments.log_dir.resolve() if arguments.log_dir else None,
        quiet=arguments.quiet,
    )
    taken = sam_local.taken_port()
    if taken is not None:
        print(taken, file=sys.stderr)
        return 2

    # Ctrl-C and SIGTERM stop everything in order, even when started from a script that made this
    # process ignore SIGINT (as shells do for background jobs); the sam processes inherit the default.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    status = 0
    try:
        sam_local.start(say=lambda line: print(line, flush=True))
        for line in sam_local.describe():
            print(line, flush=True)
        while True:
            sam_local.check_running()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping (sam removes its containers)...", flush=True)
    except SamLocalError as error:
        print(f"sam-local: {error}", file=sys.stderr, flush=True)
        status = 1
    finally:
        # A second Ctrl-C would leave containers behind: stopping takes seconds, let it finish.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sam_local.stop()
    return status


if __name__ == "__main__":
    sys.exit(main())
