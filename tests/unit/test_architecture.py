"""The layer's shape, checked: which package may import which, no import circle, modules kept small.

models <- logic <- (dal, exchange adapters); domain is pure; wiring alone joins use cases to adapters.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from localdev.template import ROOT

PACKAGE = ROOT / "layers" / "common" / "orders_common"
MAX_LINES = 300

# What each part of the layer must never import (prefixes of module names, TYPE_CHECKING imports excluded).
FORBIDDEN = {
    "orders_common.domain": ["orders_common.models", "orders_common.logic", "orders_common.dal",
                             "orders_common.exchange", "orders_common.http", "orders_common.wiring",
                             "orders_common.runtime", "orders_common.queue", "orders_common.config", "boto3"],
    "orders_common.models": ["orders_common.logic", "orders_common.dal", "orders_common.exchange", "orders_common.http",
                             "orders_common.wiring", "orders_common.runtime", "orders_common.queue"],
    "orders_common.logic": ["orders_common.dal", "orders_common.http", "orders_common.wiring", "orders_common.runtime",
                            "orders_common.queue", "orders_common.event_bus", "orders_common.exchange.paper",
                            "orders_common.exchange.prices", "orders_common.exchange.hyperliquid", "boto3", "botocore"],
    "orders_common.dal": ["orders_common.http", "orders_common.wiring", "orders_common.runtime", "orders_common.queue",
                          "orders_common.exchange.paper", "orders_common.exchange.prices",
                          "orders_common.exchange.hyperliquid", "orders_common.logic.create_order",
                          "orders_common.logic.execution", "orders_common.logic.process_all"],
    "orders_common.exchange": ["orders_common.logic", "orders_common.dal", "orders_common.http", "orders_common.wiring",
                               "orders_common.runtime"],
}  # fmt: skip


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def imports(path: Path, *, top_level_only: bool) -> set[str]:
    """Modules imported by a file (``TYPE_CHECKING`` blocks left out: they never run)."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()

    def visit(nodes: list[ast.stmt], depth: int) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list) and children and isinstance(children[0], ast.stmt | ast.excepthandler):
                    nested = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                    if not (top_level_only and nested):
                        visit([c for c in children if isinstance(c, ast.stmt)], depth + 1)
                if field == "handlers" and isinstance(children, list):
                    for handler in children:
                        visit(handler.body, depth + 1)

    visit(tree.body, 0)
    return found


@pytest.mark.parametrize(("name", "path"), list(modules()), ids=[name for name, _ in modules()])
def test_each_module_imports_only_what_its_layer_may(name: str, path: Path) -> None:
    rules = [forbidden for prefix, forbidden in FORBIDDEN.items() if name == prefix or name.startswith(prefix + ".")]
    wrong = sorted(
        imported
        for imported in imports(path, top_level_only=False)
        for forbidden in (f for rule in rules for f in rule)
        if imported == forbidden.rstrip(".")
        or imported.startswith(forbidden if forbidden.endswith(".") else forbidden + ".")
        or imported == forbidden
    )
    assert wrong == [], f"{name} imports {wrong}"


def test_only_the_wiring_joins_use_cases_to_adapters() -> None:
    adapters = ("orders_common.dal.", "orders_common.queue", "orders_common.event_bus", "orders_common.exchange.paper",
                "orders_common.exchange.hyperliquid", "orders_common.exchange.prices")  # fmt: skip
    found = {name: imports(path, top_level_only=False) for name, path in modules()}

    def uses(name: str, prefixes: tuple[str, ...]) -> bool:
        return any(i.startswith(prefixes) for i in found[name])

    joining = sorted(
        name
        for name in found
        if not name.startswith(
            (
                "orders_common.dal",
                "orders_common.exchange",
                "orders_common.queue",
                "orders_common.event_bus",
                "orders_common.wiring",
            )
        )
        and uses(name, adapters)
        and uses(name, ("orders_common.logic.",))
    )
    assert joining == []
    wiring = [name for name in found if name.startswith("orders_common.wiring")]
    assert any(uses(name, adapters) for name in wiring) and any(
        uses(name, ("orders_common.logic.",)) for name in wiring
    )


def test_no_import_circle_between_modules() -> None:
    known = dict(modules())
    graph = {
        name: {i for i in imports(path, top_level_only=True) if i in known and i != name}
        for name, path in known.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            connect(node)
    assert circles == []


@pytest.mark.parametrize(("name", "path"), list(modules()), ids=[name for name, _ in modules()])
def test_modules_stay_small(name: str, path: Path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_LINES, f"{name}: split it by responsibility"
