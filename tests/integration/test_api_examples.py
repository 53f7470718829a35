"""The API document's request examples are bodies the API accepts: what Swagger UI pre-fills works."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.support.stack import Deployed
from tools.openapi import DOCUMENT_PATH

CREATE = json.loads(DOCUMENT_PATH.read_text())["paths"]["/api/orders/create"]["post"]
EXAMPLES = CREATE["requestBody"]["content"]["application/json"]["examples"]


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_each_create_example_is_accepted(stack: Deployed, name: str) -> None:
    example = EXAMPLES[name]["value"]

    response = stack.post("/api/orders/create", json=example)

    assert response.status == 201, response.json()
    order = response.json()
    assert {key: order[key] for key in example} == json.loads(json.dumps(example), parse_float=Decimal)
    assert order["status"] == "pending"
    assert stack.get(f"/api/orders/order/{order['id']}").json() == order
