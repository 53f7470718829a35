"""The composition root: the only place that joins use cases to the adapters they run on.

Adapters (``adapters``) are built on first use and kept for the life of the container. Use cases
(``order_cases``, ``account_cases``) are built each time they are asked for, from the adapters as they
are then: replacing an adapter (a test double) takes effect at once.
"""

from __future__ import annotations

import threading

from orders_common.config import get_settings
from orders_common.wiring.account_cases import AccountUseCases
from orders_common.wiring.order_cases import OrderUseCases


class Services(OrderUseCases, AccountUseCases):
    """Every adapter and use case of a container."""


_current: Services | None = None
_lock = threading.Lock()


def services() -> Services:
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = Services(get_settings())
    return _current


def begin_invocation() -> None:
    if _current is not None:
        _current.begin_invocation()


def build_for_snapshot() -> object:
    """What a SnapStart snapshot should hold: the settings and the table's client."""
    return services().table


def install_services(replacement: Services) -> None:
    """Make ``services()`` answer ``replacement`` (benchmarks and tests that swap a collaborator)."""
    global _current
    with _lock:
        _current = replacement


def reset_services() -> None:
    """Forget the built services and settings (tests and the local server change the environment)."""
    from orders_common.exchange.hyperliquid_credentials import forget_secrets

    global _current
    with _lock:
        _current = None
    get_settings.cache_clear()
    forget_secrets()  # its client was made for the AWS endpoint of the environment being left
