"""Accounts marked to market: positions at current prices, unrealized and realized P&L, equity and
return; and a user's portfolio (every account and their totals).

Valuation figures are null when a held symbol has no price (``valuation_error`` says why); the figures
kept with the account (cash, realized P&L, fees, net deposits) are always there.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from orders_common.models.account import AccountSummary, Position
from orders_common.models.base import Model
from orders_common.models.numbers import ExactDecimal, UtcDateTime

_PRICE_NULL = "null when it has no price."


class ValuedPosition(Position):
    current_price: ExactDecimal | None = Field(default=None, description=f"The current mid price; {_PRICE_NULL}")
    market_value: ExactDecimal | None = Field(default=None, description=f"quantity x current_price; {_PRICE_NULL}")
    unrealized_pnl: ExactDecimal | None = Field(default=None, description="market_value less cost_basis.")
    unrealized_pnl_percent: ExactDecimal | None = Field(
        default=None, description="unrealized_pnl as a percentage of cost_basis; null without a cost basis."
    )


class Valuation(Model):
    """The figures of an account, or of several together (a portfolio's totals)."""

    model_config = ConfigDict(frozen=True)

    positions_value: ExactDecimal | None = Field(default=None, description="Sum of the positions' market values.")
    equity: ExactDecimal | None = Field(default=None, description="cash (available and reserved) + positions_value.")
    realized_pnl: ExactDecimal = Field(
        description="Sum of every sale's proceeds less the average cost of what it sold (commissions apart)."
    )
    unrealized_pnl: ExactDecimal | None = Field(default=None, description="Sum of the positions' unrealized P&L.")
    fees_paid: ExactDecimal = Field(description="Sum of every commission paid.")
    net_deposits: ExactDecimal | None = Field(
        description="Deposits less withdrawals, as the ledger sums them; null for an account opened before "
        "this figure was kept."
    )
    total_return: ExactDecimal | None = Field(default=None, description="equity less net_deposits.")
    total_return_percent: ExactDecimal | None = Field(
        default=None, description="total_return as a percentage of net_deposits; null unless they are positive."
    )
    valued_at: UtcDateTime | None = Field(default=None, description="When the prices were read; null without them.")
    valuation_error: str | None = Field(default=None, description="Why the valuation figures are null, if they are.")


class ValuedAccount(Valuation, AccountSummary):
    """An account with its positions marked to market (``GET /api/accounts/{account_id}``)."""

    positions: tuple[ValuedPosition, ...] = ()


class PortfolioTotals(Valuation):
    cash: ExactDecimal = Field(description="Cash of every account, available and reserved.")


class Portfolio(Model):
    """Every account of a user, valued at one set of prices, and their totals."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    accounts: tuple[ValuedAccount, ...]
    totals: PortfolioTotals
