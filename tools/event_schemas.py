"""JSON Schemas of the order events on the bus (``docs/events/``), generated from the models.

- ``order-event.schema.json``: the ``detail`` of every event: the event and the order right after it.
- ``<kind>.schema.json``: the whole EventBridge event of one ``detail-type`` (what a rule or the webhook
  receives), its ``detail`` that schema with ``kind`` fixed.

Every schema has a ``urn:hyperoru:events:...`` ``$id``; the per-kind ones refer to the detail's by it,
so a validator resolves them once all the files are loaded (``registry()`` does that).

    python -m tools.event_schemas            # write docs/events/
    python -m tools.event_schemas --check    # fail when docs/events/ is not what the models say
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Any

from localdev.template import ROOT

SCHEMA_DIRECTORY = ROOT / "docs" / "events"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
DETAIL_FILE = "order-event.schema.json"
DETAIL_ID = "urn:hyperoru:events:order-event"


def kind_id(kind: str) -> str:
    return f"urn:hyperoru:events:{kind}"


def build_schemas() -> dict[str, dict[str, Any]]:
    """File name -> schema."""
    from orders_common.logic.publish_events import EVENT_SOURCE
    from orders_common.models.order_event import OrderEventKind
    from orders_common.models.published_event import PublishedOrderEvent

    with warnings.catch_warnings():
        # Decimal defaults (0) have no JSON-schema default; leaving them out is right.
        warnings.filterwarnings("ignore", message="Default value .* is not JSON serializable")
        detail = PublishedOrderEvent.model_json_schema(by_alias=True, mode="serialization")
    # Every field is always written (null when it has no value): say so, so that a validator notices a
    # field gone missing. New fields may come: objects stay open to them.
    for definition in [detail, *detail.get("$defs", {}).values()]:
        if "properties" in definition:
            definition["required"] = sorted(definition["properties"])
    schemas = {
        DETAIL_FILE: {
            "$schema": DIALECT,
            "$id": DETAIL_ID,
            **detail,
            "title": "Order event detail",
            "description": (
                "The detail of every order event: the event (deduplicate on event_id) and the order right "
                "after it. Numbers are exact decimals written as JSON numbers; times are ISO 8601 UTC."
            ),
        }
    }
    for kind in OrderEventKind:
        schemas[f"{kind.value}.schema.json"] = {
            "$schema": DIALECT,
            "$id": kind_id(kind.value),
            "title": f"Order event: {kind.value}",
            "description": f"An order event of kind {kind.value}, as EventBridge rules and the webhook receive it.",
            "type": "object",
            "required": ["id", "source", "detail-type", "time", "detail"],
            "properties": {
                "id": {
                    "type": "string",
                    "description": "EventBridge's id (differs on a republish: use detail.event_id).",
                },
                "source": {"const": EVENT_SOURCE},
                "detail-type": {"const": kind.value},
                "time": {"type": "string", "description": "When the event happened, to the second."},
                "detail": {"allOf": [{"$ref": DETAIL_ID}, {"properties": {"kind": {"const": kind.value}}}]},
            },
        }
    return schemas


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def registry(schemas: dict[str, dict[str, Any]] | None = None) -> Any:
    """A ``referencing`` registry of the schemas (the checked-in files by default), for jsonschema."""
    from referencing import Registry, Resource

    if schemas is None:
        schemas = {path.name: json.loads(path.read_text()) for path in sorted(SCHEMA_DIRECTORY.glob("*.schema.json"))}
    return Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas.values())


def stale_files(schemas: dict[str, dict[str, Any]]) -> list[str]:
    written = {path.name for path in SCHEMA_DIRECTORY.glob("*.schema.json")}
    differing = {name for name, schema in schemas.items() if not (SCHEMA_DIRECTORY / name).exists()
                 or (SCHEMA_DIRECTORY / name).read_text() != render(schema)}  # fmt: skip
    return sorted(differing | (written - set(schemas)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.event_schemas", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if docs/events/ is stale")
    arguments = parser.parse_args(argv)
    schemas = build_schemas()
    stale = stale_files(schemas)
    if arguments.check:
        if stale:
            print(f"docs/events/ is stale ({', '.join(stale)}): run `make event-schemas`.", file=sys.stderr)
            return 1
        print("docs/events/ is current.")
        return 0
    SCHEMA_DIRECTORY.mkdir(parents=True, exist_ok=True)
    for name in stale:
        if name not in schemas:
            (SCHEMA_DIRECTORY / name).unlink()
    for name, schema in schemas.items():
        (SCHEMA_DIRECTORY / name).write_text(render(schema))
    print(f"wrote {len(schemas)} schemas to docs/events/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
