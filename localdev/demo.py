"""Demo accounts for local runs, opened and funded through the same use cases an operator calls (so
the demo has a ledger): user 1 owns accounts 1 and 2, user 2 owns account 3."""

from __future__ import annotations

from decimal import Decimal

from orders_common.auth import Caller
from orders_common.logic.adjust_position import AdjustPosition
from orders_common.logic.open_account import OpenAccount
from orders_common.models.account_requests import AdjustmentRequest, OpenAccountRequest

OPERATOR = Caller.anyone()

# (user, name, cash, [(symbol, quantity, average cost)])
DEMO = [
    (1, "Main", "100000", [("BTC", "1.5", "60000"), ("ETH", "10", "3000")]),
    (1, "Savings", "50000", []),
    (2, "Trading", "25000", [("SOL", "100", "120")]),
]


def seed_demo_accounts(open_account: OpenAccount, adjust_position: AdjustPosition) -> list[int]:
    """Open the demo accounts (ids 1, 2, 3 on a fresh table); returns their ids."""
    opened = []
    for user_id, name, cash, positions in DEMO:
        account = open_account(OpenAccountRequest(user_id=user_id, name=name, initial_deposit=Decimal(cash)), OPERATOR)
        for symbol, quantity, average_cost in positions:
            adjust_position(
                account.account_id,
                AdjustmentRequest(
                    symbol=symbol,
                    quantity=Decimal(quantity),
                    cost_basis=Decimal(quantity) * Decimal(average_cost),
                    reason="demo holdings",
                ),
                OPERATOR,
            )
        opened.append(account.account_id)
    return opened
