"""Accounts marked to market: an account (its owner), and every account of a user with their totals
(that user or an admin). The prices of every position are read in one request; when they cannot be
had, the accounts are still answered, without the figures that need prices."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from orders_common.domain.money import ZERO, add
from orders_common.domain.valuation import Holding, returns, total, value_account
from orders_common.errors import AccountNotFound, ExchangeUnavailable
from orders_common.models.numbers import utc_now
from orders_common.models.portfolio import Portfolio, PortfolioTotals, ValuedAccount, ValuedPosition
from orders_common.observability import logger

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.exchange.base import PriceSource
    from orders_common.logic.ports.accounts import AccountLists, AccountReads
    from orders_common.models.account import Account

ACCOUNTS_PER_PAGE = 100


@dataclass(frozen=True)
class Prices:
    """One batch of prices, or why there is none."""

    table: dict[str, Decimal]
    valued_at: datetime | None
    error: str | None


def read_prices(source: PriceSource, accounts: Sequence[Account]) -> Prices:
    symbols = sorted({p.symbol.upper() for account in accounts for p in account.positions if p.quantity != 0})
    if not symbols:
        return Prices({}, utc_now(), None)
    try:
        table = source.get_prices(symbols)
    except ExchangeUnavailable as unavailable:
        logger.warning("Prices unavailable for a valuation", error=str(unavailable))
        return Prices({}, None, f"Prices are unavailable: {unavailable}")
    return Prices(dict(table), utc_now(), None)


def value(account: Account, prices: Prices) -> ValuedAccount:
    holdings = [Holding(p.symbol, p.quantity, p.cost_basis) for p in account.positions]
    figures = value_account(
        cash=account.cash,
        holdings=holdings,
        prices=prices.table,
        net_deposits=account.net_deposits,
    )
    error = prices.error
    if error is None and figures.unpriced:
        error = f"No price for {', '.join(sorted(figures.unpriced))}."
    positions = tuple(
        ValuedPosition(
            **position.model_dump(include={"symbol", "available_quantity", "reserved_quantity", "cost_basis"}),
            current_price=found.current_price,
            market_value=found.market_value,
            unrealized_pnl=found.unrealized_pnl,
            unrealized_pnl_percent=found.unrealized_pnl_percent,
        )
        for position, found in zip(account.positions, figures.positions, strict=True)
    )
    return ValuedAccount(
        **account.model_dump(exclude={"positions", "cash"}),
        positions=positions,
        positions_value=figures.positions_value,
        equity=figures.equity,
        unrealized_pnl=figures.unrealized_pnl,
        total_return=figures.total_return,
        total_return_percent=figures.total_return_percent,
        valued_at=prices.valued_at if error is None else None,
        valuation_error=error,
    )


@dataclass(frozen=True)
class GetAccount:
    accounts: AccountReads
    prices: PriceSource

    def __call__(self, account_id: int, caller: Caller) -> ValuedAccount:
        account = self.accounts.get_account(account_id)
        if account is None:
            raise AccountNotFound(account_id)
        caller.require_user(account.user_id, f"account {account_id}")
        return value(account, read_prices(self.prices, [account]))


@dataclass(frozen=True)
class GetPortfolio:
    lists: AccountLists
    accounts: AccountReads
    prices: PriceSource

    def __call__(self, user_id: int, caller: Caller) -> Portfolio:
        caller.require_user_or_admin(user_id, f"the portfolio of user {user_id}")
        found = [account for account in self._accounts(user_id) if account is not None]
        prices = read_prices(self.prices, found)
        valued = tuple(value(account, prices) for account in found)
        return Portfolio(user_id=user_id, accounts=valued, totals=totals_of(valued, prices))

    def _accounts(self, user_id: int) -> list[Account | None]:
        from orders_common.models.paging import PageRequest  # here: one account's details never page

        accounts: list[Account | None] = []
        page = PageRequest(limit=ACCOUNTS_PER_PAGE)
        while True:
            listed = self.lists.list_user_accounts(user_id, page)
            accounts += [self.accounts.get_account(summary.account_id) for summary in listed.items]
            if listed.next_cursor is None:
                return accounts
            page = PageRequest(limit=page.limit, after=listed.next_cursor)


def totals_of(accounts: Sequence[ValuedAccount], prices: Prices) -> PortfolioTotals:
    equity = total(account.equity for account in accounts)
    net_deposits = total(account.net_deposits for account in accounts)
    total_return, total_return_percent = returns(equity, net_deposits)
    errors = sorted({account.valuation_error for account in accounts if account.valuation_error})
    return PortfolioTotals(
        cash=_sum(account.cash for account in accounts),
        positions_value=total(account.positions_value for account in accounts),
        equity=equity,
        realized_pnl=_sum(account.realized_pnl for account in accounts),
        unrealized_pnl=total(account.unrealized_pnl for account in accounts),
        fees_paid=_sum(account.fees_paid for account in accounts),
        net_deposits=net_deposits,
        total_return=total_return,
        total_return_percent=total_return_percent,
        valued_at=prices.valued_at if not errors else None,
        valuation_error=" ".join(errors) if errors else None,
    )


def _sum(values: Iterable[Decimal]) -> Decimal:
    found = ZERO
    for amount in values:
        found = add(found, amount)
    return found
