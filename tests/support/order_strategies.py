"""Generated orders for property tests: a value (or none) in every stored field."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

from orders_common.models.order import Order, OrderStatus, OrderType, Side, TimeInForce

amounts = st.decimals(min_value=0, max_value=10**12, places=8, allow_nan=False, allow_infinity=False)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))
texts = st.text(max_size=12)  # any characters: writers must escape alike
ids = st.integers(min_value=1, max_value=2**63 - 1)

ORDER_VALUES = {
    "id": ids,
    "account_id": ids,
    "user_id": ids,
    "symbol": texts,
    "name": texts,
    "side": st.sampled_from(Side),
    "order_type": st.sampled_from(OrderType),
    "time_in_force": st.sampled_from(TimeInForce),
    "price": st.none() | amounts,
    "quantity": st.none() | amounts,
    "quote_quantity": st.none() | amounts,
    "trigger_price": st.none() | amounts,
    "trail_percent": st.none() | amounts,
    "trail_amount": st.none() | amounts,
    "trail_mark": st.none() | amounts,
    "stop_price": st.none() | amounts,
    "triggered_at": st.none() | moments,
    "expire_at": st.none() | moments,
    "version": st.integers(min_value=1, max_value=10**6),
    "max_slippage_bps": st.none() | amounts,
    "filled_quantity": amounts,
    "status": st.sampled_from(OrderStatus),
    "filled_price": st.none() | amounts,
    "market_price_at_fill": st.none() | amounts,
    "fills_count": st.integers(min_value=0, max_value=1000),
    "last_fill_at": st.none() | moments,
    "commission": st.none() | amounts,
    "rejection_reason": st.none() | texts,
    "exchange": st.none() | texts,
    "exchange_order_id": st.none() | texts,
    "client_order_id": st.none() | texts,
    "reserved_cash": amounts,
    "reserved_quantity": amounts,
    "created_at": moments,
    "updated_at": moments,
    "executed_at": st.none() | moments,
    "cancelled_at": st.none() | moments,
    "triggers_now": st.booleans(),
}
"""A strategy for every field of ``Order`` (``tests/unit/test_order_answers.py`` checks none is left out)."""

orders = st.builds(Order, **ORDER_VALUES)
