"""Hyperliquid's tick and lot size, and the desk's client order ids, checked exactly (Decimal, no floats).

The rules: https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/tick-and-lot-size; the examples
marked "docs" are that page's own.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hyperliquid.utils.types import Cloid

from orders_common.exchange.hyperliquid_rules import (
    BelowVenueMinimum,
    cloid_for,
    ioc_limit_for_market,
    order_id_of,
    order_refusal,
    round_price,
    round_size,
)


def test_a_cloid_is_sixteen_bytes_the_sdk_accepts_and_the_same_every_time() -> None:
    cloid = cloid_for(42)

    assert cloid == "0x" + b"hyperoru".hex() + "000000000000002a"
    assert Cloid(cloid).to_raw() == cloid == cloid_for(42)
    assert cloid_for(2**64 - 1) == "0x" + b"hyperoru".hex() + "f" * 16
    assert len({cloid_for(n) for n in range(1, 1000)}) == 999
    assert order_id_of(cloid) == 42 and order_id_of(cloid.upper().replace("0X", "0x")) == 42


@pytest.mark.parametrize("order_id", [0, -1, 2**64])
def test_an_order_id_a_cloid_cannot_hold_is_refused(order_id: int) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        cloid_for(order_id)


@pytest.mark.parametrize("cloid", ["0x" + "00" * 16, "0x" + "ab" * 16, "0x" + b"hyperoru".hex() + "0" * 16, "0x12"])
def test_a_cloid_the_desk_did_not_make_has_no_order_id(cloid: str) -> None:
    assert order_id_of(cloid) is None


@pytest.mark.parametrize(
    ("size", "sz_decimals", "expected"),
    [
        (Decimal("1.0019"), 3, Decimal("1.001")),  # docs: 1.001 is valid, 1.0001 is not
        (Decimal("0.123456789"), 5, Decimal("0.12345")),  # toward zero, never up to 0.12346
        (Decimal("2.5"), 5, Decimal("2.5")),
        (Decimal("7.99"), 0, Decimal(7)),
        (Decimal(3), 2, Decimal(3)),
    ],
)
def test_a_size_is_cut_to_the_lot_never_rounded_up(size: Decimal, sz_decimals: int, expected: Decimal) -> None:
    rounded = round_size(size, sz_decimals)

    assert rounded == expected and str(rounded) == str(expected) and rounded <= size


def test_a_size_below_one_lot_is_no_order() -> None:
    with pytest.raises(BelowVenueMinimum):
        round_size(Decimal("0.000009"), 5)


@pytest.mark.parametrize(
    ("price", "sz_decimals", "buy", "sell"),
    [
        (Decimal("1234.56"), 0, Decimal("1234.5"), Decimal("1234.6")),  # docs: 5 significant figures
        (Decimal("0.0012345"), 0, Decimal("0.001234"), Decimal("0.001235")),  # docs: at most 6 decimals
        (Decimal("0.012345"), 1, Decimal("0.01234"), Decimal("0.01235")),  # docs: 6 - szDecimals
        (Decimal("123456.7"), 5, Decimal(123456), Decimal(123457)),  # docs: integers always allowed
        (Decimal("68506.85"), 5, Decimal(68506), Decimal(68507)),  # BTC: 5 figures are all integer
        (Decimal("3500.35"), 4, Decimal("3500.3"), Decimal("3500.4")),
        (Decimal("150.0151"), 2, Decimal("150.01"), Decimal("150.02")),
        (Decimal("9.999961"), 0, Decimal("9.9999"), Decimal(10)),  # a sell rounds up onto the power of ten
        (Decimal(68000), 5, Decimal(68000), Decimal(68000)),  # on the tick already: unchanged both ways
        (Decimal("1.5"), 5, Decimal("1.5"), Decimal("1.5")),  # BTC-like szDecimals leave one decimal
        (Decimal("1.55"), 5, Decimal("1.5"), Decimal("1.6")),
    ],
)
def test_a_price_goes_onto_the_tick_never_against_the_client(
    price: Decimal, sz_decimals: int, buy: Decimal, sell: Decimal
) -> None:
    bought, sold = round_price(price, sz_decimals, is_buy=True), round_price(price, sz_decimals, is_buy=False)

    assert (bought, sold) == (buy, sell)
    assert bought <= price <= sold  # a buy never pays more, a sell never takes less, than its limit
    assert "E" not in str(bought) + str(sold)  # plain notation: what the wire writes


@pytest.mark.parametrize("price", [Decimal(0), Decimal(-1), Decimal("0.0000004")])
def test_a_price_that_is_nothing_on_the_tick_is_refused(price: Decimal) -> None:
    with pytest.raises(BelowVenueMinimum):
        round_price(price, 0, is_buy=True)


def test_a_market_orders_ioc_limit_allows_at_most_its_slippage() -> None:
    # 68500 x 1.005 = 68842.5 and x 0.995 = 68157.5: BTC prices are whole numbers here, rounded inward.
    assert ioc_limit_for_market(Decimal(68500), Decimal(50), 5, is_buy=True) == Decimal(68842)
    assert ioc_limit_for_market(Decimal(68500), Decimal(50), 5, is_buy=False) == Decimal(68158)
    # 3500.5 x 1.01 = 3535.505; x 0.99 = 3465.495
    assert ioc_limit_for_market(Decimal("3500.5"), Decimal(100), 4, is_buy=True) == Decimal("3535.5")
    assert ioc_limit_for_market(Decimal("3500.5"), Decimal(100), 4, is_buy=False) == Decimal("3465.5")
    assert ioc_limit_for_market(Decimal(150), Decimal(0), 2, is_buy=True) == Decimal(150)


def refusal(**changes: object) -> str | None:
    order: dict[str, object] = {
        "sz_decimals": 5, "quantity": Decimal("0.01"), "quote_quantity": None, "limit_price": None,
        "reference_price": Decimal(68500), "fill_or_kill": False,
    }  # fmt: skip
    order.update(changes)
    return order_refusal(**order)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({}, None),  # 0.01 BTC at 68500: 685 USDC
        ({"sz_decimals": None}, "the venue does not list this coin"),
        ({"fill_or_kill": True}, "the venue has no fill-or-kill orders; use ioc"),
        ({"quantity": Decimal("0.000001")}, "quantity 0.000001 is not a multiple of the venue's lot size 0.00001"),
        ({"quantity": Decimal("0.0001")}, "order value 6.85 is below the venue's minimum of 10 USDC"),
        ({"quantity": Decimal("0.00015")}, None),  # 10.275 USDC: just above
        ({"quantity": None, "quote_quantity": Decimal("9.99")},
         "order value 9.99 is below the venue's minimum of 10 USDC"),
        ({"limit_price": Decimal("68000")}, None),
        ({"limit_price": Decimal("123456")}, None),  # an integer price is always on the tick
        ({"limit_price": Decimal("68000.5")},
         "price 68000.5 is not on the venue's tick: at most 5 significant figures and 0 decimal places at this price"),
        ({"sz_decimals": 2, "limit_price": Decimal("150.123")},
         "price 150.123 is not on the venue's tick: at most 5 significant figures and 2 decimal places at this price"),
        ({"limit_price": Decimal(500), "quantity": Decimal("0.01")},
         "order value 5 is below the venue's minimum of 10 USDC"),
    ],
)  # fmt: skip
def test_what_the_venue_would_refuse_is_said_before_the_order_is_stored(
    changes: dict[str, object], reason: str | None
) -> None:
    assert refusal(**changes) == reason
