"""The README names every field an order answer has, every order status and every execution status: a field
added to the models fails here until the README documents it."""

from __future__ import annotations

import re

from orders_common.models.execution import ExecutionStatus
from orders_common.models.order import Order, OrderStatus
from tools.readme_examples import README


def paragraph(starting: str) -> str:
    text = README.read_text()
    start = text.index(starting)
    return text[start : text.index("\n\n", start)]


def named(text: str) -> set[str]:
    return set(re.findall(r"`([a-z_]+)`", text))


def test_every_order_field_and_status_is_in_the_readme_s_order_paragraph() -> None:
    described = named(paragraph("An order has:"))
    answered = {field.alias or name for name, field in Order.model_fields.items() if not field.exclude}
    answered |= set(Order.model_computed_fields)

    assert answered - described == set()
    assert {status.value for status in OrderStatus} - described == set()


def test_every_execution_status_is_in_the_readme() -> None:
    described = named(paragraph("`execution_status` is"))

    assert {status.value for status in ExecutionStatus} - described == set()
