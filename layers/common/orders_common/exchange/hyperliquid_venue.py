"""A thin, typed client of Hyperliquid for the venue adapter: place an order, cancel it, ask what became of it
and what it filled, by the client order id the desk gave it (``hyperliquid_rules.cloid_for``).

Importing this module loads nothing of the venue layer; ``connect`` puts its packages on ``sys.path`` and builds
the client, so only a function executing on the venue pays for them. Signed actions (order, cancel) go through
the official SDK: its wire format (``order_request_to_order_wire``) and its signer (``sign_l1_action``), never
code of ours. Reads (meta, orderStatus, userFills) are plain ``/info`` requests through ``InfoClient``, with the
price source's timeouts and retries: they change nothing, so retrying them is safe.

How failures of a signed action are told apart, since the engine's promise of "never twice" rests on it:

- certainly not received (the connection was never made, the venue refused the request as a whole: a 4xx, a
  5xx other than 504, ``{"status": "err"}`` for a bad signature or nonce): ``ExchangeUnavailable``;
- possibly acted on (a timeout after sending, a dropped or unreadable answer, a 504 from the gateway that may
  have forwarded it): ``AmbiguousOutcome``; ``order_status(cloid)`` then says what happened.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from orders_common.errors import ExchangeUnavailable
from orders_common.exchange.base import AmbiguousOutcome
from orders_common.exchange.hyperliquid_answers import (
    Placed,
    VenueFill,
    VenueOrderStatus,
    VenueRejected,
    parse_fill_times,
    parse_fills,
    parse_meta,
    parse_order_status,
    parse_placed,
)
from orders_common.exchange.hyperliquid_credentials import (
    VENUE_PACKAGES,
    VenueCredentials,
    enable_venue_packages,
    read_credentials,
)
from orders_common.exchange.hyperliquid_info import InfoClient, json_document
from orders_common.exchange.hyperliquid_rules import BelowVenueMinimum, round_price, round_size
from orders_common.observability import logger
from orders_common.timing import has_time_for

if TYPE_CHECKING:
    from orders_common.config import Settings

TimeInForce = Literal["Gtc", "Ioc", "Alo"]
# The SDK's own constants (hyperliquid.utils.constants), here so that choosing a URL needs no SDK import. The
# SDK signs for mainnet exactly when its base URL is MAINNET_API_URL: which URL is used decides the chain.
MAINNET_API_URL = "https://api.hyperliquid.xyz"
TESTNET_API_URL = "https://api.hyperliquid-testnet.xyz"
# The desk trades perps only: an empty spot listing spares the SDK its spotMeta request on construction.
NO_SPOT_MARKETS: dict[str, Any] = {"universe": [], "tokens": []}

_meta_lock = threading.Lock()
_meta_by_url: dict[str, dict[str, Any]] = {}


def base_url_for(settings: Settings) -> str:
    """The venue's base URL: mainnet's only on the (confirmed) mainnet network, else ``HYPERLIQUID_API_URL`` (the
    local stand-in) or testnet's. The settings refuse mainnet's URL as an override on testnet."""
    if settings.hyperliquid_network == "mainnet":
        return MAINNET_API_URL
    return (settings.hyperliquid_api_url or TESTNET_API_URL).rstrip("/")


def connect(settings: Settings, *, venue_packages: str = VENUE_PACKAGES) -> VenueClient:
    """The client for ``settings``' venue and account: the venue layer enabled, the secret read, the venue's
    listings fetched (once per container and URL), the SDK built without a request of its own."""
    if settings.hyperliquid_secret_arn is None:
        raise ExchangeUnavailable("The venue has no credentials configured (HYPERLIQUID_SECRET_ARN).")
    enable_venue_packages(venue_packages)
    base_url = base_url_for(settings)
    info = InfoClient(
        f"{base_url}/info",
        timeout_seconds=settings.price_timeout_seconds,
        max_attempts=settings.price_max_attempts,
    )
    credentials = read_credentials(settings.hyperliquid_secret_arn)
    return VenueClient(base_url, credentials, perp_meta(info), info, timeout_seconds=settings.price_timeout_seconds)


def perp_meta(info: InfoClient) -> dict[str, Any]:
    """The venue's perp listings (``meta``), fetched once per container: they change only when the venue lists
    a coin, and the desk's symbols are known at create. A failed fetch is not remembered."""
    with _meta_lock:
        meta = _meta_by_url.get(info.url)
        if meta is None:
            meta = info.ask({"type": "meta"}, lambda payload: parse_meta(json_document(payload)), what="listings")
            _meta_by_url[info.url] = meta
        return meta


class VenueClient:
    def __init__(
        self,
        base_url: str,
        credentials: VenueCredentials,
        meta: dict[str, Any],
        info: InfoClient,
        *,
        timeout_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        from eth_account import Account
        from hyperliquid.exchange import Exchange

        # The key goes into the SDK's signer and is kept nowhere else in this object.
        wallet = Account.from_key(credentials.private_key)
        self._sdk = Exchange(
            wallet,
            base_url,
            meta=meta,
            account_address=credentials.account_address,
            spot_meta=NO_SPOT_MARKETS,
            timeout=timeout_seconds,
        )
        self.account_address = credentials.account_address
        self.info = info
        self._timeout = timeout_seconds
        # An asset's number is its position in the listings; szDecimals sets its lot and tick.
        self._assets = {item["name"]: (index, item["szDecimals"]) for index, item in enumerate(meta["universe"])}
        self._clock = clock
        self._nonce_lock = threading.Lock()
        self._last_nonce = 0

    def sz_decimals(self, coin: str) -> int | None:
        """The decimal places of the coin's lot size; None when the venue does not list it."""
        listing = self._assets.get(coin)
        return listing[1] if listing else None

    def place(
        self,
        coin: str,
        is_buy: bool,
        size: Decimal,
        limit_price: Decimal,
        tif: TimeInForce,
        reduce_only: bool,
        cloid: str,
    ) -> Placed:
        """One limit order, its size and price first put on the venue's lot and tick the safe way (less size, a
        price no worse than ``limit_price``); a market order is an IOC at ``ioc_limit_for_market``."""
        from hyperliquid.utils.signing import order_request_to_order_wire, order_wires_to_order_action
        from hyperliquid.utils.types import Cloid

        listing = self._assets.get(coin)
        if listing is None:
            return VenueRejected(f"{coin} is not listed on the venue")
        asset, sz_decimals = listing
        try:
            sz, px = round_size(size, sz_decimals), round_price(limit_price, sz_decimals, is_buy=is_buy)
        except BelowVenueMinimum as refused:
            return VenueRejected(str(refused))
        request: Any = {
            "coin": coin, "is_buy": is_buy, "sz": float(sz), "limit_px": float(px),
            "order_type": {"limit": {"tif": tif}}, "reduce_only": reduce_only, "cloid": Cloid(cloid),
        }  # fmt: skip
        wire = order_request_to_order_wire(request, asset)
        if (Decimal(wire["s"]), Decimal(wire["p"])) != (sz, px):
            raise ValueError(f"the wire would say {wire['s']} at {wire['p']}, not {sz} at {px}")  # never send that
        answer = self._send(order_wires_to_order_action([wire]), what=f"order {cloid}")
        placed = parse_placed(_only_status(answer))
        if placed is None:
            raise AmbiguousOutcome(f"Hyperliquid answered order {cloid} in an unknown shape")
        logger.info("Hyperliquid order placed", cloid=cloid, coin=coin, outcome=type(placed).__name__)
        return placed

    def cancel(self, coin: str, cloid: str) -> bool:
        """Take a resting order off the book; False when it was not resting (filled, canceled, never placed)."""
        listing = self._assets.get(coin)
        if listing is None:
            return False
        # The action the SDK's bulk_cancel_by_cloid builds, signed here so that the nonce is ours (see _nonce).
        action = {"type": "cancelByCloid", "cancels": [{"asset": listing[0], "cloid": cloid}]}
        status = _only_status(self._send(action, what=f"cancel {cloid}"))
        if status == "success":
            return True
        if isinstance(status, dict) and isinstance(status.get("error"), str):
            logger.info("Hyperliquid cancel refused", cloid=cloid, reason=status["error"])
            return False
        raise AmbiguousOutcome(f"Hyperliquid answered cancel {cloid} in an unknown shape")

    def order_status(self, cloid: str) -> VenueOrderStatus | None:
        """What the venue knows of the order: None when it never received it."""
        body = {"type": "orderStatus", "user": self.account_address, "oid": cloid}
        return self.info.ask(body, lambda payload: parse_order_status(json_document(payload)), what="order status")

    def fills(self, cloid: str, oid: int | None = None) -> list[VenueFill]:
        """The order's fills, oldest first, from the account's recent fills (the venue lists the last 2000)."""
        body = {"type": "userFills", "user": self.account_address}
        return self.info.ask(
            body, lambda payload: parse_fills(json_document(payload), cloid=cloid, oid=oid), what="fills"
        )

    def fill_times(self, since: datetime) -> list[tuple[str, datetime]]:
        """(cloid, time) of the account's fills from ``since`` on (the venue lists up to 2000 per request)."""
        body = {"type": "userFillsByTime", "user": self.account_address, "startTime": int(since.timestamp() * 1000)}
        return self.info.ask(body, lambda payload: parse_fill_times(json_document(payload)), what="recent fills")

    def _nonce(self) -> int:
        """A nonce for the next signed action: the time in ms, as the SDK takes it, but never one this container
        already used. The venue refuses a nonce used twice by one signer, and concurrent executions of a
        process-all run can sign within one millisecond."""
        with self._nonce_lock:
            self._last_nonce = max(int(self._clock() * 1000), self._last_nonce + 1)
            return self._last_nonce

    def _send(self, action: dict[str, Any], *, what: str) -> Any:
        from hyperliquid.utils.signing import sign_l1_action

        if not has_time_for(self._timeout):
            raise ExchangeUnavailable(f"No time left in this invocation to send Hyperliquid the {what}.")
        nonce = self._nonce()
        mainnet = self._sdk.base_url == MAINNET_API_URL  # the SDK's own test for which chain to sign for
        signature = sign_l1_action(self._sdk.wallet, action, None, nonce, None, mainnet)
        payload = {"action": action, "nonce": nonce, "signature": signature, "vaultAddress": None, "expiresAfter": None}
        try:
            answer = self._sdk.post("/exchange", payload)
        except Exception as error:
            raise _transport_failure(error, what) from error
        if isinstance(answer, dict) and answer.get("status") == "err":
            # The action as a whole was refused (signature, nonce, unknown API wallet): nothing was acted on.
            logger.error("Hyperliquid refused the action", what=what, reason=str(answer.get("response")))
            raise ExchangeUnavailable(f"Hyperliquid refused the {what}: {answer.get('response')}")
        if not isinstance(answer, dict) or answer.get("status") != "ok":
            # The SDK answers {"error": "Could not parse JSON ..."} for an unreadable body: sent, outcome unknown.
            raise AmbiguousOutcome(f"Hyperliquid's answer to the {what} could not be read")
        return answer


def _only_status(answer: Any) -> Any:
    try:
        statuses = answer["response"]["data"]["statuses"]
    except (KeyError, TypeError):
        return None
    return statuses[0] if isinstance(statuses, list) and len(statuses) == 1 else None


def _transport_failure(error: Exception, what: str) -> Exception:
    """``ExchangeUnavailable`` when the request certainly did not reach the venue's matching, else
    ``AmbiguousOutcome``."""
    import requests
    from hyperliquid.utils.error import ClientError, ServerError

    if isinstance(error, requests.ConnectTimeout) or (
        isinstance(error, requests.ConnectionError) and _never_connected(error)
    ):
        logger.warning("Hyperliquid unreachable", what=what, error=type(error).__name__)
        return ExchangeUnavailable(f"Hyperliquid could not be reached for the {what}; it was not sent.")
    if isinstance(error, requests.RequestException):
        logger.warning("Hyperliquid answer lost", what=what, error=type(error).__name__)
        return AmbiguousOutcome(f"Hyperliquid's answer to the {what} was lost ({type(error).__name__})")
    if isinstance(error, ServerError) and error.status_code == 504:
        return AmbiguousOutcome(f"Hyperliquid's gateway timed out on the {what} (HTTP 504)")
    if isinstance(error, ServerError | ClientError):
        logger.warning("Hyperliquid refused the request", what=what, status=error.status_code)
        return ExchangeUnavailable(f"Hyperliquid refused the {what} (HTTP {error.status_code}); nothing was done.")
    # Anything else came from reading an answer to a request already sent (the SDK's error handling can itself
    # fail on an odd 4xx body): what the venue did is unknown.
    logger.warning("Hyperliquid answer unreadable", what=what, error=type(error).__name__)
    return AmbiguousOutcome(f"Hyperliquid's answer to the {what} could not be read ({type(error).__name__})")


def _never_connected(error: Exception) -> bool:
    """Whether requests' ConnectionError is urllib3's NewConnectionError (refused, unresolvable, unroutable:
    the request was never written), as opposed to a connection lost after the request went out."""
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    causes = [cause.reason if isinstance(cause, MaxRetryError) else cause for cause in error.args]
    return any(isinstance(cause, NewConnectionError) for cause in causes)
