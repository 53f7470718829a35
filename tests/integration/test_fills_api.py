"""Fill records through the API: an order's fills (oldest first) and an account's (newest first, filtered),
a page at a time; who may read them; what a market buy that walks the book leaves, one fill per level
at that level's price (make run's book: ETH 3500, levels of 1 ETH, 1 bp apart)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from orders_common.models.paging import encode_token
from tests.support.api import BAD_IDS, assert_error
from tests.support.auth import Secured
from tests.support.stack import Deployed

FILL_FIELDS = {
    "fill_id", "order_id", "account_id", "symbol", "side", "price", "quantity", "commission", "liquidity_level",
    "executed_at",
}  # fmt: skip
ETH_ASKS = [Decimal("3500.35"), Decimal("3500.7"), Decimal("3501.05")]


def filled(stack: Deployed, **fields: Any) -> dict[str, Any]:
    """A market order created and executed in one call, which must fill."""
    order = stack.create_order(execute=True, **fields)
    assert order["status"] == "filled", order
    return order


def read(stack: Deployed, path: str, **query: Any) -> tuple[list[dict[str, Any]], str | None]:
    """One page of fills and the token for the next (None on the last page)."""
    response = stack.get(path, query=query)
    assert response.status == 200, response.body
    return response.json(), response.header("X-Next-Token")


def ids(fills: list[dict[str, Any]]) -> list[str]:
    return [fill["fill_id"] for fill in fills]


def every_page(stack: Deployed, path: str, **query: Any) -> list[list[str]]:
    """The fill ids of each page, following the tokens to the end."""
    pages = []
    token: str | None = None
    while True:
        fills, token = read(stack, path, **query, **({"next_token": token} if token else {}))
        pages.append(ids(fills))
        if token is None:
            return pages


def test_a_market_buy_that_walks_the_book_has_a_fill_per_level_at_its_price(stack: Deployed) -> None:
    order = filled(stack, symbol="ETH", quantity=Decimal("2.5"))

    fills, token = read(stack, f"/api/orders/order/{order['id']}/fills")

    assert token is None
    assert [(f["fill_id"], f["liquidity_level"], f["price"], f["quantity"]) for f in fills] == [
        (f"{order['id']}-1", 1, ETH_ASKS[0], 1),
        (f"{order['id']}-2", 2, ETH_ASKS[1], 1),
        (f"{order['id']}-3", 3, ETH_ASKS[2], Decimal("0.5")),
    ]
    assert all(set(fill) == FILL_FIELDS for fill in fills)
    assert {(f["order_id"], f["account_id"], f["symbol"], f["side"]) for f in fills} == {(order["id"], 1, "ETH", "buy")}
    assert [f["commission"] for f in fills] == [f["price"] * f["quantity"] / 1000 for f in fills]  # 10 bps each
    assert sum(f["quantity"] for f in fills) == order["filled_quantity"] == Decimal("2.5")
    assert sum(f["commission"] for f in fills) == order["commission"]
    assert {f["executed_at"] for f in fills} == {order["executed_at"]}  # one execution
    assert order["fills_count"] == 3
    account_fills, _ = read(stack, "/api/accounts/1/fills")
    assert account_fills == fills[::-1]  # the same records, newest first


def test_an_order_not_yet_filled_has_no_fills(stack: Deployed) -> None:
    resting = stack.create_order(order_type="limit", price=Decimal("60000"), execute=True)

    fills, token = read(stack, f"/api/orders/order/{resting['id']}/fills")

    assert (resting["status"], fills, token) == ("pending", [], None)
    assert read(stack, "/api/accounts/1/fills") == ([], None)


def test_an_orders_fills_are_paged_oldest_first(stack: Deployed) -> None:
    order = filled(stack, symbol="ETH", quantity=Decimal("2.5"))
    path = f"/api/orders/order/{order['id']}/fills"

    pages = every_page(stack, path, limit=2)

    assert pages == [[f"{order['id']}-1", f"{order['id']}-2"], [f"{order['id']}-3"]]
    assert [page for page in every_page(stack, path, limit=1) if page] == [[f"{order['id']}-{n}"] for n in (1, 2, 3)]


def test_an_accounts_fills_are_paged_newest_first_and_filtered(stack: Deployed) -> None:
    first = filled(stack, account_id=2, quantity=Decimal("0.01"))
    eth = filled(stack, account_id=2, symbol="ETH", quantity=Decimal("1.5"))
    last = filled(stack, account_id=2, quantity=Decimal("0.02"))
    filled(stack, account_id=1, quantity=Decimal("0.01"))  # another account's: never listed
    newest_first = [f"{last['id']}-1", f"{eth['id']}-2", f"{eth['id']}-1", f"{first['id']}-1"]
    path = "/api/accounts/2/fills"

    pages = every_page(stack, path, limit=3)
    btc = every_page(stack, path, symbol="btc", limit=1)
    eth_only = every_page(stack, path, symbol="ETH")
    since, _ = read(stack, path, since=eth["executed_at"])
    until, _ = read(stack, path, until=eth["executed_at"])
    window, _ = read(stack, path, since=eth["executed_at"], until=last["executed_at"])

    assert pages == [newest_first[:3], newest_first[3:]]
    assert [page for page in btc if page] == [[f"{last['id']}-1"], [f"{first['id']}-1"]]  # the last may be empty
    assert eth_only == [[f"{eth['id']}-2", f"{eth['id']}-1"]]
    assert ids(since) == newest_first[:3]  # since: at or after
    assert ids(until) == newest_first[3:]  # until: before
    assert ids(window) == newest_first[1:3]
    assert read(stack, path, symbol="SOL") == ([], None)


def test_unknown_orders_and_accounts_are_404(stack: Deployed) -> None:
    assert_error(stack.get("/api/orders/order/999999/fills"), 404, "ORDER_NOT_FOUND")
    assert_error(stack.get("/api/accounts/999/fills"), 404, "ACCOUNT_NOT_FOUND")


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_a_bad_id_is_400(stack: Deployed, bad_id: str) -> None:
    for path, name in (
        (f"/api/orders/order/{bad_id}/fills", "order_id"),
        (f"/api/accounts/{bad_id}/fills", "account_id"),
    ):
        body = assert_error(stack.get(path), 400, "VALIDATION_ERROR")
        assert [(detail["location"], detail["field"]) for detail in body["details"]] == [("path", name)]


# Tokens of positions in other lists (an order, a ledger entry) and in each fills list (before any fill).
ORDER_TOKEN = encode_token("2026-12-04T10:00:00.000000Z#00000000000000000001")
LEDGER_TOKEN = encode_token("2026-12-04T10:00:00.000000Z#3f1c9a2b7d10#00")
ORDER_FILL_TOKEN = encode_token("FILL#000001")
ACCOUNT_FILL_TOKEN = encode_token("2000-01-01T00:00:00.000000Z#00000000000000000001#000001")


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({"limit": 0}, "VALIDATION_ERROR", "limit"),
        ({"limit": 1001}, "VALIDATION_ERROR", "limit"),
        ({"limit": "ten"}, "VALIDATION_ERROR", "limit"),
        ({"symbol": "BTC-USD"}, "VALIDATION_ERROR", "symbol"),
        ({"since": "yesterday"}, "VALIDATION_ERROR", "since"),
        ({"since": "2026-12-01T00:00:00"}, "VALIDATION_ERROR", "since"),  # no time zone
        ({"until": "2026-12-01"}, "VALIDATION_ERROR", "until"),
        ({"since": "2026-12-02T00:00:00Z", "until": "2026-12-01T00:00:00Z"}, "VALIDATION_ERROR", "until"),
        ({"since": "2026-12-01T00:00:00Z", "until": "2026-12-01T00:00:00Z"}, "VALIDATION_ERROR", "until"),
        ({"next_token": "not-a-token"}, "INVALID_NEXT_TOKEN", None),
        ({"next_token": LEDGER_TOKEN}, "INVALID_NEXT_TOKEN", None),
        ({"next_token": ORDER_TOKEN}, "INVALID_NEXT_TOKEN", None),
        ({"next_token": ORDER_FILL_TOKEN}, "INVALID_NEXT_TOKEN", None),
    ],
)
def test_a_bad_account_fills_query_is_400(stack: Deployed, query: dict[str, Any], code: str, field: str | None) -> None:
    response = stack.get("/api/accounts/1/fills", query=query)

    body = assert_error(response, 400, code)
    if field is not None:
        assert [(d["location"], d["field"]) for d in body["details"]] == [("query", field)]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"limit": 0}, "VALIDATION_ERROR"),
        ({"limit": 1001}, "VALIDATION_ERROR"),
        ({"next_token": "not-a-token"}, "INVALID_NEXT_TOKEN"),
        ({"next_token": ACCOUNT_FILL_TOKEN}, "INVALID_NEXT_TOKEN"),
        ({"next_token": ORDER_TOKEN}, "INVALID_NEXT_TOKEN"),
    ],
)
def test_a_bad_order_fills_query_is_400(stack: Deployed, query: dict[str, Any], code: str) -> None:
    order = filled(stack)

    assert_error(stack.get(f"/api/orders/order/{order['id']}/fills", query=query), 400, code)


def test_the_tokens_here_are_well_formed_for_their_own_list(stack: Deployed) -> None:
    order = filled(stack)

    assert read(stack, f"/api/orders/order/{order['id']}/fills", next_token=ORDER_FILL_TOKEN) == ([], None)
    assert read(stack, "/api/accounts/1/fills", next_token=ACCOUNT_FILL_TOKEN) == ([], None)  # older than any


def test_the_owner_and_an_admin_read_fills_and_no_one_else(secured: Secured) -> None:
    theirs = secured.create(2, account_id=3, symbol="SOL", quantity=Decimal(1), execute=True).json()
    owner, admin, stranger = secured.token(2), secured.token(99, admin=True), secured.token(1)
    order_path, account_path = f"/api/orders/order/{theirs['id']}/fills", "/api/accounts/3/fills"

    as_owner = [secured.stack.get(path, headers=owner) for path in (order_path, account_path)]
    as_admin = [secured.stack.get(path, headers=admin) for path in (order_path, account_path)]

    assert theirs["status"] == "filled"
    assert [ids(response.json()) for response in as_owner] == [[f"{theirs['id']}-1"]] * 2
    assert [response.json() for response in as_admin] == [response.json() for response in as_owner]
    for path in (order_path, account_path):
        assert_error(secured.stack.get(path, headers=stranger), 403, "FORBIDDEN")
    assert secured.stack.get("/api/accounts/1/fills", headers=stranger).status == 200  # their own account
    assert_error(secured.stack.get("/api/accounts/999/fills", headers=stranger), 404, "ACCOUNT_NOT_FOUND")
