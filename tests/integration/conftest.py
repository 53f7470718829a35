"""Fixtures the API tests share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localdev.local_auth import LocalIssuer
from orders_common.wiring import reset_services
from tests.support.auth import Secured
from tests.support.stack import Deployed
from tests.support.venue_secrets import secrets_manager


@pytest.fixture
def secured(stack: Deployed, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Secured:
    """The stack with authentication on."""
    monkeypatch.setenv("AUTH_ENABLED", "true")
    reset_services()
    issuer = LocalIssuer(issuer="https://issuer.test", audience="orders-api", key_path=tmp_path / "key.pem")
    stack.require_tokens(issuer)
    return Secured(stack, issuer)


@pytest.fixture
def venue_secrets() -> Iterator[Any]:
    """A moto Secrets Manager for the venue's secret (tests.support.venue_secrets)."""
    with secrets_manager() as client:
        yield client
