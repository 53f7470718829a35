"""The process's one AWS SDK session, and the clients the desk makes from it.

Clients are made by botocore's session, as ``boto3.client`` makes them, without loading boto3 first:
boto3's package loads its resource layer, s3transfer and multiprocessing, about 12 ms of a cold start
(13 of a create's first request in the Lambda image) for nothing these functions use. One session per
process, as boto3's default one: credentials are resolved once, and every client copies the session's
hooks when it is made (the local IAM recorder hooks it through ``session()``).
"""

from __future__ import annotations

import threading
from typing import Any

from botocore.config import Config
from botocore.session import Session

from orders_common.timing import guard_attempts

# botocore's sessions are not safe to make clients from in several threads at once.
_lock = threading.Lock()
_sessions: list[Session] = []


def session() -> Session:
    """The session every client of the process comes from (made at the first call)."""
    with _lock:
        if not _sessions:
            _sessions.append(Session())
        return _sessions[0]


def new_client(service: str, config: Config | None = None) -> Any:
    """A low-level client of ``service``. Region, endpoint and credentials come from the standard AWS
    environment (AWS_REGION, AWS_ENDPOINT_URL...), which is how `make run` and the tests point it at moto."""
    source = session()
    with _lock:
        return source.create_client(service, config=config)


def guarded_client(service: str, config: Config, attempt_seconds: float) -> Any:
    """A client whose every attempt starts only when it can end in time (``timing.guard_attempts``)."""
    return guard_attempts(new_client(service, config), attempt_seconds)
