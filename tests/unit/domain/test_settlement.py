"""Reservations and fills: what is held back, what a fill charges, what a sale takes from the cost basis."""

from __future__ import annotations

from decimal import Decimal

from orders_common.domain.fees import FeeSchedule
from orders_common.domain.settlement import average_cost, buy_reservation, cost_relief, settle_buy, settle_sell

FEES = FeeSchedule(rate=Decimal("0.001"))


def test_a_limit_buy_reserves_its_notional_and_commission() -> None:
    reserved = buy_reservation(
        quantity=Decimal("0.1"),
        limit_price=Decimal(60000),
        market_price=Decimal(68500),
        buffer_bps=Decimal(100),
        commission=FEES.commission,
    )
    assert reserved == Decimal(6000) + Decimal(6)


def test_a_market_buy_reserves_a_margin_above_the_current_price() -> None:
    reserved = buy_reservation(
        quantity=Decimal("0.01"),
        limit_price=None,
        market_price=Decimal(68500),
        buffer_bps=Decimal(100),
        commission=FEES.commission,
    )
    assert reserved == Decimal("691.85") + Decimal("0.69185")


def test_a_buy_fill_within_its_reservation_gives_the_rest_back() -> None:
    settled = settle_buy(
        reserved=Decimal("692.54185"),
        price=Decimal("68534.25"),
        quantity=Decimal("0.01"),
        commission=Decimal("0.6853425"),
    )
    assert settled.cost == Decimal("685.3425")
    assert settled.available_change == Decimal("6.5140075")
    assert settled.shortfall == 0


def test_a_buy_fill_dearer_than_its_reservation_has_a_shortfall() -> None:
    settled = settle_buy(reserved=Decimal(100), price=Decimal(101), quantity=Decimal(1), commission=Decimal(1))
    assert (settled.available_change, settled.shortfall) == (Decimal(-2), Decimal(2))


def test_a_sale_takes_its_share_of_the_cost_basis_and_realizes_the_rest() -> None:
    settled = settle_sell(
        held_quantity=Decimal(10),
        cost_basis=Decimal(30000),
        price=Decimal(3500),
        quantity=Decimal(4),
        commission=Decimal(14),
    )
    assert (settled.proceeds, settled.cost_relief, settled.credit) == (Decimal(14000), Decimal(12000), Decimal(13986))
    assert settled.realized_pnl == Decimal(2000)


def test_selling_the_whole_position_takes_the_whole_cost_basis() -> None:
    assert cost_relief(held_quantity=Decimal(3), cost_basis=Decimal(100), quantity=Decimal(3)) == Decimal(100)


def test_a_share_of_the_cost_basis_rounds_down_so_the_rest_never_goes_negative() -> None:
    relief = cost_relief(held_quantity=Decimal(3), cost_basis=Decimal(100), quantity=Decimal(1))
    assert relief == Decimal("33.33333333")
    assert Decimal(100) - 3 * relief >= 0


def test_average_cost_is_shown_to_eight_places_and_absent_without_quantity() -> None:
    assert average_cost(Decimal("90685.3425"), Decimal("1.51")) == Decimal("60056.51821192")
    assert average_cost(Decimal(0), Decimal(0)) is None
