"""`make run ARGS="--exchange fake-hyperliquid"`, in process: the stack deployed as `python -m localdev` deploys it
on the local Hyperliquid stand-in (its secret in moto, Exchange=hyperliquid, the functions pointed at the stand-in),
and the local routes that move the stand-in's mids and schedule its faults."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.base import DEFAULT_PROVIDERS
from eth_account import Account

from localdev.iam import Arns, IamRecorder, Permission, permissions_for
from localdev.local_prices import price_handler
from localdev.local_venue import LocalVenue, deploy_on_venue, local_venue, venue_handler
from localdev.stack import LOCAL_PARAMETERS, LocalStack
from orders_common.wiring import reset_services, services
from tests.unit.test_template_venue import ON_THE_VENUE


@dataclass
class VenueRun:
    stack: LocalStack
    venue: LocalVenue


@pytest.fixture(scope="module")
def run() -> Iterator[VenueRun]:
    """What `python -m localdev --exchange fake-hyperliquid` starts, less the HTTP server and the pipeline."""
    saved = dict(os.environ)
    stack = LocalStack(overrides={"POWERTOOLS_LOG_LEVEL": "WARNING"}, seed=False)
    try:
        with local_venue() as venue:
            stack.start_moto()
            deploy_on_venue(stack, venue, {**LOCAL_PARAMETERS, "AuthEnabled": "false"})
            yield VenueRun(stack, venue)
    finally:
        stack.stop()
        os.environ.clear()
        os.environ.update(saved)
        reset_services()
        DEFAULT_PROVIDERS.clear()  # Powertools' secrets client, made against this moto
        parameters.clear_caches()


@pytest.fixture(autouse=True)
def _stack_environment(run: VenueRun, monkeypatch: pytest.MonkeyPatch) -> None:
    # The shared fixtures reset the AWS variables around each test: point them at this module's moto again.
    monkeypatch.setenv("AWS_ENDPOINT_URL", run.stack.moto_endpoint)
    for name, value in run.stack.environment.items():
        monkeypatch.setenv(name, value)
    reset_services()


def test_the_api_wallet_secret_is_in_moto_in_the_documented_format(run: VenueRun) -> None:
    arn = run.venue.secret_arn
    assert arn is not None and arn.startswith("arn:aws:secretsmanager:us-east-1:")

    document = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])

    assert set(document) == {"api_wallet_private_key", "account_address"}
    assert Account.from_key(document["api_wallet_private_key"]).address == run.venue.api_wallet
    assert document["account_address"] == run.venue.account_address
    assert document["api_wallet_private_key"] not in repr(run.venue)


def test_the_stack_is_the_templates_venue_stack_and_its_functions_point_at_the_stand_in(run: VenueRun) -> None:
    template_parameters = run.stack.template.parameters()
    assert template_parameters["Exchange"] == "hyperliquid"
    assert template_parameters["HyperliquidNetwork"] == "testnet"
    assert template_parameters["HyperliquidSecretArn"] == run.venue.secret_arn

    settings = services().settings  # what every function reads: one process, one environment

    assert settings.exchange == "hyperliquid"
    assert settings.hyperliquid_network == "testnet"
    assert settings.hyperliquid_secret_arn == run.venue.secret_arn
    assert settings.hyperliquid_api_url == run.venue.url
    assert run.venue.url.startswith("http://127.0.0.1:")
    assert settings.price_source == "hyperliquid"
    assert settings.hyperliquid_info_url == f"{run.venue.url}/info"
    assert "api_wallet_private_key" not in json.dumps(run.stack.environment)  # the ARN, never the key


def test_only_the_functions_that_send_or_cancel_on_the_venue_may_read_the_secret(run: VenueRun) -> None:
    assert run.stack.resolver is not None
    arn = run.venue.secret_arn
    assert arn is not None
    read = Permission("secretsmanager:GetSecretValue", arn)
    policies = IamRecorder.for_stack(run.stack.template, run.stack.resolver).policies

    assert permissions_for("secretsmanager", "GetSecretValue", {"SecretId": arn}, Arns("us-east-1", "0")) == (read,)
    assert {name for name, policy in policies.items() if policy.allows(read)} == ON_THE_VENUE


def test_the_stand_in_starts_at_the_local_prices_and_the_functions_price_from_it(run: VenueRun) -> None:
    static = services().settings.static_prices
    assert static  # the template's StaticPrices

    assert {coin: run.venue.table()[coin] for coin in static} == static
    assert services().prices.get_price("SOL") == static["SOL"]


def test_prices_put_moves_the_stand_ins_mids_and_get_shows_them(run: VenueRun) -> None:
    handle = price_handler(run.venue)

    moved = handle("PUT", b'{"ETH": 3612.5}')
    shown = handle("GET", None)
    services().begin_invocation()  # a new invocation: the price source's cache is per invocation

    assert moved.status == 200 and json.loads(moved.body)["ETH"] == 3612.5
    assert json.loads(shown.body) == json.loads(moved.body)
    assert run.venue.exchange.venue.mids()["ETH"] == Decimal("3612.5")
    assert services().prices.get_price("ETH") == Decimal("3612.5")
    assert handle("PUT", b'{"ETH": -1}').status == 400
    assert run.venue.exchange.venue.mids()["ETH"] == Decimal("3612.5")


def test_the_fault_route_schedules_lists_and_clears_faults(run: VenueRun) -> None:
    handle = venue_handler(run.venue, default_delay=3.0)

    for body in (b'{"fault": "timeout_next"}', b'{"fault": "reject_next", "reason": "No margin"}'):
        assert handle("POST", body).status == 200
    listed = json.loads(handle("GET", None).body)
    bad = handle("POST", b'{"fault": "timeout_next", "delay": -1}')
    exchange = run.venue.exchange
    kinds = [(fault.kind, fault.delay, fault.reason) for fault in exchange.faults]
    cleared = handle("DELETE", None)

    assert listed["pending_faults"] == [
        {"fault": "timeout_next", "delay": 3.0},
        {"fault": "reject_next", "reason": "No margin"},
    ]
    assert kinds == [("timeout", 3.0, ""), ("reject", 0.0, "No margin")]
    assert bad.status == 400 and json.loads(bad.body)["code"] == "VALIDATION_ERROR"
    assert cleared.status == 200 and exchange.faults == []
    assert listed["account_address"] == run.venue.account_address and listed["network"] == "testnet"
    refused = handle("PUT", b"{}")
    assert refused.status == 405 and refused.headers["Allow"] == "GET, POST, DELETE"


def call(run: VenueRun, method: str, path: str, body: dict[str, object] | None = None) -> tuple[int, Any]:
    """One request, in a new container: in process the functions share one, and each reads the secret itself."""
    reset_services()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    answer = run.stack.router.handle(
        method, path, query_string="", headers=headers, body=json.dumps(body) if body is not None else None
    )
    return answer.status, answer.json()


def test_each_function_on_the_venue_makes_only_the_calls_its_policy_grants(run: VenueRun) -> None:
    # Given the stack on the stand-in, every AWS call of its functions recorded against their policies
    assert run.stack.resolver is not None
    recorder = IamRecorder.for_stack(run.stack.template, run.stack.resolver)
    with recorder.recording(services().table.client):
        # When an account buys at market, rests a limit buy on the venue and cancels it
        status, account = call(run, "POST", "/api/accounts", {"user_id": 77, "initial_deposit": 100000})
        assert status == 201, account
        order = {"account_id": account["account_id"], "symbol": "BTC", "name": "iam", "side": "buy"}
        status, bought = call(run, "POST", "/api/orders/create", {**order, "order_type": "market", "quantity": 0.01})
        assert status == 201 and (bought["status"], bought["exchange"]) == ("pending", "hyperliquid-testnet"), bought
        status, executed = call(run, "POST", f"/api/orders/execute/{bought['id']}")
        assert (status, executed["order_status"]) == (200, "filled"), executed
        resting = {**order, "order_type": "limit", "price": 60000, "quantity": 0.01, "execute": True}
        status, limit = call(run, "POST", "/api/orders/create", resting)
        assert status == 201 and limit["exchange_order_id"] is not None, limit
        status, cancelled = call(run, "POST", f"/api/orders/cancel/{limit['id']}")
        assert status == 200, cancelled

    # Then the secret was read by the functions that send and cancel, each call granted
    assert recorder.violations == []
    readers = {c.function for c in recorder.calls if c.operation == "secretsmanager.GetSecretValue"}
    assert readers == {"CreateOrderFunction", "ExecuteOrderFunction", "CancelOrderFunction"}
