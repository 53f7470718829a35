"""The venue's secret in a moto Secrets Manager, for the venue client's tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.base import DEFAULT_PROVIDERS
from eth_account import Account
from moto import mock_aws

from orders_common.exchange.hyperliquid_credentials import forget_secrets

AGENT_KEY = "0x" + "11" * 32  # the API wallet the account approved (the stand-in's tests use the same)
USER = Account.from_key("0x" + "33" * 32).address  # the account it trades for


@contextmanager
def secrets_manager() -> Iterator[Any]:
    """A moto Secrets Manager client; Powertools' provider (its boto3 client) and cache are per process, so
    both are forgotten around it: no test reads another's secret, or a client made outside the mock."""
    with mock_aws():
        DEFAULT_PROVIDERS.clear()
        parameters.clear_caches()
        forget_secrets()
        try:
            yield boto3.client("secretsmanager", region_name="us-east-1")
        finally:
            DEFAULT_PROVIDERS.clear()
            parameters.clear_caches()
            forget_secrets()


def store_secret(secrets: Any, name: str, *, key: str = AGENT_KEY, address: str = USER) -> str:
    """The secret in its documented format (hyperliquid_credentials); its ARN."""
    document = {"api_wallet_private_key": key, "account_address": address}
    arn: str = secrets.create_secret(Name=name, SecretString=json.dumps(document))["ARN"]
    return arn
