"""The deployed tier: the e2e client against a real stack's ApiUrl. Opt-in, never run in CI here.

    AWS_SAM_STACK_NAME=hyperoru-orders [HYPERORU_TOKEN=<jwt of an account's owner>] \\
    HYPERORU_ACCOUNT_ID=1 .venv/bin/python -m pytest tests/deployed

The stack's outputs come from CloudFormation with your AWS credentials; the token is a JWT of the
stack's issuer for the user owning HYPERORU_ACCOUNT_ID (needed when AuthEnabled is true).
"""

from __future__ import annotations

import os

import boto3
import pytest

from tests.support.http import Client


@pytest.fixture(autouse=True)
def _offline_aws() -> None:
    """Replaces the suite's offline environment (same name): this tier talks to AWS itself."""


@pytest.fixture(scope="session")
def deployed() -> Client:
    stack_name = os.environ.get("AWS_SAM_STACK_NAME")
    if not stack_name:
        pytest.skip("AWS_SAM_STACK_NAME is not set: the deployed tier runs only against a stack you name")
    outputs = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]["Outputs"]
    url = next(output["OutputValue"] for output in outputs if output["OutputKey"] == "ApiUrl")
    return Client(url, token=os.environ.get("HYPERORU_TOKEN"))


@pytest.fixture(scope="session")
def account_id() -> int:
    return int(os.environ.get("HYPERORU_ACCOUNT_ID", "1"))
