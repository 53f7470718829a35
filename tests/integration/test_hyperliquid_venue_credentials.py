"""The venue's credentials: read from a (moto) Secrets Manager secret through Powertools' cached provider, in
the documented format (hyperliquid_credentials), refused without quoting a malformed one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orders_common.errors import ExchangeUnavailable
from orders_common.exchange.hyperliquid_credentials import (
    VenueCredentials,
    VenueCredentialsInvalid,
    read_credentials,
)
from tests.support.venue_secrets import AGENT_KEY, USER, store_secret


def test_credentials_are_read_from_the_secret_and_cached(venue_secrets: Any) -> None:
    arn = store_secret(venue_secrets, "hyperliquid", key="11" * 32)  # without 0x, as some tools write keys
    short_lived = store_secret(venue_secrets, "short-lived")
    first = read_credentials(arn)
    read_credentials(short_lived, max_age=0)
    for rotated in (arn, short_lived):  # rotated to a value missing its key
        venue_secrets.put_secret_value(SecretId=rotated, SecretString=json.dumps({"account_address": USER}))

    assert first == VenueCredentials(account_address=USER, private_key=AGENT_KEY)
    assert read_credentials(arn) == first  # cached: the rotated value is not read again within max_age
    assert "11" * 32 not in repr(first)
    with pytest.raises(VenueCredentialsInvalid, match="api_wallet_private_key"):
        read_credentials(short_lived, max_age=0)  # past its max_age it is read again, and refused as it is now


@pytest.mark.parametrize(
    "secret",
    [
        "not json " + "ab" * 32,
        json.dumps({"api_wallet_private_key": "0x" + "ab" * 31, "account_address": USER}),
        json.dumps({"api_wallet_private_key": "0x" + "ab" * 32, "account_address": "0x1234"}),
        json.dumps(["0x" + "ab" * 32]),
    ],
)
def test_a_malformed_secret_is_refused_without_quoting_it(venue_secrets: Any, secret: str) -> None:
    arn = venue_secrets.create_secret(Name="broken", SecretString=secret)["ARN"]

    with pytest.raises(VenueCredentialsInvalid) as refused:
        read_credentials(arn)

    assert "ab" * 31 not in str(refused.value) and refused.value.__cause__ is None


def test_a_missing_secret_leaves_the_venue_unavailable(venue_secrets: Any) -> None:
    with pytest.raises(ExchangeUnavailable):
        read_credentials("arn:aws:secretsmanager:us-east-1:123456789012:secret:absent-AbCdEf")
