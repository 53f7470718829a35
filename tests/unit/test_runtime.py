"""The entry point's per-invocation context: each log line names its own invocation, even when several
share a process and a pool carries the work; a request's caller, read once, is the one its events name."""

from __future__ import annotations

import io
import json
import logging
import threading
from typing import Any

import pytest

from localdev.events import http_api_event
from localdev.functions import LambdaContext
from orders_common import runtime
from orders_common.auth import Caller, caller_from_event
from orders_common.concurrency import ContextThreadPool
from orders_common.http import resolver
from orders_common.http.responses import JsonResponse, json_response
from orders_common.observability import logger
from orders_common.origin import SYSTEM, current_origin
from orders_common.runtime import entry_point, http_entry
from orders_common.wiring import reset_services


def test_concurrent_invocations_each_log_their_own_context() -> None:
    together = threading.Barrier(2)

    def run(event: dict[str, Any], context: Any) -> dict[str, Any]:
        together.wait()
        logger.info("in the handler")
        with ContextThreadPool(2) as pool:  # work handed to a pool keeps the invocation's keys
            list(pool.map(lambda _: logger.info("in a worker"), range(2)))
        together.wait()
        logger.info("after the other one logged")
        return {}

    handler = entry_point(run, origin_of=lambda *_: SYSTEM, correlation_id_path="requestContext.requestId")
    threads = [
        threading.Thread(
            target=handler, args=({"requestContext": {"requestId": f"request-{name}"}}, LambdaContext(name, 128, 10))
        )
        for name in ("FunctionA", "FunctionB")
    ]
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(logger.registered_formatter)
    logger.addHandler(capture)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        logger.removeHandler(capture)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 8
    for line in lines:
        assert line["correlation_id"] == f"request-{line['function_name']}"
    assert {line["function_name"] for line in lines} == {"FunctionA", "FunctionB"}


def test_a_request_reads_its_caller_once_and_its_events_name_that_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function with authentication on whose route reads the caller, then writes (names its actor)
    monkeypatch.setenv("TABLE_NAME", "orders")
    monkeypatch.setenv("AUTH_ENABLED", "true")
    reset_services()
    reads = []

    def counted(event: dict[str, Any], settings: Any) -> Caller:
        reads.append(event)
        return caller_from_event(event, settings)

    for reader in (resolver, runtime):  # wherever the claims could be read from
        monkeypatch.setattr(reader, "caller_from_event", counted, raising=False)
    app = resolver.build_resolver()

    @app.post("/orders")
    def create() -> JsonResponse:
        caller = resolver.current_caller(app)
        actor = current_origin().actor
        return json_response(201, {"caller": caller.user_id, "actor": [actor.kind.value, actor.user_id]})

    claims = {"user_id": "7", "sub": "someone"}
    event = http_api_event("POST", "/orders", route_key="POST /orders", authorizer={"jwt": {"claims": claims}})

    # When it is invoked twice
    answers = [http_entry(app)(event, LambdaContext("Create", 128, 10)) for _ in range(2)]

    # Then each request read its caller once, and its events name that caller
    assert [json.loads(answer["body"]) for answer in answers] == [{"caller": 7, "actor": ["user", 7]}] * 2
    assert len(reads) == 2
    reset_services()
