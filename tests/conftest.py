"""Shared fixtures: no test ever reaches real AWS; each test gets a fresh moto stack from template.yaml,
and every AWS call a function makes in it is checked against that function's IAM policy."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from localdev.aws_calls import RequestLog, watch
from localdev.functions import LocalFunction, load_functions
from localdev.stack import AWS_LOCAL_ENVIRONMENT, LOCAL_PARAMETERS
from localdev.template import Template
from orders_common.wiring import reset_services
from tests.support.iam import fail_on_ungranted_calls, recorded_stack
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
def stack(template: Template, functions: dict[str, LocalFunction]) -> Iterator[Deployed]:
    with recorded_stack(template, functions) as deployed:
        yield deployed
        assert deployed.iam is not None
        fail_on_ungranted_calls(deployed.iam, deployed.resolver)


@pytest.fixture
def dynamodb_requests(stack: Deployed) -> RequestLog:
    """Every DynamoDB request the functions send from now on."""
    return watch(stack.services.table.client)
