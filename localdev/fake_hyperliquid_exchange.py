"""Hyperliquid's ``/exchange`` endpoint, played locally for the stand-in in ``fake_hyperliquid``: each signed
action (``order``, ``cancel``, ``cancelByCloid``) is authenticated as the venue does it (the signer recovered
from the EIP-712 signature must be an API wallet of an account; a nonce is used once and only within a window
around now), then handed to the ``Venue``. Faults can be scheduled for the next requests.

Requests from the official SDK pointed at a local URL are signed for testnet (it signs for mainnet only when
its base URL is Hyperliquid's own), so the stand-in checks testnet signatures unless told ``mainnet=True``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from localdev.fake_hyperliquid import Reply, Script, fake_hyperliquid
from localdev.fake_hyperliquid_venue import Venue
from localdev.hyperliquid_signing import BadSignature, recover_l1_signer

# The real venue's nonce window: no older than two days, no later than a day ahead.
NONCE_PAST_MS = 2 * 24 * 3600 * 1000
NONCE_FUTURE_MS = 24 * 3600 * 1000


@dataclass
class Fault:
    """What the next ``/exchange`` request meets: ``status`` answers that HTTP status without acting;
    ``timeout`` acts, then answers ``delay`` seconds late; ``drop`` acts, then closes the connection unanswered;
    ``reject`` refuses the next order with ``reason`` (as the venue refuses one for margin)."""

    kind: str
    delay: float = 0.0
    reason: str = ""
    status: int = 500


class FakeExchange:
    def __init__(
        self,
        venue: Venue,
        agents: Mapping[str, str],
        *,
        mainnet: bool = False,
        nonce_past_ms: int = NONCE_PAST_MS,
        nonce_future_ms: int = NONCE_FUTURE_MS,
    ) -> None:
        """``agents`` maps each API wallet's address to the account (user address) it trades for."""
        self.venue = venue
        self.agents = {agent.lower(): user.lower() for agent, user in agents.items()}
        self.mainnet = mainnet
        self.nonce_past_ms = nonce_past_ms
        self.nonce_future_ms = nonce_future_ms
        self.used_nonces: dict[str, set[int]] = {}
        self.faults: list[Fault] = []
        self.requests: list[Any] = []
        self.lock = threading.Lock()

    def timeout_next(self, delay: float) -> None:
        self.faults.append(Fault("timeout", delay=delay))

    def drop_next(self) -> None:
        self.faults.append(Fault("drop"))

    def reject_next(self, reason: str) -> None:
        self.faults.append(Fault("reject", reason=reason))

    def fail_next(self, status: int = 500) -> None:
        self.faults.append(Fault("status", status=status))

    def respond(self, payload: Any) -> Reply | None:
        """The reply to one ``POST /exchange``; None means close the connection without one."""
        with self.lock:
            self.requests.append(payload)
            fault = self.faults.pop(0) if self.faults else None
        if fault is not None and fault.kind == "status":
            return Reply(fault.status, b"")
        rejection = fault.reason if fault is not None and fault.kind == "reject" else None
        document = self._act(payload, rejection)
        if fault is not None and fault.kind == "drop":
            return None
        return Reply(200, json.dumps(document).encode(), fault.delay if fault is not None else 0.0)

    def info(self, request: Mapping[str, Any]) -> Reply:
        kind = request.get("type")
        if kind == "orderStatus":
            document: Any = self.venue.order_status(str(request.get("user")), request.get("oid"))
        elif kind == "userFills":
            document = self.venue.user_fills(str(request.get("user")))
        elif kind == "userFillsByTime":
            start = request.get("startTime")
            fills = self.venue.user_fills(str(request.get("user")))
            since = [fill for fill in fills if isinstance(start, int) and fill["time"] >= start]
            document = sorted(since, key=lambda fill: fill["time"])  # oldest first, as the venue lists them
        elif kind == "meta":
            document = self.venue.meta()
        else:  # spotMeta: the SDK asks for it on start; the stand-in lists no spot markets
            document = {"universe": [], "tokens": []}
        return Reply(200, json.dumps(document).encode())

    def _act(self, payload: Any, rejection: str | None) -> dict[str, Any]:
        if not isinstance(payload, dict) or not isinstance(payload.get("action"), dict):
            return _err("Failed to deserialize the JSON body into the target type")
        action, nonce = payload["action"], payload.get("nonce")
        if not isinstance(nonce, int) or isinstance(nonce, bool) or nonce < 0:
            return _err("Failed to deserialize the JSON body into the target type: nonce")
        try:
            signer = recover_l1_signer(
                action,
                payload.get("signature"),
                nonce=nonce,
                vault_address=payload.get("vaultAddress"),
                expires_after=payload.get("expiresAfter"),
                mainnet=self.mainnet,
            ).lower()
        except BadSignature:
            return _err("Failed to verify signature")
        user = self.agents.get(signer)
        if user is None:
            # A signature over other bytes recovers some other address: the venue cannot tell the two apart.
            return _err(f"User or API Wallet {signer} does not exist.")
        refused = self._use_nonce(signer, nonce, payload.get("expiresAfter"))
        if refused is not None:
            return _err(refused)
        return self._dispatch(user, action, rejection)

    def _use_nonce(self, signer: str, nonce: int, expires_after: Any) -> str | None:
        now = self.venue.millis()
        if isinstance(expires_after, int) and expires_after < now:
            return f"Action expired at {expires_after}, now {now}"
        if not now - self.nonce_past_ms < nonce < now + self.nonce_future_ms:
            return f"Invalid nonce: {nonce} is outside the allowed window around {now}"
        with self.lock:
            used = self.used_nonces.setdefault(signer, set())
            if nonce in used:
                return f"Invalid nonce: {nonce} was already used"
            used.add(nonce)
        return None

    def _dispatch(self, user: str, action: dict[str, Any], rejection: str | None) -> dict[str, Any]:
        kind = action.get("type")
        if kind == "order":
            statuses: list[Any] = []
            for wire in action.get("orders") or []:
                statuses.append(self.venue.place(user, wire, rejection))
                rejection = None  # a scheduled rejection refuses one order, not the whole batch
            return _ok("order", statuses)
        if kind == "cancel":
            cancels = action.get("cancels") or []
            return _ok("cancel", [self.venue.cancel(user, c.get("a"), c.get("o")) for c in cancels])
        if kind == "cancelByCloid":
            cancels = action.get("cancels") or []
            return _ok("cancel", [self.venue.cancel(user, c.get("asset"), str(c.get("cloid"))) for c in cancels])
        return _err(f"Unsupported action type for the stand-in: {kind}")


def _ok(kind: str, statuses: list[Any]) -> dict[str, Any]:
    return {"status": "ok", "response": {"type": kind, "data": {"statuses": statuses}}}


def _err(message: str) -> dict[str, Any]:
    return {"status": "err", "response": message}


@contextmanager
def fake_hyperliquid_venue(agents: Mapping[str, str], **options: Any) -> Iterator[tuple[str, FakeExchange]]:
    """A local Hyperliquid (info and exchange on one server) for ``agents`` (API wallet -> account); yields the
    base URL to hand the SDK (it appends /info and /exchange) and the exchange, whose ``venue`` sets the mids."""
    exchange = FakeExchange(Venue(Script()), agents, **options)
    with fake_hyperliquid(exchange=exchange) as (info_url, _):
        yield info_url.removesuffix("/info"), exchange
