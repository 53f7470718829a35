"""The stack's functions priced from a local Hyperliquid stand-in, as a deployment with
``PriceSource=hyperliquid`` is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from localdev.fake_hyperliquid import Script, fake_hyperliquid
from orders_common.wiring import reset_services


@contextmanager
def hyperliquid_prices(
    monkeypatch: pytest.MonkeyPatch, *, max_attempts: int, timeout_seconds: float
) -> Iterator[Script]:
    """Yields the stand-in's script; the services are rebuilt to read the new settings."""
    with fake_hyperliquid() as (url, script):
        monkeypatch.setenv("PRICE_SOURCE", "hyperliquid")
        monkeypatch.setenv("HYPERLIQUID_INFO_URL", url)
        monkeypatch.setenv("PRICE_MAX_ATTEMPTS", str(max_attempts))
        monkeypatch.setenv("PRICE_TIMEOUT_SECONDS", str(timeout_seconds))
        reset_services()
        yield script
