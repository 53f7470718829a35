"""Powertools' SQS batch processing, for the executor.

Importing it through this module installs the lazy Powertools packages first
(``coldstart.lazy_powertools``; only queue and stream functions use them, so only they pay for
installing them) and loads the batch module before anything loads pydantic: the batch module then
skips importing its
pydantic parser models, which only serve type hints. A handler imports this before the service's
models (its name sorts first); ``tests/unit/test_coldstart.py`` pins both effects.
"""

from orders_common.coldstart import lazy_powertools

lazy_powertools.install()

# After the lazy packages are in place:
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response  # noqa: E402

__all__ = ["BatchProcessor", "EventType", "process_partial_response"]
