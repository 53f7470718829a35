"""Shared fixtures: no test ever reaches real AWS; each test gets a fresh moto stack from template.yaml."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from moto import mock_aws

from localdev.demo import seed_demo_accounts
from localdev.functions import LocalFunction, load_functions
from localdev.moto_fidelity import make_moto_faithful
from localdev.resources import create_resources, function_environment
from localdev.routing import Router
from localdev.stack import AWS_LOCAL_ENVIRONMENT, LOCAL_DEFAULTS, LOCAL_PARAMETERS
from localdev.template import Template
from orders_common.wiring import reset_services, services
from tests.support.aws_calls import RequestLog, watch
from tests.support.stack import Deployed


@pytest.fixture(autouse=True)
def _offline_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in AWS_LOCAL_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    reset_services()
    yield
    reset_services()


@pytest.fixture(scope="session")
def template() -> Template:
    """The template as a local run sees it: static prices, authentication off."""
    return Template.load(parameters=LOCAL_PARAMETERS)


@pytest.fixture(scope="session")
def functions(template: Template) -> dict[str, LocalFunction]:
    return load_functions(template)


@pytest.fixture
def stack(
    template: Template, functions: dict[str, LocalFunction], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Deployed]:
    make_moto_faithful()
    with mock_aws():
        resolver = create_resources(template)
        for name, value in {**function_environment(template, resolver), **LOCAL_DEFAULTS}.items():
            monkeypatch.setenv(name, value)
        reset_services()
        seed_demo_accounts(services().repository)
        yield Deployed(template, resolver, functions, Router(template.http_routes(), functions))


@pytest.fixture
def dynamodb_requests(stack: Deployed) -> RequestLog:
    """Every DynamoDB request the functions send from now on."""
    return watch(stack.services.repository.table.client)  # type: ignore[attr-defined]
