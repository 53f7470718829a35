"""The local API Gateway over real sockets: malformed requests answered at once, bursts taken without
resets, a function's concurrent requests run at once (as Lambda runs several environments)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator

import pytest

from localdev.server import ApiGateway
from tests.support.api import SEED_BODY
from tests.support.stack import Deployed


@pytest.fixture
def gateway(stack: Deployed) -> Iterator[tuple[str, int]]:
    server = ApiGateway(("127.0.0.1", 0), stack.router, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def raw_request(address: tuple[str, int], content_length: str, body: bytes) -> bytes:
    with socket.create_connection(address, timeout=5) as connection:
        connection.sendall(
            b"POST /api/orders/create HTTP/1.1\r\nHost: local\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {content_length}\r\n\r\n".encode()
            + body
        )
        answer = b""
        while chunk := connection.recv(65536):  # the server closes the connection after answering
            answer += chunk
        return answer


@pytest.mark.parametrize("content_length", ["-1", "abc", "1e3", " "])
def test_a_malformed_content_length_is_answered_400_at_once(
    stack: Deployed, gateway: tuple[str, int], content_length: str
) -> None:
    answer = raw_request(gateway, content_length, json.dumps(SEED_BODY).encode())

    assert answer.startswith(b"HTTP/1.1 400"), answer
    assert stack.stored_items("ORDER#") == []


def test_a_burst_of_32_creates_is_taken_whole_and_run_at_once(stack: Deployed, gateway: tuple[str, int]) -> None:
    start = threading.Barrier(32)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def create() -> None:
        connection = http.client.HTTPConnection(*gateway, timeout=30)
        start.wait()
        try:
            connection.request(
                "POST", "/api/orders/create", json.dumps(SEED_BODY), {"Content-Type": "application/json"}
            )
            statuses.append(connection.getresponse().status)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert statuses == [201] * 32
    assert len(stack.stored_orders()) == 32
    # More than one execution environment served them: concurrent requests really ran at once.
    assert stack.functions["CreateOrderFunction"].environments > 1
