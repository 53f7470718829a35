"""Request parameter markers for routes (Powertools'), imported through the layer so that the lazy
Powertools packages are in place before the event handler is first imported."""

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query

__all__ = ["Body", "Header", "Path", "Query"]
