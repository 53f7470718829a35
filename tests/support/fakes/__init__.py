"""In-memory fakes of every port in ``orders_common.logic.ports``: the use cases run on them at unit
speed. ``tests/integration/test_store_contract.py`` holds them to the same answers and refusals as
the DynamoDB adapters, so a unit test on a fake says something about the real store.

Every change applies whole or not at all, under one lock: its conditions are checked first, then its
movements change the balances and become ledger entries, as the DynamoDB transactions do.
"""

from __future__ import annotations

from tests.support.fakes.accounts import AccountFakes
from tests.support.fakes.orders import OrderFakes
from tests.support.fakes.venues import FakePrices, FakeQueue, ScriptedExchange


class InMemoryStore(OrderFakes, AccountFakes):
    """Orders, accounts, positions, their ledger, ids, cursors, switches and Idempotency-Key records."""


def demo_store() -> InMemoryStore:
    """A store holding the demo accounts, opened and funded through the account use cases."""
    from localdev.demo import seed_demo_accounts
    from orders_common.logic.adjust_position import AdjustPosition
    from orders_common.logic.ids import ACCOUNT_IDS, IdAllocator
    from orders_common.logic.open_account import OpenAccount

    store = InMemoryStore()
    seed_demo_accounts(
        OpenAccount(store, store, IdAllocator(store, ACCOUNT_IDS, 1), 86400), AdjustPosition(store, 86400)
    )
    return store


__all__ = ["FakePrices", "FakeQueue", "InMemoryStore", "ScriptedExchange", "demo_store"]
