"""The process's one AWS SDK session, and the clients the desk makes from it.

Clients are made by botocore's session, as ``boto3.client`` makes them, without loading boto3 first:
boto3's package loads its resource layer, s3transfer and multiprocessing, about 12 ms of a cold start
(13 of a create's first request in the Lambda image) for nothing these functions use. One session per
process, as boto3's default one: credentials are resolved once, and every client copies the session's
hooks when it is made (the local IAM recorder hooks it through ``session()``). Its model loader looks
only at the services whose models it is asked for (``ServicesInUseLoader``).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from botocore.config import Config
from botocore.loaders import Loader, create_loader
from botocore.session import Session

from orders_common.timing import guard_attempts

# botocore's sessions are not safe to make clients from in several threads at once.
_lock = threading.Lock()
_sessions: list[Session] = []


class ServicesInUseLoader(Loader):
    """botocore's model loader, on the same search paths (``AWS_DATA_PATH`` included), that knows only
    the services whose models it was asked for.

    Before loading a service's model botocore lists every service it knows, only to check that the one
    asked for is among them: a walk of about 450 service directories and their versions, once for the
    service model and once for its endpoint rules, about 10 ms of every function's first request on the
    host and 16 ms in the Lambda image (more with a cold disk). This answers the same check from the
    asked service's own directories. Models, versions and extras load exactly as botocore loads them
    (``tests/unit/test_aws_clients.py``)."""

    def __init__(self, search_paths: list[str]) -> None:
        super().__init__(extra_search_paths=search_paths, include_default_search_paths=False)
        self._asked: set[str] = set()

    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        self._asked.add(service_name)
        return super().load_service_model(service_name, type_name, api_version)

    def list_available_services(self, type_name: str) -> list[str]:
        return sorted(service for service in tuple(self._asked) if self._has_model(service, type_name))

    def _has_model(self, service: str, type_name: str) -> bool:
        for root in self.search_paths:
            directory = os.path.join(root, service)
            if not os.path.isdir(directory):
                continue
            paths = (os.path.join(directory, version, type_name) for version in os.listdir(directory))
            if any(self.file_loader.exists(path) for path in paths):
                return True
        return False


def _new_session() -> Session:
    made = Session()
    # The paths botocore's own loader would search (``AWS_DATA_PATH`` or ``data_path``, then its defaults).
    botocore_own = create_loader(made.get_config_variable("data_path"))
    made.register_component("data_loader", ServicesInUseLoader(list(botocore_own.search_paths)))
    return made


def session() -> Session:
    """The session every client of the process comes from (made at the first call)."""
    with _lock:
        if not _sessions:
            _sessions.append(_new_session())
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
