"""What the use cases need from the world, as small protocols, and the refusals a store reports.

A use case names only the ports it uses; ``wiring`` hands it the DynamoDB, SQS and exchange adapters,
and the unit tests hand it the in-memory fakes of ``tests/support/fakes.py``. A refusal says what the
store found (no HTTP, no DynamoDB vocabulary); the use case decides what that means for the caller.
"""

from __future__ import annotations

from orders_common.logic.ports.accounts import (
    AccountChanges,
    AccountLists,
    AccountReads,
    AuditLog,
    Cursors,
    ExecutionQueue,
    IdCounters,
    IdSource,
    LedgerReads,
    Switches,
)
from orders_common.logic.ports.orders import (
    BulkCloses,
    ClientOrders,
    FillReads,
    OpenOrderReads,
    OrderAmends,
    OrderEventReads,
    OrderInserts,
    OrderReads,
    OrderTransitions,
    PendingSummaries,
)
from orders_common.logic.ports.refusals import (
    AccountRefused,
    ClientOrderIdTaken,
    FillUnaffordable,
    IdempotencyKeyTaken,
    OrderStateChanged,
    OrderVersionChanged,
    PositionChanged,
    PositionRefused,
    Refusal,
)
from orders_common.logic.ports.values import (
    ArmedSwitch,
    BulkClose,
    FillFilters,
    HeldPosition,
    IdempotencyRecord,
    LedgerFilters,
    OpenOrder,
    OrderSummary,
    fits_one_close,
)

__all__ = [
    "AccountChanges",
    "AccountLists",
    "AccountReads",
    "AccountRefused",
    "ArmedSwitch",
    "AuditLog",
    "BulkClose",
    "BulkCloses",
    "ClientOrderIdTaken",
    "ClientOrders",
    "Cursors",
    "ExecutionQueue",
    "FillFilters",
    "FillReads",
    "FillUnaffordable",
    "HeldPosition",
    "IdCounters",
    "IdSource",
    "IdempotencyKeyTaken",
    "IdempotencyRecord",
    "LedgerFilters",
    "LedgerReads",
    "OpenOrder",
    "OpenOrderReads",
    "OrderAmends",
    "OrderEventReads",
    "OrderInserts",
    "OrderReads",
    "OrderStateChanged",
    "OrderSummary",
    "OrderTransitions",
    "OrderVersionChanged",
    "PendingSummaries",
    "PositionChanged",
    "PositionRefused",
    "Refusal",
    "Switches",
    "fits_one_close",
]
