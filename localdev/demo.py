"""Demo accounts for local runs: user 1 owns accounts 1 and 2, user 2 owns account 3."""

from __future__ import annotations

from decimal import Decimal

from orders_common.logic.ports import AccountWrites
from orders_common.models.account import Account, Position
from orders_common.models.numbers import utc_now


def demo_accounts() -> list[Account]:
    now = utc_now()

    def account(account_id: int, user_id: int, cash: str, positions: tuple[Position, ...] = ()) -> Account:
        return Account(
            account_id=account_id,
            user_id=user_id,
            available_cash=Decimal(cash),
            reserved_cash=Decimal(0),
            positions=positions,
            created_at=now,
            updated_at=now,
        )

    def position(symbol: str, quantity: str, average_cost: str) -> Position:
        amount = Decimal(quantity)
        return Position(
            symbol=symbol,
            available_quantity=amount,
            reserved_quantity=Decimal(0),
            cost_basis=amount * Decimal(average_cost),
        )

    return [
        account(1, 1, "100000", (position("BTC", "1.5", "60000"), position("ETH", "10", "3000"))),
        account(2, 1, "50000"),
        account(3, 2, "25000", (position("SOL", "100", "120"),)),
    ]


def seed_demo_accounts(store: AccountWrites) -> list[Account]:
    accounts = demo_accounts()
    for account in accounts:
        store.put_account(account)
    return accounts
