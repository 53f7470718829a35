"""A local HTTP server that plays Hyperliquid's info endpoint (allMids, l2Book), scripted response by
response; unscripted requests get the default mids, and books of ten 1-unit levels 1 bp apart around
them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from localdev.fake_hyperliquid_exchange import FakeExchange


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0

    @classmethod
    def mids(cls, prices: dict[str, str], delay: float = 0.0) -> Reply:
        return cls(200, json.dumps(prices).encode(), delay)

    @classmethod
    def book(
        cls, coin: str, bids: list[tuple[str, str]], asks: list[tuple[str, str]], *, millis: int | None = None
    ) -> Reply:
        """An l2Book answer: ``levels`` is [bids, asks], each level ``{"px", "sz", "n"}``."""
        document = {
            "coin": coin,
            "time": millis if millis is not None else int(time.time() * 1000),
            "levels": [[{"px": px, "sz": sz, "n": 1} for px, sz in side] for side in (bids, asks)],
        }
        return cls(200, json.dumps(document).encode())


@dataclass
class Script:
    replies: list[Reply] = field(default_factory=list)
    default: Reply = field(default_factory=lambda: Reply.mids({"BTC": "68500", "ETH": "3500.5", "SOL": "150"}))
    requests: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_reply(self, request: Any) -> Reply:
        with self.lock:
            self.requests.append(request)
            if self.replies:
                return self.replies.pop(0)
        if isinstance(request, dict) and request.get("type") == "l2Book":
            return self._default_book(str(request.get("coin")))
        return self.default

    def _default_book(self, coin: str) -> Reply:
        mid = Decimal(json.loads(self.default.body).get(coin, "0"))
        if mid <= 0:
            return Reply(200, b"null")  # Hyperliquid's answer for a coin it does not list
        bids, asks = book_levels(mid)
        return Reply.book(coin, [(str(px), str(sz)) for px, sz in bids], [(str(px), str(sz)) for px, sz in asks])


def book_levels(mid: Decimal) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
    """The unscripted book: ten 1-unit levels 1 bp apart each side of the mid, best first (the exchange
    stand-in fills against these same levels)."""
    step = mid / 10000
    bids = [(mid - step * n, Decimal(1)) for n in range(1, 11)]
    asks = [(mid + step * n, Decimal(1)) for n in range(1, 11)]
    return bids, asks


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"null")
        reply = self._venue_reply(request)
        if reply is None:
            self.close_connection = True  # a dropped response: the action was taken, no answer comes
            return
        if reply.delay:
            time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, as it should

    def _venue_reply(self, request: Any) -> Reply | None:
        # Without an exchange attached this is the info-only stand-in it always was: every request is scripted.
        exchange = self.server.exchange
        if exchange is not None and self.path.rstrip("/").endswith("/exchange"):
            return exchange.respond(request)
        if exchange is not None and isinstance(request, dict) and request.get("type") in VENUE_INFO_TYPES:
            return exchange.info(request)
        return self.server.script.next_reply(request)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    script: Script
    exchange: FakeExchange | None


# What the venue answers from its own state (orders, fills, listings) when an exchange is attached.
VENUE_INFO_TYPES = frozenset({"orderStatus", "userFills", "userFillsByTime", "meta", "spotMeta"})


@contextmanager
def fake_hyperliquid(
    script: Script | None = None, exchange: FakeExchange | None = None
) -> Iterator[tuple[str, Script]]:
    """Serve on a free local port; yields the info URL. With ``exchange`` (built on the same ``script``), the
    same server also plays ``/exchange`` and the account-level info requests."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.script = script or (exchange.venue.script if exchange is not None else Script())
    server.exchange = exchange
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/info", server.script
    finally:
        server.shutdown()
        server.server_close()
