"""``make run ARGS="--exchange fake-hyperliquid"``: the local stack executing on the Hyperliquid stand-in
(``localdev.fake_hyperliquid_exchange``) instead of on paper.

The stand-in runs in this process with one API wallet made at start for one account. Its key goes into a
Secrets Manager secret in the embedded moto, as a deployed stack's would, and the stack is made from the
template with ``Exchange=hyperliquid`` and that secret's ARN, so the template's conditions and IAM
statements are the ones a deployed venue stack has. The functions reach the stand-in through
``HYPERLIQUID_API_URL`` (orders, order status, fills) and take their prices from its ``/info`` (allMids,
l2Book), so ``/_local/prices`` reads and moves the stand-in's mids, and ``/_local/venue`` schedules its faults.
Both routes are the local server's only: never in template.yaml nor in the OpenAPI document.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3
from eth_account import Account

from localdev.fake_hyperliquid_exchange import FakeExchange, Fault, fake_hyperliquid_venue
from localdev.fake_hyperliquid_venue import VenueOrder, text
from localdev.local_prices import error_response, json_response
from localdev.routing import HttpResponse
from localdev.server import LocalHandler
from localdev.stack import LocalStack
from localdev.template import Template

PATH = "/_local/venue"
SECRET_NAME = "hyperoru-local-hyperliquid"  # noqa: S105 - the secret's name, not a secret
FAULTS = ("timeout_next", "drop_next", "reject_next", "fail_next")
# What each fault takes besides its name (all optional).
FAULT_OPTIONS = {"timeout_next": {"delay"}, "drop_next": set(), "reject_next": {"reason"}, "fail_next": {"status"}}
MAX_DELAY_SECONDS = 60.0
DEFAULT_REJECTION = "Insufficient margin to place order."
FAULT_EXAMPLE = '{"fault": "timeout_next"}'


@dataclass
class LocalVenue:
    """The running stand-in and the one account it trades for."""

    url: str  # the base URL the SDK takes: /info and /exchange are under it
    exchange: FakeExchange
    account_address: str
    api_wallet: str  # the API wallet's address (the signer the stand-in accepts)
    _api_wallet_key: str = field(repr=False)
    secret_arn: str | None = None

    @property
    def info_url(self) -> str:
        return f"{self.url}/info"

    def store_secret(self, name: str = SECRET_NAME) -> str:
        """The API wallet's secret, in the documented format, in the Secrets Manager this process points at
        (the embedded moto); its ARN."""
        document = {"api_wallet_private_key": self._api_wallet_key, "account_address": self.account_address}
        created = boto3.client("secretsmanager").create_secret(Name=name, SecretString=json.dumps(document))
        self.secret_arn = str(created["ARN"])
        return self.secret_arn

    def template_parameters(self) -> dict[str, str]:
        """What a deployed venue stack is given (``store_secret`` first: the ARN is one of them)."""
        if self.secret_arn is None:
            raise RuntimeError("store the venue's secret first: its ARN is a template parameter")
        return {
            "Exchange": "hyperliquid",
            "HyperliquidNetwork": "testnet",
            "HyperliquidSecretArn": self.secret_arn,
            "PriceSource": "hyperliquid",
            "HyperliquidInfoUrl": self.info_url,
        }

    def environment(self) -> dict[str, str]:
        """The functions' variables that point them at the stand-in. ``HYPERLIQUID_API_URL`` is no template
        parameter (a deployed stack uses Hyperliquid's own URL), and a local run's defaults put static prices
        over the template's ``PriceSource``: both are set here, over them."""
        return {"HYPERLIQUID_API_URL": self.url, "PRICE_SOURCE": "hyperliquid", "HYPERLIQUID_INFO_URL": self.info_url}

    def table(self) -> dict[str, Decimal]:
        """The stand-in's mids (what ``/_local/prices`` shows)."""
        return self.exchange.venue.mids()

    def update(self, prices: Mapping[str, Decimal]) -> None:
        """Move the stand-in's mids; resting orders they cross fill on the venue at once."""
        self.exchange.venue.set_mids(prices)

    def clear_faults(self) -> None:
        with self.exchange.lock:
            self.exchange.faults.clear()

    def status(self) -> dict[str, Any]:
        """What ``GET /_local/venue`` shows: where the stand-in is, its mids, resting orders and pending faults."""
        venue = self.exchange.venue
        with venue.lock:
            resting = [_shown_order(order) for order in venue.orders if order.status == "open"]
        with self.exchange.lock:
            faults = [_shown_fault(fault) for fault in self.exchange.faults]
        return {
            "url": self.url,
            "network": "testnet",
            "account_address": self.account_address,
            "api_wallet": self.api_wallet,
            "secret_arn": self.secret_arn,
            "mids": dict(sorted(self.table().items())),
            "resting_orders": resting,
            "pending_faults": faults,
        }


@contextmanager
def local_venue() -> Iterator[LocalVenue]:
    """The stand-in on a free local port, with a fresh API wallet approved for a fresh account; stopped after."""
    api_wallet = Account.create()
    account_address = Account.create().address
    with fake_hyperliquid_venue({api_wallet.address: account_address}) as (url, exchange):
        key = "0x" + api_wallet.key.hex().removeprefix("0x")  # hexbytes writes 0x before 1.0, not after
        yield LocalVenue(url, exchange, account_address, api_wallet.address, key)


def deploy_on_venue(stack: LocalStack, venue: LocalVenue, parameters: Mapping[str, str]) -> None:
    """Deploy ``stack`` (its moto started) executing on ``venue``: the secret first, then the template with
    ``parameters`` and the venue's, the functions pointed at the stand-in (``--set`` overrides still win), and
    the stand-in's mids set to the prices a local run starts from (``StaticPrices``)."""
    from orders_common.wiring import services

    venue.store_secret()
    stack.template = Template.load(parameters={**parameters, **venue.template_parameters()})
    stack.overrides = {**venue.environment(), **stack.overrides}
    stack.deploy()
    venue.update(services().settings.static_prices)


@dataclass(frozen=True)
class FaultRequest:
    """One fault for the stand-in's next ``/exchange`` request (see ``FakeExchange``)."""

    fault: str
    delay: float = 0.0  # timeout_next: how late the answer comes, after the venue acted
    reason: str = DEFAULT_REJECTION  # reject_next: the venue's reason
    status: int = 500  # fail_next: the HTTP status answered without acting

    def apply(self, exchange: FakeExchange) -> None:
        if self.fault == "timeout_next":
            exchange.timeout_next(self.delay)
        elif self.fault == "drop_next":
            exchange.drop_next()
        elif self.fault == "reject_next":
            exchange.reject_next(self.reason)
        else:
            exchange.fail_next(self.status)


def parse_fault(body: bytes | None, default_delay: float) -> FaultRequest:
    """``{"fault": "timeout_next", "delay": 3}``, ``{"fault": "drop_next"}``, ``{"fault": "reject_next", "reason":
    "..."}``, ``{"fault": "fail_next", "status": 503}``; raises ``ValueError`` saying what is wrong."""
    try:
        document = json.loads(body or b"")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError(f"The body must be a JSON object naming a fault, e.g. {FAULT_EXAMPLE}.") from None
    if not isinstance(document, dict):
        raise ValueError(f"The body must be a JSON object naming a fault, e.g. {FAULT_EXAMPLE}.")
    fault = document.get("fault")
    if fault not in FAULTS:
        raise ValueError(f"fault must be one of {', '.join(FAULTS)}, not {fault!r}.")
    unknown = sorted(set(document) - {"fault"} - FAULT_OPTIONS[fault])
    if unknown:
        allowed = ", ".join(sorted(FAULT_OPTIONS[fault])) or "nothing else"
        raise ValueError(f"{fault} takes {allowed}; unknown: {', '.join(unknown)}.")
    if fault == "timeout_next":
        return FaultRequest(fault, delay=_delay(document.get("delay", default_delay)))
    if fault == "reject_next":
        reason = document.get("reason", DEFAULT_REJECTION)
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 200:
            raise ValueError("reason must be a non-empty string of at most 200 characters.")
        return FaultRequest(fault, reason=reason)
    if fault == "fail_next":
        status = document.get("status", 500)
        if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status (400 to 599), not {status!r}.")
        return FaultRequest(fault, status=status)
    return FaultRequest(fault)


def _delay(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"delay must be a number of seconds, not {value!r}.")
    if not 0 < value <= MAX_DELAY_SECONDS:
        raise ValueError(f"delay must be more than 0 and at most {MAX_DELAY_SECONDS:g} seconds, not {value!r}.")
    return float(value)


def venue_handler(venue: LocalVenue, *, default_delay: float) -> LocalHandler:
    """``GET /_local/venue``: the stand-in's state; ``POST``: a fault for its next ``/exchange`` request (faults
    queue up, one per request); ``DELETE``: the faults not met yet are dropped.
    ``default_delay`` is how late a ``timeout_next`` answers unless told: longer than the functions wait."""

    def handle(method: str, body: bytes | None) -> HttpResponse:
        if method == "GET":
            return json_response(venue.status())
        if method == "DELETE":
            venue.clear_faults()
            return json_response(venue.status())
        if method != "POST":
            response = error_response(405, "METHOD_NOT_ALLOWED", f"{PATH} answers GET, POST and DELETE.")
            response.headers["Allow"] = "GET, POST, DELETE"
            return response
        try:
            request = parse_fault(body, default_delay)
        except ValueError as error:
            return error_response(400, "VALIDATION_ERROR", str(error))
        request.apply(venue.exchange)
        return json_response(venue.status())

    return handle


def _shown_order(order: VenueOrder) -> dict[str, Any]:
    return {
        "oid": order.oid,
        "cloid": order.cloid,
        "coin": order.coin,
        "side": "buy" if order.is_buy else "sell",
        "limit_px": text(order.limit_px),
        "sz": text(order.sz),
        "orig_sz": text(order.orig_sz),
        "tif": order.tif,
        "reduce_only": order.reduce_only,
    }


def _shown_fault(fault: Fault) -> dict[str, Any]:
    """A scheduled fault as ``POST /_local/venue`` names it, with what it was given."""
    if fault.kind == "timeout":
        return {"fault": "timeout_next", "delay": fault.delay}
    if fault.kind == "drop":
        return {"fault": "drop_next"}
    if fault.kind == "reject":
        return {"fault": "reject_next", "reason": fault.reason}
    return {"fault": "fail_next", "status": fault.status}
