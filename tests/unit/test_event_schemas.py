"""The checked-in JSON Schemas of the order events are what the models say, one per detail-type."""

from __future__ import annotations

import json

from orders_common.models.order_event import OrderEventKind
from tools.event_schemas import DETAIL_FILE, SCHEMA_DIRECTORY, build_schemas, render, stale_files


def test_the_checked_in_schemas_are_current() -> None:
    assert stale_files(build_schemas()) == [], "run `make event-schemas` and commit the result"


def test_a_schema_differing_from_the_models_is_reported_stale() -> None:
    schemas = build_schemas()
    schemas[DETAIL_FILE] = {**schemas[DETAIL_FILE], "title": "changed"}
    schemas["gone.schema.json"] = {"$id": "urn:x"}

    assert stale_files(schemas) == sorted([DETAIL_FILE, "gone.schema.json"])


def test_there_is_a_schema_per_kind_and_one_for_the_detail() -> None:
    written = {path.name for path in SCHEMA_DIRECTORY.glob("*.schema.json")}

    assert written == {DETAIL_FILE} | {f"{kind.value}.schema.json" for kind in OrderEventKind}
    detail = json.loads((SCHEMA_DIRECTORY / DETAIL_FILE).read_text())
    assert {"event_id", "kind", "order", "changes", "actor"} <= set(detail["required"])
    assert render(detail) == (SCHEMA_DIRECTORY / DETAIL_FILE).read_text()
