"""The one Lambda entry point around every function: HTTP routes, the schedule and SQS batches.

Each invocation gets, in one place: the logger's context (the Lambda context's keys and the
correlation id from the event), a deadline for every wait (the invocation's remaining time), a fresh
price cache, and in one ``finally`` the metrics flush and the end of the start-up collector pause,
whatever the invocation did: answered, refused the request, or raised.

The logger's keys are set per invocation context (Powertools' thread-safe keys, a ``ContextVar``)
rather than on the logger itself: on Lambda that is the same, and where several invocations share a
process (the local server, its thread pools) each log line still names its own function and request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from orders_common.coldstart.gc_pause import resume_collector
from orders_common.config import get_settings
from orders_common.observability import flush_metrics, logger
from orders_common.origin import Origin, acting
from orders_common.timing import deadline_in
from orders_common.wiring import begin_invocation

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from orders_common.auth import Caller
    from orders_common.http.router import Router
    from orders_common.models.actor import Actor, ActorKind

LambdaHandler = Callable[[dict[str, Any], "LambdaContext"], dict[str, Any]]
OriginOf = Callable[[dict[str, Any], "LambdaContext"], Origin]

# Where each kind of event carries its correlation id (Powertools' correlation_paths, spelled out so
# that the SQS and schedule entry points need not import the HTTP ones).
API_GATEWAY_HTTP = "requestContext.requestId"
EVENT_BRIDGE = "id"


_cold_start = True


def entry_point(run: LambdaHandler, *, origin_of: OriginOf, correlation_id_path: str | None = None) -> LambdaHandler:
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        try:
            with deadline_in(_remaining_seconds(context)):
                logger.thread_safe_clear_keys()
                logger.thread_safe_append_keys(**_log_keys(event, context, correlation_id_path))
                begin_invocation()
                with acting(origin_of(event, context)):
                    return run(event, context)
        finally:
            flush_metrics()
            resume_collector()

    return _traced_when_on(handler)


def _traced_when_on(handler: LambdaHandler) -> LambdaHandler:
    """The handler, inside an X-Ray subsegment when the settings turn tracing on. Decided at the first
    invocation (settings are never read at import); off, the tracing module is never imported."""
    chosen: list[LambdaHandler] = []

    def entry(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        if not chosen:
            if _tracing_on():
                from orders_common.tracing import traced

                chosen.append(traced(handler))
            else:
                chosen.append(handler)
        return chosen[0](event, context)

    return entry


def _log_keys(event: dict[str, Any], context: LambdaContext, correlation_id_path: str | None) -> dict[str, Any]:
    """What Powertools' ``inject_lambda_context`` adds to every log line of an invocation."""
    global _cold_start
    keys: dict[str, Any] = {
        "cold_start": _cold_start,
        "function_name": getattr(context, "function_name", None),
        "function_memory_size": getattr(context, "memory_limit_in_mb", None),
        "function_arn": getattr(context, "invoked_function_arn", None),
        "function_request_id": getattr(context, "aws_request_id", None),
    }
    _cold_start = False
    if correlation_id_path:
        found: Any = event
        for part in correlation_id_path.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        keys["correlation_id"] = found
    return keys


def http_entry(app: Router) -> LambdaHandler:
    """An API Gateway HTTP API (payload 2.0) function."""
    from orders_common.http.resolver import current_caller  # here: only HTTP functions load it (all do)

    def run(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        from orders_common.http.requests import refuse_unacceptable_body

        refused = refuse_unacceptable_body(event)
        if refused is not None:
            return refused
        return app.resolve(event, context)

    def origin_of(event: dict[str, Any], context: LambdaContext) -> Origin:
        # The events a request writes name the caller its route reads (read once per request).
        return _request_origin(event, lambda: current_caller(app))

    return entry_point(run, origin_of=origin_of, correlation_id_path=API_GATEWAY_HTTP)


def _request_origin(event: dict[str, Any], caller_of: Callable[[], Caller]) -> Origin:
    """The caller API Gateway's authorizer verified (this only names who asked: the use cases check
    what the claims allow), and the API request's id."""

    def actor() -> Actor:
        actor_model, actor_kind = _actor_model()
        caller = caller_of()
        kind = actor_kind.ADMIN if caller.is_admin and not caller.unrestricted else actor_kind.USER
        return actor_model(kind=kind, user_id=caller.user_id)

    return Origin.new(actor, request_id=(event.get("requestContext") or {}).get("requestId"))


def scheduled_entry(job: Callable[[LambdaContext], Any]) -> LambdaHandler:
    """An EventBridge scheduled function; answers the job's result as a plain dict."""

    def run(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        result = job(context)
        return result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result)

    return entry_point(
        run,
        origin_of=lambda event, _: Origin.of(_actor("schedule"), request_id=event.get("id")),
        correlation_id_path=EVENT_BRIDGE,
    )


def sqs_entry(handle: Callable[[dict[str, Any], LambdaContext], Mapping[str, Any]]) -> LambdaHandler:
    """An SQS batch function (``handle`` answers the partial batch response)."""

    def run(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return dict(handle(event, context))

    return entry_point(run, origin_of=_queue_origin)


def _queue_origin(event: dict[str, Any], context: LambdaContext) -> Origin:
    """The executor's batch (each message's handling then names its own message id)."""
    return Origin.of(_actor("queue"), request_id=getattr(context, "aws_request_id", None))


def stream_entry(handle: Callable[[dict[str, Any], LambdaContext], Mapping[str, Any]]) -> LambdaHandler:
    """A DynamoDB stream batch function (``handle`` answers the partial batch response). It changes no
    order, so what it does is attributed to the system, under its invocation's id."""

    def run(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return dict(handle(event, context))

    return entry_point(
        run,
        origin_of=lambda event, context: Origin.of(
            _actor("system"), request_id=getattr(context, "aws_request_id", None)
        ),
    )


def _actor(kind: Literal["schedule", "queue", "system"]) -> Actor:
    """A job's actor."""
    actor_model, actor_kind = _actor_model()
    return actor_model(kind=actor_kind(kind))


@cache
def _actor_model() -> tuple[type[Actor], type[ActorKind]]:
    """The actor's model, loaded by the first invocation that writes an event (a read function never
    does), once: an import statement run on every write costs more than this call."""
    from orders_common.models.actor import Actor, ActorKind

    return Actor, ActorKind


def is_scheduled_event(event: dict[str, Any]) -> bool:
    return event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"


def http_or_scheduled(http: LambdaHandler, scheduled: LambdaHandler) -> LambdaHandler:
    """One function serving both its API route and an EventBridge schedule."""

    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return (scheduled if is_scheduled_event(event) else http)(event, context)

    return handler


def _tracing_on() -> bool:
    try:
        return not get_settings().powertools_trace_disabled
    except ValueError:  # settings the handler itself refuses, as it always did
        return False


def _remaining_seconds(context: LambdaContext) -> float | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000 if callable(remaining) else None
