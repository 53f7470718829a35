"""``/_local/prices``: the local stack's static prices, read and changed while it runs, so that
triggers, trailing stops and expiries can be tried by hand and by black-box tests.

Every function of the in-process stack shares one set of adapters, so replacing its price source
changes the price every function sees at once. With ``--exchange fake-hyperliquid`` the same route reads
and moves the mids of the local Hyperliquid stand-in instead (``localdev.local_venue``). Only the local
server has this route: it is not in template.yaml nor in the OpenAPI document.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Protocol

from localdev.routing import HttpResponse
from localdev.server import LocalHandler
from orders_common.errors import UnknownSymbol
from orders_common.exact_json import dumps
from orders_common.exchange.prices import known_prices

PATH = "/_local/prices"
_SYMBOL = re.compile(r"^[A-Za-z0-9]{1,20}$")


class PriceControl(Protocol):
    """Prices the route reads (``table``) and moves (``update``)."""

    def table(self) -> dict[str, Decimal]: ...

    def update(self, prices: Mapping[str, Decimal]) -> None: ...


class AdjustablePrices:
    """A static price source whose table can change (under a lock: functions read it concurrently)."""

    name = "static"

    def __init__(self, prices: Mapping[str, Decimal]) -> None:
        self._lock = threading.Lock()
        self._prices = {symbol.upper(): price for symbol, price in prices.items()}

    def get_price(self, symbol: str) -> Decimal:
        with self._lock:
            price = self._prices.get(symbol.upper())
        if price is None:
            raise UnknownSymbol(symbol)
        return price

    def get_prices(self, symbols: Iterable[str]) -> dict[str, Decimal]:
        return known_prices(self.table(), symbols)

    def table(self) -> dict[str, Decimal]:
        with self._lock:
            return dict(self._prices)

    def update(self, prices: Mapping[str, Decimal]) -> None:
        with self._lock:
            self._prices.update({symbol.upper(): price for symbol, price in prices.items()})


def install_adjustable_prices() -> AdjustablePrices | None:
    """Give the stack's functions an adjustable copy of their static prices; None when they use
    another price source (Hyperliquid), which this cannot change."""
    from orders_common.wiring import services

    current = services()
    if current.settings.price_source != "static":
        return None
    prices = AdjustablePrices(current.settings.static_prices)
    current.use_prices(prices)
    return prices


def price_handler(prices: PriceControl | None) -> LocalHandler:
    def handle(method: str, body: bytes | None) -> HttpResponse:
        if prices is None:
            return error_response(
                409, "PRICE_SOURCE_NOT_STATIC", "Prices come from Hyperliquid here; only static prices change."
            )
        if method == "GET":
            return _table(prices)
        if method != "PUT":
            response = error_response(405, "METHOD_NOT_ALLOWED", f"{PATH} answers GET and PUT.")
            response.headers["Allow"] = "GET, PUT"
            return response
        try:
            changes = parse_prices(body)
        except ValueError as error:
            return error_response(400, "VALIDATION_ERROR", str(error))
        prices.update(changes)
        return _table(prices)

    return handle


def parse_prices(body: bytes | None) -> dict[str, Decimal]:
    """``{"BTC": 70000, "ETH": "3500.5"}``: symbols to positive prices."""
    try:
        document = json.loads(body or b"", parse_float=Decimal, parse_int=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError('The body must be a JSON object of prices, e.g. {"BTC": 70000}.') from None
    if not isinstance(document, dict) or not document:
        raise ValueError('The body must be a JSON object of prices, e.g. {"BTC": 70000}.')
    parsed = {}
    for symbol, value in document.items():
        if not _SYMBOL.match(symbol):
            raise ValueError(f"{symbol!r} is not a symbol (1 to 20 letters and digits).")
        try:
            price = Decimal(str(value)) if not isinstance(value, bool) else Decimal("NaN")
        except InvalidOperation:
            price = Decimal("NaN")
        if not price.is_finite() or price <= 0:
            raise ValueError(f"The price of {symbol} must be a positive number, not {value!r}.")
        parsed[symbol.upper()] = price
    return parsed


def _table(prices: PriceControl) -> HttpResponse:
    return json_response(dict(sorted(prices.table().items())))


def error_response(status: int, code: str, message: str) -> HttpResponse:
    return json_response({"error": message, "code": code}, status)


def json_response(document: object, status: int = 200) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json"}, _body(document))


def _body(document: object) -> bytes:
    return dumps(document).encode()  # exact decimals, as the API writes them
