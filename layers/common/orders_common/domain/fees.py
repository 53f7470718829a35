"""Commission: a rate on the notional with a minimum per order."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from orders_common.domain.money import multiply, round_up


class FeeSchedule(NamedTuple):
    rate: Decimal
    minimum: Decimal = Decimal(0)

    def commission(self, notional: Decimal) -> Decimal:
        return round_up(max(self.minimum, multiply(notional, self.rate)))
