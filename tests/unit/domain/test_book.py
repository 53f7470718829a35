"""Walking an order book: exact prices and quantities per level, limits, slippage bounds, lots."""

from __future__ import annotations

from decimal import Decimal

from orders_common.domain.book import (
    Level,
    average_price,
    synthetic_book,
    total_quantity,
    walk,
    walk_for_cash,
    worst_acceptable_price,
)
from orders_common.models.numbers import utc_now

BOOK = synthetic_book("BTC", Decimal(68500), levels=10, level_size=Decimal(1), step_bps=Decimal(1), quoted_at=utc_now())


def test_the_synthetic_book_steps_one_basis_point_per_level_on_each_side() -> None:
    assert [level.price for level in BOOK.asks[:3]] == [Decimal("68506.85"), Decimal("68513.7"), Decimal("68520.55")]
    assert [level.price for level in BOOK.bids[:3]] == [Decimal("68493.15"), Decimal("68486.3"), Decimal("68479.45")]
    assert len(BOOK.asks) == len(BOOK.bids) == 10
    assert all(level.size == 1 for level in (*BOOK.asks, *BOOK.bids))


def test_a_market_buy_of_three_and_a_half_takes_four_levels() -> None:
    worst = worst_acceptable_price(side="buy", limit_price=None, mid_price=Decimal(68500), max_slippage_bps=Decimal(50))

    parts = walk(BOOK.asks, side="buy", quantity=Decimal("3.5"), worst_price=worst)

    assert [(p.level, p.price, p.quantity) for p in parts] == [
        (1, Decimal("68506.85"), Decimal(1)),
        (2, Decimal("68513.7"), Decimal(1)),
        (3, Decimal("68520.55"), Decimal(1)),
        (4, Decimal("68527.4"), Decimal("0.5")),
    ]
    # (68506.85 + 68513.7 + 68520.55 + 0.5 x 68527.4) / 3.5 = 239804.8 / 3.5 = 68515.657142857..., up
    assert average_price(parts) == Decimal("68515.65714286")
    assert total_quantity(parts) == Decimal("3.5")


def test_a_limit_stops_at_the_last_level_it_accepts() -> None:
    parts = walk(BOOK.asks, side="buy", quantity=Decimal(5), worst_price=Decimal("68513.7"))

    assert total_quantity(parts) == 2
    sells = walk(BOOK.bids, side="sell", quantity=Decimal(5), worst_price=Decimal("68486.30"))
    assert [(p.level, p.price) for p in sells] == [(1, Decimal("68493.15")), (2, Decimal("68486.3"))]


def test_slippage_bounds_a_market_order_and_the_book_can_run_out() -> None:
    two_bps = worst_acceptable_price(
        side="sell", limit_price=None, mid_price=Decimal(68500), max_slippage_bps=Decimal(2)
    )
    assert two_bps == Decimal("68486.3")
    assert total_quantity(walk(BOOK.bids, side="sell", quantity=Decimal(5), worst_price=two_bps)) == 2
    assert total_quantity(walk(BOOK.asks, side="buy", quantity=Decimal(50), worst_price=Decimal(10**6))) == 10


def test_parts_are_whole_lots() -> None:
    thin = (Level(Decimal(100), Decimal("0.123456")), Level(Decimal(101), Decimal(5)))

    parts = walk(thin, side="buy", quantity=Decimal("1.5"), worst_price=Decimal(200), lot_places=4)

    assert [p.quantity for p in parts] == [Decimal("0.1234"), Decimal("1.3766")]


def test_a_notional_buy_takes_what_its_cash_pays_for_level_by_level() -> None:
    parts = walk_for_cash(BOOK.asks, budget=Decimal(100000), worst_price=Decimal(10**6), lot_places=5)

    # 100000 - 68506.85 = 31493.15 left, / 68513.7 = 0.4596631..., down to 5 places
    assert [(p.level, p.quantity) for p in parts] == [(1, Decimal(1)), (2, Decimal("0.45966"))]
    spent = sum(p.price * p.quantity for p in parts)
    assert spent <= 100000 and 100000 - spent < Decimal("68513.7") * Decimal("0.00001")
