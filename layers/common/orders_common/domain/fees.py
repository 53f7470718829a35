"""Commission: a rate on the notional with a minimum per order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from orders_common.domain.money import multiply, round_up


@dataclass(frozen=True)
class FeeSchedule:
    rate: Decimal
    minimum: Decimal = Decimal(0)

    def commission(self, notional: Decimal) -> Decimal:
        return round_up(max(self.minimum, multiply(notional, self.rate)))
