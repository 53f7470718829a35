"""Logger and Metrics shared by every function of the service (one of each per container).

Service name, log level and metrics namespace come from the Powertools environment variables
(``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_LOG_LEVEL``, ``POWERTOOLS_METRICS_NAMESPACE``) that the
template sets globally. Whole events are never logged: they carry account data.
"""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from orders_common.exact_json import dumps

logger = Logger(service="orders")
metrics = Metrics(service="orders", namespace="Hyperoru")


def count(name: str, value: float = 1) -> None:
    """Add to a count metric of this invocation (OrdersCreated, OrdersFilled ...)."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def measure(name: str, value: float, unit: MetricUnit = MetricUnit.NoUnit) -> None:
    """Add a value that is not a count of events: an amount of cash (FillNotional, summed per minute),
    or a level this invocation saw (PendingOrders, OldestPendingAgeSeconds: chart their Maximum)."""
    metrics.add_metric(name=name, unit=unit, value=value)


def flush_metrics() -> None:
    """Publish the invocation's metrics (as a CloudWatch EMF log line), if it recorded any.

    The document is Powertools' own (``serialize_metric_set``), written as its ``flush_metrics``
    writes it but by ``exact_json`` (the same text in about half the time: the standard library builds
    a new encoder per call), after one check of the disabling variables instead of two. Disabled
    metrics are dropped: Powertools keeps them (and prints them once 100 pile up)."""
    if not metrics.metric_set:
        return
    if not is_metrics_disabled():
        print(dumps(metrics.serialize_metric_set()))  # EMF: CloudWatch reads it from the log
    metrics.clear_metrics()
