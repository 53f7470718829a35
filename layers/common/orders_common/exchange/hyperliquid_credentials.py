"""What the venue client needs before it can trade: the venue layer's packages on ``sys.path``, and the API
wallet's credentials from Secrets Manager.

The secret (``HYPERLIQUID_SECRET_ARN``) is a JSON ``SecretString``::

    {"api_wallet_private_key": "0x<64 hex>", "account_address": "0x<40 hex>"}

``api_wallet_private_key`` is the key of an API (agent) wallet the account approved on Hyperliquid: it signs
orders and cancels but cannot withdraw. ``account_address`` is the account (master wallet or sub-account) it
trades for: orders, statuses and fills are the account's, not the agent's. The key is read through Powertools
Parameters (cached per container for ``SECRET_MAX_AGE_SECONDS``, so a rotated key is picked up without a
deploy), handed to the SDK's signer and kept nowhere else: never logged, never in an error message, never in a
``repr``.
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

# Lambda unpacks the venue layer here, off sys.path (see layers/venue/Makefile).
VENUE_PACKAGES = "/opt/venue"
SECRET_MAX_AGE_SECONDS = 300
_PRIVATE_KEY = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


class VenueCredentialsInvalid(Exception):
    """The secret is not in the documented format. The message names the field, never its value."""


@dataclass(frozen=True)
class VenueCredentials:
    account_address: str
    # repr=False: a logged or printed credentials object shows the account, never the key.
    private_key: str = field(repr=False)


def enable_venue_packages(path: str = VENUE_PACKAGES) -> None:
    """Put the venue layer's packages where imports find them. Appended, after ``/opt/python``: the common layer's
    pinned pydantic and the runtime's urllib3 and boto3 win over anything of the same name in the venue layer.
    Only the venue client calls this, so functions executing on paper never see these packages."""
    if path not in sys.path:
        sys.path.append(path)


_provider: SecretsProvider | None = None


def forget_secrets() -> None:
    """Drop the cached secrets and their client (tests, between AWS mocks)."""
    global _provider
    _provider = None


def read_credentials(secret_arn: str, *, max_age: int = SECRET_MAX_AGE_SECONDS) -> VenueCredentials:
    """The API wallet's credentials from ``secret_arn``, through Powertools' cached secrets provider."""
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError, TransformParameterError

    # botocore logs every response body at DEBUG, the secret's included: with the function's log level at DEBUG
    # (Lambda's application log level sets the root logger's) the key would be written to CloudWatch.
    parsers_log = logging.getLogger("botocore.parsers")
    if parsers_log.level < logging.INFO:
        parsers_log.setLevel(logging.INFO)
    global _provider
    if _provider is None:
        # A client of the desk's one session, as every other (the local IAM check sees its calls); Powertools'
        # own default provider makes a session of its own.
        from orders_common.aws_clients import new_client

        _provider = parameters.SecretsProvider(boto3_client=new_client("secretsmanager"))
    try:
        document = _provider.get(secret_arn, transform="json", max_age=max_age)
    except TransformParameterError:
        # The transform's message can quote the secret's text: say only what is wrong.
        raise VenueCredentialsInvalid("the venue secret is not a JSON object") from None
    except GetParameterError as error:
        from orders_common.errors import ExchangeUnavailable

        raise ExchangeUnavailable("The venue's credentials could not be read; the order was not executed.") from error
    return parse_credentials(document)


def parse_credentials(document: Any) -> VenueCredentials:
    if not isinstance(document, dict):
        raise VenueCredentialsInvalid("the venue secret is not a JSON object")
    key, address = document.get("api_wallet_private_key"), document.get("account_address")
    if not isinstance(key, str) or not _PRIVATE_KEY.match(key.strip()):
        raise VenueCredentialsInvalid("api_wallet_private_key is missing or not 32 bytes of hex")
    if not isinstance(address, str) or not _ADDRESS.match(address.strip()):
        raise VenueCredentialsInvalid("account_address is missing or not a 0x-prefixed 20-byte hex address")
    key = key.strip()
    return VenueCredentials(account_address=address.strip(), private_key=key if key.startswith("0x") else "0x" + key)
