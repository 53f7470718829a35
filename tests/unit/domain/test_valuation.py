"""Realized P&L over a sequence of fills, positions marked to market, slippage: exact figures."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orders_common.domain import ledger
from orders_common.domain.fill_quality import reference_after, slippage
from orders_common.domain.money import ZERO, add, round_up
from orders_common.domain.settlement import settle_buy, settle_sell
from orders_common.domain.valuation import Holding, value_account, value_position


class Book:
    """One symbol's position and the account's running figures, moved by fills as the store moves them."""

    def __init__(self) -> None:
        self.quantity = ZERO
        self.cost_basis = ZERO
        self.figures = ledger.Performance()

    def buy(self, price: str, quantity: str, commission: str = "0") -> None:
        amount = Decimal(quantity)
        cost = round_up(Decimal(price) * amount)
        settled = settle_buy(reserved=cost, price=Decimal(price), quantity=amount, commission=Decimal(commission))
        self._apply(ledger.buy_fill("ETH", amount, settled))

    def sell(self, price: str, quantity: str, commission: str = "0") -> Decimal:
        amount = Decimal(quantity)
        settled = settle_sell(
            held_quantity=self.quantity,
            cost_basis=self.cost_basis,
            price=Decimal(price),
            quantity=amount,
            commission=Decimal(commission),
        )
        # A sale delivers reserved units: reserve them first, as creating the sell order does.
        self._apply(ledger.reservation(asset="ETH", amount=amount))
        self._apply(ledger.sell_fill("ETH", amount, settled))
        return settled.realized_pnl

    def _apply(self, movements: list[ledger.Movement]) -> None:
        moved = ledger.totals(movements).get("ETH", ledger.Totals())
        self.quantity = add(self.quantity, add(moved.available, moved.reserved))
        self.cost_basis = add(self.cost_basis, moved.cost_basis)
        found = ledger.performance(movements)
        self.figures = ledger.Performance(
            add(self.figures.realized_pnl, found.realized_pnl),
            add(self.figures.fees_paid, found.fees_paid),
            add(self.figures.net_deposits, found.net_deposits),
        )


def test_realized_pnl_over_buys_and_partial_sells_is_against_the_average_cost() -> None:
    book = Book()
    book.buy("100", "2", commission="0.2")  # cost 200
    book.buy("130", "1", commission="0.13")  # cost 330 for 3: average 110

    assert book.sell("150", "1", commission="0.15") == Decimal(40)  # 150 - 110
    assert (book.quantity, book.cost_basis) == (Decimal(2), Decimal(220))  # the average stays 110
    assert book.sell("90", "1.5", commission="0.135") == Decimal(-30)  # 135 - 165
    assert book.sell("200", "0.5", commission="0.1") == Decimal(45)  # 100 - the last 55 of the basis

    assert (book.quantity, book.cost_basis) == (ZERO, ZERO)
    assert book.figures.realized_pnl == Decimal(55)
    assert book.figures.fees_paid == Decimal("0.715")


def test_a_share_of_an_uneven_cost_basis_is_rounded_down_and_the_last_sale_takes_the_rest() -> None:
    book = Book()
    book.buy("40", "1")
    book.buy("30", "2")  # 100 for 3 units

    realized = [book.sell("40", "1"), book.sell("40", "1"), book.sell("40", "1")]

    assert realized == [Decimal("6.66666667"), Decimal("6.66666667"), Decimal("6.66666666")]
    assert sum(realized) == Decimal(120) - Decimal(100)
    assert book.figures.realized_pnl == Decimal(20)


def test_the_ledger_movements_of_a_sale_carry_its_realized_pnl_on_the_position_entry() -> None:
    settled = settle_sell(
        held_quantity=Decimal(4), cost_basis=Decimal(400), price=Decimal(120), quantity=Decimal(1), commission=ZERO
    )

    movements = ledger.sell_fill("ETH", Decimal(1), settled)

    assert [(m.asset, m.realized_pnl) for m in movements] == [("ETH", Decimal(20)), ("cash", None)]
    assert ledger.performance(ledger.deposit(Decimal(500)) + ledger.withdrawal(Decimal(120))).net_deposits == 380


def test_a_position_marked_to_market() -> None:
    valued = value_position(Holding("ETH", Decimal("1.5"), Decimal(4500)), Decimal("3333.33"))

    assert valued.current_price == Decimal("3333.33")
    assert valued.market_value == Decimal("4999.995")
    assert valued.unrealized_pnl == Decimal("499.995")
    assert valued.unrealized_pnl_percent == Decimal("11.11100000")


def test_a_held_position_without_a_price_makes_the_account_figures_unknown() -> None:
    valued = value_account(
        cash=Decimal(1000),
        holdings=[Holding("BTC", Decimal(1), Decimal(60000)), Holding("DOGE", Decimal(10), Decimal(1))],
        prices={"BTC": Decimal(70000)},
        net_deposits=Decimal(50000),
    )

    assert valued.positions[0].market_value == Decimal(70000)
    assert valued.positions[1].market_value is None
    assert (valued.positions_value, valued.equity, valued.unrealized_pnl) == (None, None, None)
    assert (valued.total_return, valued.total_return_percent) == (None, None)
    assert valued.unpriced == ("DOGE",)


def test_an_emptied_position_is_worth_nothing_even_without_a_price() -> None:
    valued = value_account(
        cash=Decimal(100), holdings=[Holding("DOGE", ZERO, ZERO)], prices={}, net_deposits=Decimal(80)
    )

    assert (valued.equity, valued.total_return, valued.total_return_percent) == (100, 20, 25)
    assert valued.unpriced == ()


def test_returns_need_positive_net_deposits_for_a_percentage() -> None:
    valued = value_account(cash=Decimal(10), holdings=[], prices={}, net_deposits=ZERO)

    assert (valued.total_return, valued.total_return_percent) == (Decimal(10), None)
    assert value_account(cash=Decimal(10), holdings=[], prices={}, net_deposits=None).total_return is None


def test_slippage_is_positive_when_the_fill_is_worse_for_either_side() -> None:
    market = Decimal(3500)

    assert slippage(buy=True, fill_price=Decimal(3507), reference_price=market) == Decimal("0.002")
    assert slippage(buy=False, fill_price=Decimal(3493), reference_price=market) == Decimal("0.002")
    assert slippage(buy=True, fill_price=Decimal(3493), reference_price=market) == Decimal("-0.002")
    assert slippage(buy=False, fill_price=Decimal(3507), reference_price=market) == Decimal("-0.002")
    assert slippage(buy=True, fill_price=None, reference_price=market) is None
    assert slippage(buy=True, fill_price=Decimal(1), reference_price=None) is None


def test_the_reference_price_over_several_fills_is_weighted_by_quantity() -> None:
    first = reference_after(previous=None, filled_before=ZERO, market_price=Decimal(100), filled_now=Decimal(1))
    second = reference_after(previous=first, filled_before=Decimal(1), market_price=Decimal(110), filled_now=Decimal(3))

    assert (first, second) == (Decimal(100), Decimal("107.5"))
    assert (
        reference_after(previous=second, filled_before=Decimal(4), market_price=None, filled_now=Decimal(1)) == second
    )


amounts = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal(1_000_000), places=8)
quantities = st.decimals(min_value=ZERO, max_value=Decimal(10_000), places=8)


@given(
    cash=st.decimals(min_value=ZERO, max_value=Decimal(10**9), places=8),
    positions=st.lists(st.tuples(quantities, amounts, amounts), max_size=8),
)
def test_equity_is_cash_plus_the_market_value_of_every_position(
    cash: Decimal, positions: list[tuple[Decimal, Decimal, Decimal]]
) -> None:
    holdings = [Holding(f"S{number}", quantity, cost) for number, (quantity, cost, _) in enumerate(positions)]
    prices = {f"S{number}": price for number, (_, _, price) in enumerate(positions)}

    valued = value_account(cash=cash, holdings=holdings, prices=prices, net_deposits=cash)

    values = [position.market_value for position in valued.positions]
    assert all(value is not None for value in values)
    assert valued.equity == cash + sum(values, start=ZERO)  # type: ignore[arg-type]
    assert valued.unrealized_pnl == sum(values, start=ZERO) - sum(  # type: ignore[arg-type]
        (h.cost_basis for h, p in zip(holdings, valued.positions, strict=True) if h.quantity != 0), start=ZERO
    )
    assert valued.total_return == valued.equity - cash  # type: ignore[operator]
