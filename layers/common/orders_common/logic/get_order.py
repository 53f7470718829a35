"""Reading one order by its id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.errors import OrderNotFound

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.answers import OrderAnswer
    from orders_common.logic.ports.orders import OrderAnswers


@dataclass(frozen=True)
class GetOrder:
    orders: OrderAnswers

    def __call__(self, order_id: int, caller: Caller) -> OrderAnswer:
        answer = self.orders.order_answer(order_id)
        if answer is None:
            raise OrderNotFound(order_id)
        caller.require_user(answer.user_id, f"order {order_id}")
        return answer
