"""The Lambda entry point around an SQS batch handler: logging context, per-invocation state, metrics.

Powertools' batch utility imports its pydantic parser models (for typing only) when pydantic is
already loaded: importing this module before the service's models, as its name sorts first in a
handler's imports, saves that at every cold start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders_common.observability import flush_metrics, logger
from orders_common.wiring import begin_invocation, end_invocation

__all__ = [
    "BatchProcessor",
    "EventType",
    "SQSRecord",
    "lambda_batch_handler",
    "process_partial_response",
]

BatchHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def lambda_batch_handler(handle: BatchHandler) -> BatchHandler:
    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        begin_invocation()
        try:
            return handle(event, context)
        finally:
            flush_metrics()
            end_invocation()

    return handler
