"""Powertools' SQS batch processing, for the executor.

Importing it through this module loads the layer's package first (its lazy Powertools packages are in
place) and the batch module before anything loads pydantic: the batch module then skips importing its
pydantic parser models, which only serve type hints. A handler imports this before the service's
models (its name sorts first); ``tests/unit/test_coldstart.py`` pins both effects.
"""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

__all__ = ["BatchProcessor", "EventType", "process_partial_response"]
