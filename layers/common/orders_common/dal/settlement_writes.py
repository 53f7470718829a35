"""The account and position items of a fill, added to the transaction that moves the order to filled."""

from __future__ import annotations

from typing import Any

from orders_common.dal import keys
from orders_common.dal.transaction import Transaction
from orders_common.domain.money import ZERO
from orders_common.domain.settlement import BuySettlement, SellSettlement
from orders_common.exchange.base import Fill
from orders_common.models.order import Order


def settle_buy(transaction: Transaction, order: Order, fill: Fill, settlement: BuySettlement, at: str) -> None:
    # The reservation comes back and the real cost is charged; a fill dearer than the reservation
    # takes the difference from available cash, and only if it is there.
    condition = "reserved_cash >= :reserved"
    values: dict[str, Any] = {":reserved": settlement.released, ":change": settlement.available_change, ":at": at}
    if settlement.shortfall > 0:
        condition += " AND available_cash >= :shortfall"
        values[":shortfall"] = settlement.shortfall
    transaction.update(
        "account",
        keys.account_key(order.account_id),
        "SET reserved_cash = reserved_cash - :reserved, available_cash = available_cash + :change, updated_at = :at",
        condition=condition,
        values=values,
    )
    transaction.update(
        "position",
        keys.position_key(order.account_id, order.symbol),
        "SET symbol = :symbol, account_id = :account, user_id = :owner, entity = :entity, updated_at = :at "
        "ADD available_quantity :quantity, reserved_quantity :zero, cost_basis :cost, version :one",
        values={
            ":symbol": order.symbol,
            ":account": order.account_id,
            ":owner": order.user_id,
            ":entity": "position",
            ":at": at,
            ":quantity": fill.quantity,
            ":zero": ZERO,
            ":cost": settlement.cost,
            ":one": 1,
        },
    )


def settle_sell(
    transaction: Transaction, order: Order, settlement: SellSettlement, at: str, position_version: int | None
) -> None:
    credit = settlement.credit
    condition = "attribute_exists(pk)"
    values: dict[str, Any] = {":credit": credit, ":at": at}
    if credit < 0:
        condition += " AND available_cash >= :debit"
        values[":debit"] = -credit
    transaction.update(
        "account",
        keys.account_key(order.account_id),
        "SET available_cash = available_cash + :credit, updated_at = :at",
        condition=condition,
        values=values,
    )
    # The cost relief was priced from the position at ``position_version``: it applies only if the
    # position is still exactly that.
    transaction.update(
        "position",
        keys.position_key(order.account_id, order.symbol),
        "SET reserved_quantity = reserved_quantity - :quantity, cost_basis = cost_basis - :relief, "
        "updated_at = :at ADD version :one",
        condition="version = :version AND reserved_quantity >= :quantity",
        values={
            ":quantity": order.reserved_quantity,
            ":relief": settlement.cost_relief,
            ":at": at,
            ":one": 1,
            ":version": position_version if position_version is not None else -1,
        },
    )
