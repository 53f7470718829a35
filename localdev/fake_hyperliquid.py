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
from typing import Any


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
        step = mid / 10000
        bids = [(str(mid - step * n), "1") for n in range(1, 11)]
        asks = [(str(mid + step * n), "1") for n in range(1, 11)]
        return Reply.book(coin, bids, asks)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"null")
        reply = self.server.script.next_reply(request)
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

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    script: Script


@contextmanager
def fake_hyperliquid(script: Script | None = None) -> Iterator[tuple[str, Script]]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.script = script or Script()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/info", server.script
    finally:
        server.shutdown()
        server.server_close()
