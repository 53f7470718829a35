"""Logger and Metrics shared by every function of the service (one of each per container).

Service name, log level and metrics namespace come from the Powertools environment variables
(``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_LOG_LEVEL``, ``POWERTOOLS_METRICS_NAMESPACE``) that the
template sets globally. Whole events are never logged: they carry account data.
"""

import time
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.constants import MAX_METRICS

from orders_common.exact_json import dumps

logger = Logger(service="orders")
metrics = Metrics(service="orders", namespace="Hyperoru")  # writes the EMF document (serialize_metric_set)
_STANDARD_RESOLUTION = 60  # CloudWatch's standard (one-minute) storage resolution, as Powertools records it

# This invocation's metrics, held as Powertools' metric set holds them (``serialize_metric_set`` reads
# that shape). Powertools' ``add_metric`` checks the name, the unit and the resolution at every call and
# formats a debug message whether or not it is logged: about 25 µs of a warm create on Lambda's image.
# Here they are the desk's own constants (``tests/unit/test_observability.py`` holds every one the code
# records to CloudWatch's rules), recorded by a dictionary lookup.
_recorded: dict[str, dict[str, Any]] = {}


def count(name: str, value: float = 1) -> None:
    """Add to a count metric of this invocation (OrdersCreated, OrdersFilled ...)."""
    _record(name, MetricUnit.Count, value)


def measure(name: str, value: float, unit: MetricUnit = MetricUnit.NoUnit) -> None:
    """Add a value that is not a count of events: an amount of cash (FillNotional, summed per minute),
    or a level this invocation saw (PendingOrders, OldestPendingAgeSeconds: chart their Maximum)."""
    _record(name, unit, value)


def recorded_metrics() -> dict[str, dict[str, Any]]:
    """What this invocation recorded so far, by name: ``Unit``, ``StorageResolution`` and ``Value``."""
    return _recorded


def _record(name: str, unit: MetricUnit, value: float) -> None:
    metric = _recorded.get(name)
    if metric is None:
        metric = _recorded[name] = {"Unit": unit.value, "StorageResolution": _STANDARD_RESOLUTION, "Value": []}
    metric["Value"].append(float(value))
    if len(_recorded) == MAX_METRICS or len(metric["Value"]) == MAX_METRICS:
        flush_metrics()  # an EMF document holds at most 100 metrics, and 100 values of one (as Powertools does)


def flush_metrics() -> None:
    """Publish the invocation's metrics (as a CloudWatch EMF log line), if it recorded any.

    The line is Powertools' own document (``serialize_metric_set`` of the recorded metrics, its
    dimensions: the service) as ``exact_json`` writes it. Disabled metrics are dropped: Powertools
    keeps them (and prints them once 100 pile up)."""
    if not _recorded:
        return
    try:
        if not is_metrics_disabled():
            print(_emf_line(_recorded))  # EMF: CloudWatch reads it from the log
    finally:
        _recorded.clear()


# Powertools' document for each set of metrics an invocation records (names, units and resolutions
# in order, under the dimensions of the time), written once and kept in pieces around what changes
# from one invocation to the next: the timestamp and the values. Building and writing the whole
# document at every invocation (Powertools' serializer, its debug message, then the JSON) cost a warm
# create 31 to 52 µs on Lambda's image, the most of anything the desk adds to a request.
_line_pieces: dict[tuple[Any, ...], list[str] | None] = {}
_GAP = "\x00emf-gap\x00"  # where a value goes: no name or dimension of the desk's holds a control character


def _emf_line(recorded: dict[str, dict[str, Any]]) -> str:
    provider = metrics.provider
    if provider.metadata_set or provider.dimension_sets:  # never set by the desk: written whole
        return _whole_line(recorded)
    shape = (
        tuple(provider.dimension_set.items()),
        *((name, metric["Unit"], metric["StorageResolution"]) for name, metric in recorded.items()),
    )
    if shape not in _line_pieces:
        _line_pieces[shape] = _pieces_of(dict(metrics.serialize_metric_set(metrics=recorded)), recorded)
    pieces = _line_pieces[shape]
    if pieces is None:
        return _whole_line(recorded)
    timestamp = provider.timestamp or int(time.time() * 1000)  # as Powertools: the epoch in milliseconds
    parts = [pieces[0], str(timestamp)]
    for piece, metric in zip(pieces[1:], recorded.values(), strict=False):
        parts += (piece, dumps(metric["Value"]))
    parts.append(pieces[-1])
    return "".join(parts)


def _whole_line(recorded: dict[str, dict[str, Any]]) -> str:
    return dumps(metrics.serialize_metric_set(metrics=recorded))


def _pieces_of(document: dict[str, Any], recorded: dict[str, dict[str, Any]]) -> list[str] | None:
    """The document's text (as ``exact_json`` writes it) split where its timestamp and each metric's
    values go; None if a dimension's own text holds the mark (the document is then written whole)."""
    document["_aws"]["Timestamp"] = _GAP
    for name in recorded:
        document[name] = _GAP
    pieces = dumps(document).split(dumps(_GAP))
    return pieces if len(pieces) == len(recorded) + 2 else None
