"""Fixtures of the sam local tests: every function in its Lambda container, through the SAM CLI.

They need a Docker daemon and the Lambda base image (the real one, or the offline stand-in of
scripts/lambda-image/build.sh). Without them the tests are skipped, loudly; with
HYPERORU_REQUIRE_DOCKER_TESTS=1 (as .ci/run sets) they fail instead, and so does any other skip of a
sam local test, so CI cannot pass without running every one of them.

One ``make sam-local`` process serves the whole session (one build, one moto server, start-api and
start-lambda); each test that needs a known state resets moto and seeds the demo accounts again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from localdev.demo import seed_demo_accounts
from localdev.functions import LocalFunction
from localdev.resources import create_resources, function_environment
from localdev.routing import Router
from localdev.sam_local import SamLocalError
from localdev.sam_local.build import host_architecture, sam_environment, sam_executable
from localdev.sam_local.docker_host import docker_client, image_labels
from localdev.sam_local.images import choose_image, missing_image, python_version
from localdev.stack import LOCAL_DEFAULTS, free_port
from localdev.template import ROOT, Template
from orders_common.wiring import reset_services, services
from tests.support.stack import Deployed

REQUIRE_DOCKER = "HYPERORU_REQUIRE_DOCKER_TESTS"
NOT_RUN = "sam local tests did not run"
READY_LINE = "Ctrl-C stops."
STARTUP_TIMEOUT_SECONDS = 240


def unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_DOCKER) == "1":
        pytest.fail(f"{reason}; {NOT_RUN} and {REQUIRE_DOCKER}=1 requires them", pytrace=False)
    pytest.skip(f"SKIPPED: {reason}; {NOT_RUN}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Required means run: under HYPERORU_REQUIRE_DOCKER_TESTS=1 a sam local test that skips, for
    whatever reason (its own skip, a fixture's, a skip mark), fails instead."""
    report: pytest.TestReport = yield
    if os.environ.get(REQUIRE_DOCKER) == "1" and report.skipped and item.get_closest_marker("docker"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} skipped ({reason}); {NOT_RUN} and {REQUIRE_DOCKER}=1 requires them"
    return report


@pytest.fixture(scope="session")
def lambda_image(template: Template) -> str:
    """The image sam-local chooses here: the real Lambda Python image if present, else the stand-in."""
    try:
        client = docker_client()
    except SamLocalError as error:
        unavailable(str(error))
    version = python_version(str(template.document["Globals"]["Function"]["Runtime"]))
    image = choose_image(lambda name: image_labels(client, name), version, host_architecture())
    if image is None:
        unavailable(missing_image(version, host_architecture()))
    return image


@dataclass
class SamLocalProcess:
    """A running ``python -m localdev.sam_local`` (what ``make sam-local`` runs) on free ports."""

    process: subprocess.Popen[bytes]
    api_port: int
    lambda_port: int
    moto_port: int
    build_dir: Path
    env_vars_file: Path
    output: Path
    image: str  # the Lambda image the functions run on

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def lambda_url(self) -> str:
        return f"http://127.0.0.1:{self.lambda_port}"

    @property
    def moto_url(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    @property
    def built_template(self) -> Path:
        return self.build_dir / "template.yaml"

    @property
    def function_variables(self) -> dict[str, str]:
        """What the functions run with (the env-vars file)."""
        variables: dict[str, str] = json.loads(self.env_vars_file.read_text())["Parameters"]
        return variables

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while READY_LINE not in self.text():
            if self.process.poll() is not None:
                raise AssertionError(f"sam-local exited with {self.process.returncode}:\n{self.text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"sam-local not ready after {STARTUP_TIMEOUT_SECONDS} s:\n{self.text()}")
            time.sleep(0.3)

    def interrupt(self, timeout: float = 120) -> int:
        """Ctrl-C, as a developer stops ``make sam-local``; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def start_sam_local(directory: Path, build_dir: Path, image: str, *options: str) -> SamLocalProcess:
    """Start sam-local on free ports and ``image``, with its env-vars file, output and logs in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    api_port, lambda_port, moto_port = free_port(), free_port(), free_port()
    env_vars_file = directory / "env.json"
    output = directory / "sam-local.out"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "localdev.sam_local"),
                *("--port", str(api_port), "--lambda-port", str(lambda_port), "--moto-port", str(moto_port)),
                *("--build-dir", str(build_dir), "--env-vars-file", str(env_vars_file)),
                *("--log-dir", str(directory / "logs"), "--lambda-image", image),
                *options,
            ],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    running = SamLocalProcess(process, api_port, lambda_port, moto_port, build_dir, env_vars_file, output, image)
    try:
        running.wait_until_ready()
    except BaseException:
        running.interrupt()
        raise
    return running


@pytest.fixture(scope="session")
def sam_local(lambda_image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamLocalProcess]:
    """One sam-local for the session, without the poller and schedule: tests decide what runs when.

    It builds into a directory of its own: a developer's ``make sam-local`` may be serving from
    .aws-sam/local/build meanwhile, and sam build replaces what it serves.
    """
    directory = tmp_path_factory.mktemp("sam-local")
    running = start_sam_local(directory, directory / "build", lambda_image, "--no-pipeline", "--quiet")
    try:
        yield running
    finally:
        running.interrupt()


@pytest.fixture
def fresh_stack(
    sam_local: SamLocalProcess,
    template: Template,
    functions: dict[str, LocalFunction],
    monkeypatch: pytest.MonkeyPatch,
) -> Deployed:
    """sam-local's moto emptied and set up again as at start: the template's resources, demo accounts.

    Returns the stack as this process reaches it (in-process handlers against that moto server), to
    arrange a state and check what the functions in their containers did.
    """
    reset = urllib.request.Request(f"{sam_local.moto_url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=30):
        pass
    monkeypatch.setenv("AWS_ENDPOINT_URL", sam_local.moto_url)
    resolver = create_resources(template)
    for name, value in {**function_environment(template, resolver), **LOCAL_DEFAULTS}.items():
        monkeypatch.setenv(name, value)
    reset_services()
    seed_demo_accounts(services().open_account, services().adjust_position)
    return Deployed(template, resolver, functions, Router(template.http_routes(), functions))


def sam_local_invoke(sam_local: SamLocalProcess, function: str, event_file: Path) -> Any:
    """``sam local invoke -e <event_file> <function>`` against sam-local's build and moto; the result."""
    # Without this process's test settings (moto endpoint, table name...): the env-vars file says all.
    environment = {
        name: value for name, value in sam_environment(os.environ).items() if name not in sam_local.function_variables
    }
    completed = subprocess.run(
        [
            sam_executable(),
            *("local", "invoke", "--template-file", str(sam_local.built_template)),
            *("--env-vars", str(sam_local.env_vars_file), "--invoke-image", sam_local.image, "--skip-pull-image"),
            *("--event", str(event_file), function),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    # sam prints the function's answer on stdout; its own and the function's logs go to stderr.
    return json.loads(completed.stdout)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if NOT_RUN in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        reason = str(skipped[0].longrepr[2]).removeprefix("Skipped: ")
        terminalreporter.write_sep("!", f"{len(skipped)} sam local tests SKIPPED", red=True, bold=True)
        terminalreporter.write_line(reason, red=True, bold=True)
