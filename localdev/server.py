"""A local API Gateway over HTTP: each request goes through the template's routes to its function."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from localdev.routing import HttpResponse, Router

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway HTTP API payload limit

LocalPage = Callable[[], HttpResponse]
LocalHandler = Callable[[str, bytes | None], HttpResponse]
"""A ``/_local/...`` route of the local server only: (method, body) -> response."""


class ApiGateway(ThreadingHTTPServer):
    daemon_threads = True
    # Lets a restarted server bind while the old connections linger in TIME_WAIT; on Linux a port
    # another server is listening on still cannot be bound.
    allow_reuse_address = True
    # The standard library's backlog of 5 resets connections of any burst bigger than that before a
    # thread can take them; each accepted connection gets its own thread.
    request_queue_size = 256

    def __init__(
        self,
        address: tuple[str, int],
        router: Router,
        *,
        pages: dict[str, LocalPage] | None = None,
        local: dict[str, LocalHandler] | None = None,
        quiet: bool = False,
    ) -> None:
        self.router = router
        self.pages = pages or {}
        self.local = local or {}
        self.quiet = quiet
        super().__init__(address, ApiRequestHandler)


def _gateway_answer(status: int, message: str) -> HttpResponse:
    """What API Gateway itself answers (not a function): ``{"message": ...}``."""
    return HttpResponse(status, {"Content-Type": "application/json"}, json.dumps({"message": message}).encode())


class ApiRequestHandler(BaseHTTPRequestHandler):
    server: ApiGateway
    protocol_version = "HTTP/1.1"

    def __getattr__(self, name: str) -> Any:
        # Every method (GET, POST, TRACE, ...) goes through the routes: like API Gateway, a method
        # no route has gets 404, not the standard library's 501.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # each request is logged once, with its timing, by _dispatch

    def _dispatch(self) -> None:
        started = time.perf_counter()
        url = urlsplit(self.path)
        declared = self.headers.get("Content-Length", "0").strip()
        if not declared.isdigit():
            # Negative or not a number: there is no way to know where the body ends, so the request is
            # answered at once and the connection closed (reading on would wait for the client forever).
            self.close_connection = True
            self._send(_gateway_answer(400, "Bad Request"))
            return
        length = int(declared)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(_gateway_answer(413, "Request Entity Too Large"))
            return
        body = self.rfile.read(length) if length else None
        page = self.server.pages.get(url.path)
        if page is not None and self.command == "GET":
            self._send(page())
            return
        local = self.server.local.get(url.path)
        if local is not None:
            response = local(self.command, body)
        else:
            response = self.server.router.handle(
                self.command,
                url.path,
                query_string=url.query,
                headers=dict(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
            )
        self._send(response)
        if not self.server.quiet:
            elapsed = (time.perf_counter() - started) * 1000
            sys.stderr.write(f"[api] {self.command} {url.path} -> {response.status} in {elapsed:.1f} ms\n")

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        for cookie in response.cookies:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)
