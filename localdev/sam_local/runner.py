"""moto, a host-architecture build, start-api, start-lambda and the pipeline, started and stopped together."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from moto.server import ThreadedMotoServer

from localdev.banner import demo_accounts
from localdev.pipeline import Pipeline
from localdev.sam_local import SamLocalError
from localdev.sam_local.build import (
    BUILD_DIR,
    ENV_VARS_FILE,
    build,
    env_vars,
    host_architecture,
    sam_environment,
    write_local_template,
)
from localdev.sam_local.docker_host import DockerHost, docker_client, docker_host, image_labels
from localdev.sam_local.images import STANDIN_REPOSITORY, choose_image, missing_image, python_version
from localdev.sam_local.processes import (
    STARTUP_TIMEOUT_SECONDS,
    SamLambdaFunction,
    SamService,
    port_is_free,
    wait_for_port,
)
from localdev.stack import LocalStack
from localdev.template import ROOT

DEFAULT_API_PORT = 3000
DEFAULT_LAMBDA_PORT = 3001
DEFAULT_MOTO_PORT = 5005


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
    lambda_image: str | None = None  # the image to run the functions on; default: chosen by images.choose_image
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
                hint = f"make sam-local PORT={port + 1} (or pass --port)" if option == "--port" else f"pass {option}"
                return f"Port {port} on {host} is already in use; stop what uses it, or {hint}."
        return None

    def start(self, say: Callable[[str], None] = print) -> None:
        base_environment = dict(os.environ)  # before LocalStack adds the functions' variables
        client = docker_client()
        self.stack = stack = LocalStack(moto_port=self.moto_port, overrides=self.overrides)
        template = stack.template  # with the local run's parameters (static prices, ...)
        self.lambda_image = self._image(client, str(template.document["Globals"]["Function"]["Runtime"]))
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
            *("--invoke-image", self.lambda_image, "--skip-pull-image", "--warm-containers", "LAZY"),
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
        assert self.lambda_image is not None
        yield f"Orders API on http://{self.host}:{self.api_port} (sam local start-api, {self.architecture} containers)"
        yield f"Lambda image {self.lambda_image}"
        for route in self.stack.template.http_routes():
            yield f"  {route.method:<5} {route.path:<40} -> {route.function}"
        yield f"sam local start-lambda on http://127.0.0.1:{self.lambda_port}"
        if self.pipeline is not None:
            for line in self.pipeline.describe():
                yield f"  {line} (through start-lambda)"
        yield f"moto on {self.stack.moto_endpoint}; functions reach it at {self.function_endpoint}"
        yield f"  ({self.docker.source})"
        yield f"env-vars file {self._shown(self.env_vars_file)}, template {self._shown(self.built_template)}"
        if self.log_dir is not None:
            yield f"sam output in {self._shown(self.log_dir)}/"
        # samconfig.toml names the stand-in: another image has to be said.
        image = "" if self.lambda_image.startswith(f"{STANDIN_REPOSITORY}:") else f" --invoke-image {self.lambda_image}"
        yield (
            f"Try: sam local invoke --config-env sam-local{image} -e events/health.json HealthFunction"
            " (samconfig.toml supplies the flags)"
        )
        yield f"Demo: {demo_accounts()}. Ctrl-C stops."

    def _image(self, client: Any, runtime: str) -> str:
        version = python_version(runtime)
        if self.lambda_image:
            if image_labels(client, self.lambda_image) is None:
                raise SamLocalError(f"{self.lambda_image} (--lambda-image) is not on this machine")
            return self.lambda_image
        chosen = choose_image(lambda image: image_labels(client, image), version, self.architecture)
        if chosen is None:
            raise SamLocalError(missing_image(version, self.architecture))
        return chosen

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
