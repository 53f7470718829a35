"""Items and models: the stored form of accounts and positions, and back. Apart from the orders' so that
a function reading orders only does not build the account models."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from orders_common.models.account import Account, AccountSummary, Position


def item_to_position(item: dict[str, Any]) -> Position:
    return Position(
        symbol=item["symbol"],
        available_quantity=item.get("available_quantity", Decimal(0)),
        reserved_quantity=item.get("reserved_quantity", Decimal(0)),
        cost_basis=item.get("cost_basis", Decimal(0)),
    )


ACCOUNT_FIELDS = tuple(AccountSummary.model_fields)

# Accounts opened before net deposits were kept have none at first, and a later transfer adds only
# itself: such a sum is not the ledger's, so it is read only from accounts that kept it from the start.
TRACKS_DEPOSITS = "net_deposits_kept"


def account_fields(item: dict[str, Any]) -> dict[str, Any]:
    fields = {name: item[name] for name in ACCOUNT_FIELDS if name in item}
    if not item.get(TRACKS_DEPOSITS):
        fields.pop("net_deposits", None)
    return fields


def item_to_account_summary(item: dict[str, Any]) -> AccountSummary:
    return AccountSummary.model_validate(account_fields(item))


def items_to_account(items: list[dict[str, Any]]) -> Account | None:
    """Build an account from its partition (the account item and its position items)."""
    account_item = next((item for item in items if item["sk"] == "ACCOUNT"), None)
    if account_item is None:
        return None
    positions = tuple(item_to_position(item) for item in items if item["sk"].startswith("POSITION#"))
    return Account.model_validate({**account_fields(account_item), "positions": positions})
