"""A fill, in one transaction: the order (filled, or partially filled and still open with what it
keeps reserved), the account and the position, the ledger entries of every movement, and a record of
each part of the fill. Conditional on the order being as read, so a fill applies once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.dal.movements import Guard, record
from orders_common.dal.order_changes import STATUS, as_read, leave_state, raise_if_state_changed, trigger_fields
from orders_common.dal.order_events import add_events
from orders_common.dal.transaction import Transaction, TransactionRefused
from orders_common.domain import ledger
from orders_common.domain.settlement import BuySettlement, SellSettlement
from orders_common.logic.ports.refusals import FillUnaffordable, PositionChanged
from orders_common.models.numbers import format_utc

if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable
    from orders_common.logic.fill_progress import FillPlan
    from orders_common.models.order import Order


class OrderFills:
    table: DynamoTable
    pending_shards: int

    def fill(
        self, plan: FillPlan, settlement: BuySettlement | SellSettlement, *, position_version: int | None
    ) -> Order:
        order, after, fill = plan.before, plan.after, plan.fill
        assignments = (
            "#status = :status, filled_price = :price, filled_quantity = :quantity, commission = :commission, "
            "fills_count = :fills, last_fill_at = :fill_at, updated_at = :fill_at, exchange = :exchange, "
            "exchange_order_id = :exchange_order_id"
        )
        if after.market_price_at_fill is not None:
            assignments += ", market_price_at_fill = :market_price"
        values: dict[str, Any] = {
            ":status": after.status.value,
            ":price": after.filled_price,
            ":quantity": after.filled_quantity,
            ":commission": after.commission,
            ":fills": after.fills_count,
            ":fill_at": format_utc(fill.executed_at),
            ":exchange": fill.exchange,
            ":exchange_order_id": fill.exchange_order_id,
            **({":market_price": after.market_price_at_fill} if after.market_price_at_fill is not None else {}),
        }
        if plan.completes:
            transaction = leave_state(order, f"SET {assignments}, executed_at = :fill_at", values)
        else:
            transaction = self._stay_open(plan, assignments, values)
        self._add_movements(transaction, plan, settlement, position_version)
        add_events(transaction, order, after)
        for number, part in enumerate(fill.records(), start=order.fills_count + 1):
            transaction.put(
                f"fill {number}",
                {
                    **keys.fill_key(order.id, number),
                    "entity": "fill",
                    "fill_id": f"{order.id}-{number}",
                    "order_id": order.id,
                    "account_id": order.account_id,
                    "symbol": order.symbol,
                    "side": order.side.value,
                    "price": part.price,
                    "quantity": part.quantity,
                    "commission": part.commission,
                    **({"liquidity_level": part.level} if part.level is not None else {}),
                    "executed_at": format_utc(fill.executed_at),
                    "fills_pk": keys.fills_partition(order.account_id),
                    "fills_sk": keys.fill_sort_key(fill.executed_at, order.id, number),
                },
                condition="attribute_not_exists(pk)",
            )
        try:
            self.table.transact(transaction)
        except TransactionRefused as refused:
            raise_if_state_changed(refused, order)
            if refused.refused("position"):
                raise PositionChanged("position changed") from None
            raise FillUnaffordable(refused.found("account").get("available_cash")) from None
        return after.as_written()

    def _stay_open(self, plan: FillPlan, assignments: str, values: dict[str, Any]) -> Transaction:
        """The order keeps trading: its smaller reservation, still in the pending indexes (an order an
        external venue had claimed goes back to its pending shard)."""
        order, after = plan.before, plan.after
        triggered, trigger_values = trigger_fields(order)
        condition, read_values = as_read(order)
        shard = keys.pending_shard(order.id, self.pending_shards)
        return Transaction().update(
            "order",
            keys.order_key(order.id),
            f"SET {assignments}{triggered}, version = :next, reserved_cash = :kept_cash, "
            "reserved_quantity = :kept_units, pending_pk = :pending",
            condition=condition,
            names=STATUS,
            values={
                **values,
                **trigger_values,
                **read_values,
                ":kept_cash": after.reserved_cash,
                ":kept_units": after.reserved_quantity,
                ":pending": keys.pending_partition(shard),
            },
        )

    @staticmethod
    def _add_movements(
        transaction: Transaction,
        plan: FillPlan,
        settlement: BuySettlement | SellSettlement,
        position_version: int | None,
    ) -> None:
        order, fill = plan.before, plan.fill
        if isinstance(settlement, BuySettlement):
            # The filled share of the reservation comes back and the real cost is charged; a fill dearer
            # than that share takes the difference from available cash, and only if it is there.
            movements = ledger.buy_fill(order.symbol, fill.quantity, settlement)
            account = Guard("reserved_cash >= :released", {":released": settlement.released})
            if settlement.shortfall > 0:
                account = Guard(
                    f"{account.expression} AND available_cash >= :shortfall",
                    {**account.values, ":shortfall": settlement.shortfall},
                )
            position = None
        else:
            movements = ledger.sell_fill(order.symbol, plan.sold, settlement)
            movements += ledger.release(asset=order.symbol, amount=plan.released_unsold)
            account = Guard("attribute_exists(pk)", {})
            if settlement.credit < 0:
                account = Guard("attribute_exists(pk) AND available_cash >= :debit", {":debit": -settlement.credit})
            # The cost relief was priced from the position at ``position_version``: it applies only if
            # the position is still exactly that.
            position = Guard(
                "version = :version AND reserved_quantity >= :sold",
                {
                    ":version": position_version if position_version is not None else -1,
                    ":sold": plan.sold + plan.released_unsold,
                },
            )
        record(
            transaction,
            account_id=order.account_id,
            movements=movements,
            at=fill.executed_at,
            tag=ledger.new_tag(),
            order_id=order.id,
            account=account,
            position=position,
            owner=order.user_id,
        )
