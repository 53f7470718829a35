"""The entry point's per-invocation context: each log line names its own invocation, even when several
share a process and a pool carries the work."""

from __future__ import annotations

import io
import json
import logging
import threading
from typing import Any

from localdev.functions import LambdaContext
from orders_common.concurrency import ContextThreadPool
from orders_common.observability import logger
from orders_common.origin import SYSTEM
from orders_common.runtime import entry_point


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
