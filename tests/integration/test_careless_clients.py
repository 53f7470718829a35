"""Careless clients get the error shape and change nothing: bodies that are not one JSON object, media
types in any letter case, paths and methods the API does not have."""

from __future__ import annotations

import json

import pytest

from orders_common.http.routes import ROUTES
from tests.support.api import SEED_BODY, assert_error
from tests.support.stack import Deployed

NOT_AN_OBJECT = [
    json.dumps([SEED_BODY, {**SEED_BODY, "symbol": "ETH", "quantity": 0.002}]),  # a batch: would keep only the first
    json.dumps([SEED_BODY, "junk", 5]),
    json.dumps([]),
    '"an order"',
    "5",
    "null",
    "true",
]


@pytest.mark.parametrize("body", NOT_AN_OBJECT)
def test_only_a_json_object_is_a_request_body(stack: Deployed, body: str) -> None:
    response = stack.post("/api/orders/create", body=body, headers={"Content-Type": "application/json"})

    found = assert_error(response, 400, "VALIDATION_ERROR")
    assert found["details"][0]["type"] == "object_type"
    assert stack.stored_items("ORDER#") == []


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "APPLICATION/JSON", "Application/Json; charset=utf-8", "application/vnd.x+json"],
)
def test_json_media_types_match_in_any_case_and_with_parameters(stack: Deployed, content_type: str) -> None:
    response = stack.post("/api/orders/create", body=json.dumps(SEED_BODY), headers={"Content-Type": content_type})

    assert response.status == 201, response.body


def test_a_body_without_a_content_type_is_read_as_json(stack: Deployed) -> None:
    response = stack.post("/api/orders/create", body=json.dumps(SEED_BODY))

    assert response.status == 201, response.body


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "TEXT/JSON"])
def test_other_media_types_are_415_and_store_nothing(stack: Deployed, content_type: str) -> None:
    response = stack.post("/api/orders/create", body=json.dumps(SEED_BODY), headers={"Content-Type": content_type})

    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert stack.stored_items("ORDER#") == []


def concrete(path: str) -> str:
    return path.replace("{user_id}", "1").replace("{account_id}", "1").replace("{order_id}", "1")


WRONG_METHODS = [
    (method, concrete(path), sorted({m for m, p in ROUTES if p == path}))
    for _, path in ROUTES
    for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")
    if (method, path) not in ROUTES
]


@pytest.mark.parametrize(("method", "path", "allowed"), WRONG_METHODS)
def test_a_known_path_with_another_method_is_405_naming_what_it_allows(
    stack: Deployed, method: str, path: str, allowed: list[str]
) -> None:
    response = stack.request(method, path)

    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.header("Allow") == ", ".join(allowed)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", "/api"), ("POST", "/api/orders"), ("GET", "/api/orders/order/1/extra"),
     ("DELETE", "/nope"), ("GET", "/api/orders/create/")],
)  # fmt: skip
def test_an_unknown_path_is_404_route_not_found(stack: Deployed, method: str, path: str) -> None:
    body = assert_error(stack.request(method, path), 404, "ROUTE_NOT_FOUND")

    assert path in body["error"]
