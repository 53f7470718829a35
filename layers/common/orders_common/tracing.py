"""X-Ray tracing (the template's ``Tracing=Active``): Powertools' Tracer, only when the stack asks for it.

Nothing imports this module unless ``POWERTOOLS_TRACE_DISABLED=false`` (the template sets it from
``Tracing``): with tracing off a function never loads the X-Ray SDK nor patches botocore, so its cold
start is what it was. On, the Tracer patches botocore (every DynamoDB, SQS and EventBridge request is a
subsegment) and each invocation is a subsegment of Lambda's segment, annotated with the cold start and
the service. Responses carry account data and are never recorded in the trace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def traced(handler: Handler) -> Handler:
    """``handler`` inside an X-Ray subsegment (the Tracer is built here, at the first invocation)."""
    from aws_lambda_powertools import Tracer

    tracer = Tracer(service="orders")
    wrapped: Handler = tracer.capture_lambda_handler(handler, capture_response=False)
    return wrapped
