"""Authentication on: the JWT authorizer (emulated locally) and ownership enforced by the functions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from localdev.aws_calls import watch
from localdev.fake_hyperliquid import Reply
from localdev.local_auth import LocalIssuer
from orders_common.wiring import reset_services
from tests.support.api import SEED_BODY, assert_error
from tests.support.auth import Secured
from tests.support.prices import hyperliquid_prices


def test_every_route_but_health_needs_a_token(secured: Secured) -> None:
    for method, path in [
        ("POST", "/api/orders/create"),
        ("GET", "/api/orders/pending"),
        ("GET", "/api/orders/user/1"),
        ("GET", "/api/orders/account/1"),
        ("POST", "/api/orders/execute/1"),
        ("POST", "/api/orders/cancel/1"),
        ("POST", "/api/orders/process-all"),
        ("GET", "/api/orders/order/1"),
        ("GET", "/api/orders/order/1/fills"),
        ("GET", "/api/accounts/1"),
        ("GET", "/api/accounts/1/fills"),
        ("GET", "/api/orders/health/details"),
    ]:
        response = secured.stack.request(method, path)
        assert (response.status, response.json()) == (401, {"message": "Unauthorized"}), path


@pytest.mark.parametrize(
    "bad_token",
    [
        {"ttl_seconds": -10},  # expired
        {"aud": "someone-else"},
        {"iss": "https://evil.example"},
    ],
    ids=["expired", "wrong audience", "wrong issuer"],
)
def test_invalid_tokens_are_refused(secured: Secured, bad_token: dict[str, Any]) -> None:
    ttl = bad_token.pop("ttl_seconds", 3600)
    token = secured.issuer.mint(1, ttl_seconds=ttl, **bad_token)

    response = secured.stack.get("/api/orders/user/1", headers={"Authorization": f"Bearer {token}"})

    assert response.status == 401


def test_a_token_signed_with_another_key_is_refused(secured: Secured, tmp_path: Path) -> None:
    forger = LocalIssuer(issuer="https://issuer.test", audience="orders-api", key_path=tmp_path / "other.pem")

    response = secured.stack.get("/api/orders/user/1", headers={"Authorization": f"Bearer {forger.mint(1)}"})

    assert response.status == 401


def test_a_user_places_orders_on_their_own_accounts(secured: Secured) -> None:
    response = secured.create(1)

    assert response.status == 201
    assert response.json()["user_id"] == 1


def test_a_user_may_not_place_orders_on_another_users_account(secured: Secured) -> None:
    before = secured.stack.account(3)

    response = secured.create(1, account_id=3, symbol="SOL")

    assert_error(response, 403, "FORBIDDEN")
    assert secured.stack.stored_items("ORDER#") == []
    assert secured.stack.account(3) == before


def test_a_user_may_not_see_or_touch_another_users_order(secured: Secured) -> None:
    order = secured.create(2, account_id=3, symbol="SOL", quantity=Decimal(1)).json()
    stranger = secured.token(1)

    for method, path in [
        ("GET", f"/api/orders/order/{order['id']}"),
        ("POST", f"/api/orders/execute/{order['id']}"),
        ("POST", f"/api/orders/cancel/{order['id']}"),
    ]:
        assert_error(secured.stack.request(method, path, headers=stranger), 403, "FORBIDDEN")
    owner_view = secured.stack.get(f"/api/orders/order/{order['id']}", headers=secured.token(2)).json()
    assert owner_view["status"] == "pending"


def test_the_owner_executes_and_cancels_their_orders(secured: Secured) -> None:
    first = secured.create(1).json()
    second = secured.create(1).json()

    executed = secured.stack.post(f"/api/orders/execute/{first['id']}", headers=secured.token(1))
    cancelled = secured.stack.post(f"/api/orders/cancel/{second['id']}", headers=secured.token(1))

    assert (executed.status, cancelled.status) == (200, 200)


def test_a_user_lists_only_their_own_orders_and_accounts(secured: Secured) -> None:
    secured.create(1)
    mine = secured.token(1)

    assert secured.stack.get("/api/orders/user/1", headers=mine).status == 200
    assert secured.stack.get("/api/orders/account/2", headers=mine).status == 200
    assert secured.stack.get("/api/accounts/1", headers=mine).status == 200
    assert_error(secured.stack.get("/api/orders/user/2", headers=mine), 403, "FORBIDDEN")
    assert_error(secured.stack.get("/api/orders/account/3", headers=mine), 403, "FORBIDDEN")
    assert_error(secured.stack.get("/api/accounts/3", headers=mine), 403, "FORBIDDEN")


def test_cross_account_operations_need_the_admin_scope(secured: Secured) -> None:
    secured.create(1)
    user, admin = secured.token(1), secured.token(99, admin=True)

    assert_error(secured.stack.get("/api/orders/pending", headers=user), 403, "FORBIDDEN")
    assert_error(secured.stack.post("/api/orders/process-all", headers=user), 403, "FORBIDDEN")
    assert secured.stack.get("/api/orders/pending", headers=admin).status == 200
    assert secured.stack.post("/api/orders/process-all", headers=admin).json()["succeeded"] == 1


def test_an_admin_reads_any_users_accounts_and_ledger_and_no_one_else_does(secured: Secured) -> None:
    user, owner, admin = secured.token(1), secured.token(2), secured.token(99, admin=True)

    as_owner = [secured.stack.get(path, headers=owner) for path in ("/api/users/2/accounts", "/api/accounts/3/ledger")]
    as_admin = [secured.stack.get(path, headers=admin) for path in ("/api/users/2/accounts", "/api/accounts/3/ledger")]

    assert [response.status for response in as_owner + as_admin] == [200] * 4
    assert [response.json() for response in as_admin] == [response.json() for response in as_owner]
    assert [account["account_id"] for account in as_admin[0].json()] == [3]
    assert_error(secured.stack.get("/api/users/2/accounts", headers=user), 403, "FORBIDDEN")
    assert_error(secured.stack.get("/api/accounts/3/ledger", headers=user), 403, "FORBIDDEN")


def test_the_admin_group_also_grants_admin_operations(secured: Secured) -> None:
    headers = secured.token(5, **{"cognito:groups": ["traders", "admin"]})

    assert secured.stack.get("/api/orders/pending", headers=headers).status == 200


def test_health_answers_monitors_without_a_token(secured: Secured) -> None:
    secured.create(1)

    response = secured.stack.get("/api/orders/health")

    assert response.status == 200
    assert response.json()["status"] == "ok"
    assert response.json()["statistics"] is None


def test_health_tells_monitors_without_a_token_that_prices_cannot_be_had(
    secured: Secured, monkeypatch: pytest.MonkeyPatch
) -> None:
    with hyperliquid_prices(monkeypatch, max_attempts=3, timeout_seconds=2) as script:
        script.default = Reply(503, b"")

        response = secured.stack.get("/api/orders/health")

    assert response.status == 200
    body = response.json()
    assert (body["status"], body["degraded_reasons"], body["statistics"]) == (
        "degraded",
        ["price_source_unavailable"],
        None,
    )


def test_health_figures_are_for_admins_only(secured: Secured) -> None:
    secured.create(1)

    anyone = secured.stack.get("/api/orders/health", headers=secured.token(9, admin=True))  # no authorizer here
    user = secured.stack.get("/api/orders/health/details", headers=secured.token(1))
    admin = secured.stack.get("/api/orders/health/details", headers=secured.token(9, admin=True))

    assert (anyone.status, anyone.json()["statistics"]) == (200, None)
    assert_error(user, 403, "FORBIDDEN")
    assert admin.status == 200
    assert admin.json()["statistics"]["pending_orders"] == 1


def test_health_without_figures_is_one_read(secured: Secured) -> None:
    requests = watch(secured.stack.services.table.client)

    response = secured.stack.get("/api/orders/health")

    assert response.status == 200
    assert requests.counts == {"Query": 1}  # one page of one item of the narrow index, which it may read


def test_a_token_without_a_user_id_acts_for_nobody(secured: Secured) -> None:
    token = secured.issuer.mint(1, user_id="not-a-number")

    response = secured.stack.post("/api/orders/create", json=SEED_BODY, headers={"Authorization": f"Bearer {token}"})

    assert_error(response, 403, "FORBIDDEN")


def test_idempotency_keys_are_scoped_to_the_user(secured: Secured) -> None:
    key = {"Idempotency-Key": "same-key"}
    first = secured.stack.post("/api/orders/create", json=SEED_BODY, headers={**secured.token(1), **key})
    other_user = secured.stack.post(
        "/api/orders/create",
        json={**SEED_BODY, "account_id": 3, "symbol": "SOL", "quantity": 1},
        headers={**secured.token(2), **key},
    )

    assert (first.status, other_user.status) == (201, 201)
    assert first.json()["id"] != other_user.json()["id"]


def test_an_authenticated_create_is_one_transaction_without_reads(secured: Secured) -> None:
    secured.create(1)  # takes the container's block of ids
    requests = watch(secured.stack.services.table.client)

    assert secured.create(1).status == 201

    assert requests.operations == ["TransactWriteItems"]


def test_an_unknown_account_is_404_for_an_authenticated_caller(secured: Secured) -> None:
    response = secured.create(1, account_id=999)

    assert_error(response, 404, "ACCOUNT_NOT_FOUND")
    assert secured.stack.stored_items("ORDER#") == []


def test_health_without_figures_still_answers_unhealthy_when_the_store_is_unreachable(
    secured: Secured, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")  # nothing listens there
    reset_services()

    response = secured.stack.get("/api/orders/health")

    body = assert_error(response, 503, "STORE_UNAVAILABLE")
    assert body["status"] == "unhealthy"
