"""Logger and Metrics shared by every function of the service (one of each per container).

Service name, log level and metrics namespace come from the Powertools environment variables
(``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_LOG_LEVEL``, ``POWERTOOLS_METRICS_NAMESPACE``) that the
template sets globally. Whole events are never logged: they carry account data.
"""

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="orders")
metrics = Metrics(service="orders", namespace="Hyperoru")


def flush_metrics() -> None:
    """Publish the invocation's metrics (as CloudWatch EMF log lines), if it recorded any."""
    if metrics.metric_set:
        metrics.flush_metrics()
