"""The functions in their Lambda containers, through the SAM CLI: ``sam local invoke`` with every file in
events/, the seed's examples over HTTP through ``sam local start-api``, the executor through
``sam local start-lambda``, and ``make sam-local`` itself (its pipeline, Ctrl-C, a taken port)."""

from __future__ import annotations

import json
import re
import socket
import time
import tomllib
from pathlib import Path

import pytest

from localdev.sam_local.build import BUILT_TEMPLATE, ENV_VARS_FILE
from localdev.sam_local.docker_host import (
    docker_client,
    interface_address,
    is_docker_desktop,
    is_local_address,
)
from localdev.sam_local.images import STANDIN_REPOSITORY
from localdev.sam_local.processes import SamLambdaFunction
from localdev.template import ROOT, Template
from tests.docker.conftest import SamLocalProcess, sam_local_invoke, start_sam_local
from tests.e2e.test_local_server import test_seed_examples_over_http as seed_examples_over_http
from tests.integration.test_event_files import ERROR_ANSWERS, EVENTS, EXPECTATIONS, arrange, function_for
from tests.support.http import Client
from tests.support.ports import run_on_a_taken_port
from tests.support.sqs import batch, failed_ids, order_message
from tests.support.stack import Deployed

pytestmark = pytest.mark.docker


@pytest.mark.parametrize("event_file", EVENTS, ids=[path.name for path in EVENTS])
def test_event_file_through_sam_local_invoke(
    sam_local: SamLocalProcess, fresh_stack: Deployed, template: Template, event_file: Path
) -> None:
    arrange(event_file, fresh_stack)

    result = sam_local_invoke(sam_local, function_for(event_file, template), event_file)

    if "statusCode" in result and event_file.name not in ERROR_ANSWERS:
        assert 200 <= result["statusCode"] < 300, result
    EXPECTATIONS[event_file.name](result, fresh_stack)


def test_seed_examples_through_start_api(sam_local: SamLocalProcess, fresh_stack: Deployed) -> None:
    seed_examples_over_http(Client(sam_local.api_url))


def test_errors_through_start_api_have_the_error_shape(sam_local: SamLocalProcess, fresh_stack: Deployed) -> None:
    status, _, body = Client(sam_local.api_url).call("POST", "/api/orders/create", '{"account_id": 1}')

    assert status == 400
    assert body["code"] == "VALIDATION_ERROR"
    assert body["request_id"]
    assert {detail["field"] for detail in body["details"]} >= {"symbol", "quantity", "side"}


def test_executor_reports_partial_batch_failures_through_start_lambda(
    sam_local: SamLocalProcess, fresh_stack: Deployed, template: Template
) -> None:
    order = fresh_stack.create_order()
    executor = SamLambdaFunction(template.function("ExecuteQueuedFunction"), sam_local.lambda_url)

    result = executor.invoke(batch(order_message(order["id"]), "not json"))

    assert failed_ids(result) == ["message-1"]  # only the malformed message comes back
    assert fresh_stack.get(f"/api/orders/order/{order['id']}").json()["status"] == "filled"


def test_sam_local_pipeline_fills_orders_and_ctrl_c_stops_everything(
    sam_local: SamLocalProcess, tmp_path: Path
) -> None:
    # A second sam-local as `make sam-local` runs it (poller and schedule on), on the session's build.
    own = start_sam_local(tmp_path, sam_local.build_dir, sam_local.image, "--no-build", "--schedule-seconds", "1")
    function_endpoint = own.function_variables["AWS_ENDPOINT_URL"]
    try:
        client = Client(own.api_url)
        status, _, order = client.call(
            "POST",
            "/api/orders/create",
            '{"account_id": 2, "symbol": "ETH", "name": "DCA", "side": "buy", "order_type": "market", "quantity": 1}',
        )
        assert status == 201
        deadline = time.monotonic() + 90
        while client.call("GET", f"/api/orders/order/{order['id']}")[2]["status"] == "pending":
            assert time.monotonic() < deadline, own.text()
            time.sleep(0.5)
        assert client.call("GET", f"/api/orders/order/{order['id']}")[2]["status"] == "filled"
        # The schedule's process-all queued it, the poller had the executor run it, both through
        # start-lambda. The poller reports after the invocation returns, so after the fill is visible;
        # a later schedule tick may have queued the same order again before it filled.
        while not re.search(r"\[queue\] ExecuteQueuedFunction: \d+ messages, 0 failed", own.text()):
            assert time.monotonic() < deadline, own.text()
            time.sleep(0.2)
    finally:
        status = own.interrupt()

    assert status == 0, own.text()
    leftovers = [
        container.name
        for container in docker_client().containers.list(all=True)
        if f"AWS_ENDPOINT_URL={function_endpoint}" in container.attrs["Config"]["Env"]
    ]
    assert leftovers == [], "containers left running after Ctrl-C"
    for port in (own.api_port, own.lambda_port, own.moto_port):
        with socket.socket() as probe:
            # No listener left; closed connections may linger in TIME_WAIT, which a restarted server
            # (SO_REUSEADDR, as every server here sets) does not mind.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))


def test_a_taken_port_is_reported_clearly() -> None:
    port, result = run_on_a_taken_port("localdev.sam_local")

    assert result.returncode == 2
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"make sam-local PORT={port + 1}" in result.stderr  # what make users can pass


def test_sam_local_commands_of_the_sam_local_environment_use_the_local_build_and_env_vars_file() -> None:
    """`sam local invoke --config-env sam-local -e events/<file>.json <Function>` as the README writes
    it: samconfig.toml supplies the host-architecture build, the env-vars file of `make sam-local`, the
    stand-in image under its own name (`:3.13`, which build.sh gives this machine's architecture) and
    --skip-pull-image."""
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())["sam-local"]

    for command in ("local_invoke", "local_start_api", "local_start_lambda"):
        parameters = config[command]["parameters"]
        assert ROOT / parameters["template_file"] == BUILT_TEMPLATE
        assert ROOT / parameters["env_vars"] == ENV_VARS_FILE
        assert parameters["invoke_image"] == f"{STANDIN_REPOSITORY}:3.13"
        assert parameters["skip_pull_image"] is True


def test_the_env_vars_file_points_the_functions_at_moto(sam_local: SamLocalProcess) -> None:
    variables = sam_local.function_variables

    assert variables["AWS_ENDPOINT_URL"].endswith(f":{sam_local.moto_port}")
    assert variables["TABLE_NAME"] == "hyperoru-OrdersTable"  # not the "OrdersTable" sam makes of !Ref
    # a local run's settings: static prices, and no JWTs (sam local start-api has no JWT authorizer)
    assert (variables["PRICE_SOURCE"], variables["AUTH_ENABLED"]) == ("static", "false")
    assert json.loads(sam_local.env_vars_file.read_text()).keys() == {"Parameters"}


def test_functions_reach_moto_at_an_address_of_this_machine(sam_local: SamLocalProcess) -> None:
    """Not host.docker.internal, which a container of a Linux engine cannot resolve: the bridge
    interface's own address (docker0's, whether or not the engine reports an IPAM gateway)."""
    address = sam_local.function_variables["AWS_ENDPOINT_URL"].removeprefix("http://").rsplit(":", 1)[0]
    client = docker_client()
    if is_docker_desktop(client.info()):
        assert address == "host.docker.internal"  # the bridge lives in Docker Desktop's VM
        return
    interface = client.networks.get("bridge").attrs["Options"].get("com.docker.network.bridge.name", "docker0")

    assert is_local_address(address)
    assert address == interface_address(interface)
