"""Property-based fuzzing of `make run`'s server with schemathesis, driven by docs/openapi.json:
no 5xx, and every response (status, content type, headers, body) as the document says."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from localdev.stack import free_port
from localdev.template import ROOT
from tests.e2e.test_local_server import Client, start_server, wait_until_serving
from tools.openapi import DOCUMENT_PATH

pytestmark = pytest.mark.e2e

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
MAX_EXAMPLES = 60
SEED = 20261124


@pytest.fixture(scope="module")
def server() -> Iterator[Client]:
    port = free_port()
    process = start_server(port, "--no-pipeline")
    client = Client(f"http://127.0.0.1:{port}")
    try:
        wait_until_serving(client, process)
        # A few orders, so that ids 1 to 3 exist while the fuzzer tries ids.
        for quantity in ("0.01", "0.02", "0.03"):
            body = '{"account_id": 1, "symbol": "BTC", "name": "Fuzz", "side": "buy", "order_type": "market", '
            client.call("POST", "/api/orders/create", body + f'"quantity": {quantity}}}')
        yield client
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)


def test_schemathesis_finds_no_server_error_and_no_schema_violation(server: Client, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            str(DOCUMENT_PATH),
            "--url",
            server.base,
            "--checks",
            CHECKS,
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
            "--no-color",
            "--generation-database",
            "none",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    summary = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout[-6000:]
    assert summary is not None
    generated, passed = map(int, summary.groups())
    assert generated == passed
    assert generated > 500  # the run did exercise the API, not just start
