"""The ``sam local start-api`` and ``start-lambda`` processes, the ports they need, and the functions
invoked through start-lambda."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import boto3
from botocore.config import Config

from localdev.functions import LocalFunction
from localdev.sam_local import SamLocalError
from localdev.sam_local.build import sam_executable
from localdev.stack import AWS_LOCAL_ENVIRONMENT
from localdev.template import ROOT, FunctionSpec

STARTUP_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 60


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
