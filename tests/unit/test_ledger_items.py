"""The ledger entries a transaction stores are the entries ``LedgerEntry.of`` makes of its movements:
built without the models, written as the models would write them, read back as the same models."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from orders_common.dal import keys
from orders_common.dal.ledger_reads import entry
from orders_common.dal.movements import ledger_items
from orders_common.domain.ledger import CASH, EntryType, Movement
from orders_common.models.ledger import LedgerEntry
from orders_common.models.numbers import format_utc

amounts = st.decimals(min_value=-(10**12), max_value=10**12, places=8, allow_nan=False, allow_infinity=False)
movements = st.builds(
    Movement,
    type=st.sampled_from(EntryType),
    asset=st.sampled_from([CASH, "BTC", "ETH"]),
    available=amounts,
    reserved=amounts,
    cost_basis=amounts,
    realized_pnl=st.none() | amounts,
)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))


def stored(model: LedgerEntry) -> dict[str, Any]:
    """An entry as pydantic dumps it, with its keys: what the store wrote before the items were built directly."""
    fields = model.model_dump(mode="python", exclude_none=True)
    fields["type"] = model.type.value
    fields["created_at"] = format_utc(model.created_at)
    return {"pk": keys.ledger_partition(model.account_id), "sk": model.entry_id, "entity": "ledger", **fields}


@given(
    account_id=st.integers(min_value=1, max_value=2**63 - 1),
    moved=st.lists(movements, max_size=5),
    at=moments,
    order_id=st.none() | st.integers(min_value=1, max_value=2**63 - 1),
    reference=st.none() | st.text(max_size=20),
)
def test_the_items_are_the_entries_as_stored(
    account_id: int, moved: list[Movement], at: datetime, order_id: int | None, reference: str | None
) -> None:
    # Given movements and what the models make of them
    models = LedgerEntry.of(account_id, moved, at=at, tag="0a1b2c3d4e5f", order_id=order_id, reference=reference)

    # When the store builds their items
    items = ledger_items(account_id, moved, at=at, tag="0a1b2c3d4e5f", order_id=order_id, reference=reference)

    # Then each item is the model's dump (same attributes, values and their text), and reads back as it
    assert items == [stored(model) for model in models]
    assert [list(item) for item in items] == [list(stored(model)) for model in models]
    assert [str(value) for item in items for value in item.values()] == [
        str(value) for model in models for value in stored(model).values()
    ]
    assert [entry(item) for item in items] == models


def test_a_cash_entry_has_no_cost_basis_and_a_position_entry_has_one() -> None:
    cash = Movement(EntryType.RESERVE, CASH, available=Decimal("-50.05000000"), reserved=Decimal("50.05"))
    units = Movement(EntryType.RESERVE, "BTC", available=Decimal("-0.5"), reserved=Decimal("0.5"))

    first, second = ledger_items(1, [cash, units], at=datetime(2026, 12, 5, tzinfo=UTC), tag="t", order_id=9)

    assert "cost_basis_change" not in first and second["cost_basis_change"] == 0
    assert (str(first["available_change"]), first["entry_id"], second["entry_id"]) == (
        "-50.05", "2026-12-05T00:00:00.000000Z#t#00", "2026-12-05T00:00:00.000000Z#t#01"
    )  # fmt: skip
