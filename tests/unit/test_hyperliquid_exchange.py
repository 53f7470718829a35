"""The venue adapter's bookkeeping: which of an order's venue fills are new (those after the ones that make up
what the desk recorded), what a fill is charged, and when it connects."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from orders_common.errors import ExchangeUnavailable
from orders_common.exchange.hyperliquid_answers import VenueFill
from orders_common.exchange.hyperliquid_exchange import HyperliquidExchange, commission_of, unrecorded


def fill(size: str, tid: int, fee: str = "0.1", paid_in: str = "USDC") -> VenueFill:
    return VenueFill(
        Decimal(68000), Decimal(size), Decimal(fee), paid_in, datetime(2026, 12, 4, tzinfo=UTC), tid, 9, False
    )


FILLS = [fill("0.3", 1), fill("0.4", 2), fill("0.2", 3)]


@pytest.mark.parametrize(("recorded", "new_tids"), [("0", [1, 2, 3]), ("0.3", [2, 3]), ("0.7", [3]), ("0.9", [])])
def test_the_fills_after_what_was_recorded_are_new(recorded: str, new_tids: list[int]) -> None:
    assert [f.tid for f in unrecorded(FILLS, Decimal(recorded), 9)] == new_tids


@pytest.mark.parametrize("recorded", ["0.5", "1.2"])
def test_a_record_that_does_not_line_up_with_the_venue_fills_settles_nothing(recorded: str) -> None:
    with pytest.raises(ExchangeUnavailable, match="do not match"):
        unrecorded(FILLS, Decimal(recorded), 9)


def test_the_venue_fee_is_the_commission_but_a_rebate_or_another_token_is_not_charged() -> None:
    assert commission_of(fill("1", 1, "3.06")) == Decimal("3.06")
    assert commission_of(fill("1", 1, "-0.5")) == 0
    assert commission_of(fill("1", 1, "0.2", "HYPE")) == 0


def test_the_venue_is_connected_at_first_use_and_again_every_five_minutes_for_a_rotated_key() -> None:
    now = [1000.0]
    connections: list[object] = []

    def connect() -> Any:
        connections.append(object())
        return connections[-1]

    exchange = HyperliquidExchange(connect, network="testnet", max_slippage_bps=Decimal(50), clock=lambda: now[0])
    assert connections == []  # building it reads no secret and asks the venue nothing

    first = exchange.client
    now[0] += 299
    assert exchange.client is first and len(connections) == 1
    now[0] += 1
    assert exchange.client is not first and len(connections) == 2
