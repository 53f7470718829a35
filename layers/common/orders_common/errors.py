"""Domain errors. Each carries a stable machine-readable code; HTTP statuses are mapped in
``orders_common.http.errors`` so that the domain does not know it is served over HTTP."""

from __future__ import annotations

from typing import Any


class OrdersError(Exception):
    """Base class: ``code`` is stable across releases, the message is written for a person."""

    code = "ORDERS_ERROR"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidRequest(OrdersError):
    code = "VALIDATION_ERROR"


class PayloadTooLarge(OrdersError):
    code = "PAYLOAD_TOO_LARGE"


class AccountNotFound(OrdersError):
    code = "ACCOUNT_NOT_FOUND"

    def __init__(self, account_id: int) -> None:
        super().__init__(f"Account {account_id} does not exist.")
        self.account_id = account_id


class OrderNotFound(OrdersError):
    code = "ORDER_NOT_FOUND"

    def __init__(self, order_id: int) -> None:
        super().__init__(f"Order {order_id} does not exist.")
        self.order_id = order_id


class ClientOrderNotFound(OrderNotFound):
    def __init__(self, account_id: int, client_order_id: str) -> None:
        OrdersError.__init__(self, f"Account {account_id} has no order with client_order_id {client_order_id!r}.")
        self.order_id = 0


class OrderNotPending(OrdersError):
    code = "ORDER_NOT_PENDING"

    def __init__(self, order_id: int, status: str) -> None:
        super().__init__(f"Order {order_id} is {status}; only pending orders can be changed.")
        self.order_id = order_id
        self.status = status


class VersionMismatch(OrdersError):
    """``If-Match`` named another version than the order's: it changed since the client saw it."""

    code = "VERSION_MISMATCH"

    def __init__(self, order_id: int, expected: int, found: int) -> None:
        super().__init__(
            f"Order {order_id} is at version {found}, not {expected}: it changed since you read it.",
            details={"order_id": order_id, "expected_version": expected, "version": found},
        )


class OrderTriggered(OrdersError):
    """The order's trigger fired: where it triggers can no longer change."""

    code = "ORDER_TRIGGERED"

    def __init__(self, order_id: int, field: str) -> None:
        super().__init__(f"Order {order_id} has triggered; its {field} can no longer change.")


class OrderOnVenue(OrdersError):
    """The order rests on an external venue's book: changing it there is not supported, cancelling it is."""

    code = "ORDER_ON_VENUE"

    def __init__(self, order_id: int, exchange: str) -> None:
        super().__init__(f"Order {order_id} rests on {exchange}; cancel it and place a new one to change it.")


class InsufficientFunds(OrdersError):
    code = "INSUFFICIENT_FUNDS"


class InsufficientPosition(OrdersError):
    code = "INSUFFICIENT_POSITION"


class AccountFrozen(OrdersError):
    code = "ACCOUNT_FROZEN"

    def __init__(self, account_id: int, what: str) -> None:
        super().__init__(f"Account {account_id} is frozen: {what} is refused until it is unfrozen.")
        self.account_id = account_id


class AmountTooLarge(OrdersError):
    """An amount the order implies has more significant digits than the store can hold exactly."""

    code = "AMOUNT_TOO_LARGE"


class OrderTooLarge(OrdersError):
    """The order's notional is over the stack's MaxOrderNotional: a fat-finger guard, before any venue."""

    code = "ORDER_TOO_LARGE"


class VenueRefused(OrdersError):
    """The venue would refuse the order as written (lot, tick, minimum value, an unlisted coin): said at create,
    in the venue's terms, before anything is stored."""

    code = "VENUE_REFUSED"


class ExchangeUnavailable(OrdersError):
    """Prices or the exchange could not be reached; nothing was changed, retrying later is safe."""

    code = "EXCHANGE_UNAVAILABLE"


class StoreUnavailable(OrdersError):
    """The order store failed or throttled past its retries; nothing was half-applied."""

    code = "STORE_UNAVAILABLE"


class UnknownSymbol(OrdersError):
    code = "UNKNOWN_SYMBOL"

    def __init__(self, symbol: str) -> None:
        super().__init__(f"Symbol {symbol} is not traded here.")
        self.symbol = symbol


class Forbidden(OrdersError):
    code = "FORBIDDEN"


class DuplicateClientOrderId(OrdersError):
    code = "DUPLICATE_CLIENT_ORDER_ID"

    def __init__(self, client_order_id: str, existing_order_id: int | None) -> None:
        super().__init__(
            f"client_order_id {client_order_id!r} is already used by order {existing_order_id} of this account.",
            details={"client_order_id": client_order_id, "existing_order_id": existing_order_id},
        )


class IdempotencyKeyReused(OrdersError):
    code = "IDEMPOTENCY_KEY_REUSED"
