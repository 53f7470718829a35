"""Import Powertools' batch utility without importing everything its packages ship.

``aws_lambda_powertools.utilities.batch`` and ``utilities.data_classes`` (which it uses) eagerly import
all their members from their package ``__init__``: every processor and decorator, every event data
class. A queue or stream function that uses one processor and one record class pays for all of them at
every cold start. This installs those packages as lazy packages instead (PEP 562 ``__getattr__``): a
name is imported from the submodule the package's own ``__init__`` takes it from, the first time it is
used. The names, and where they come from, are read from that ``__init__`` itself, so a Powertools
upgrade cannot leave them stale. (HTTP functions import neither: their router is the layer's own.)
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from typing import Any

LAZY_PACKAGES = (
    "aws_lambda_powertools.utilities.data_classes",
    # Its __init__ imports the FIFO processor and the decorators besides the one processor used.
    "aws_lambda_powertools.utilities.batch",
)

# `from module import a, b as c` or `from module import (\n a,\n b as c,\n)`, at the start of a line:
# the only statements these package __init__ files use (parsing them with `ast` costs its import).
_IMPORT_FROM = re.compile(r"^from\s+(\.*)([\w.]*)\s+import\s+(?:\(([^)]*)\)|([^\n]+))", re.MULTILINE)


def _exports(package: str, init_path: str) -> dict[str, tuple[str, str]]:
    """Each name the package's ``__init__`` imports, with the module and name it imports it from."""
    with open(init_path, encoding="utf-8") as source:
        text = source.read()
    exports: dict[str, tuple[str, str]] = {}
    for dots, module, grouped, single in _IMPORT_FROM.findall(text):
        if module == "__future__":
            continue
        source_module = module if not dots else ".".join(filter(None, [package, module]))
        for entry in (grouped or single).split(","):
            name, _, alias = entry.split("#")[0].strip().partition(" as ")
            if name:
                exports[alias.strip() or name.strip()] = (source_module or package, name.strip())
    return exports


def install_lazy_package(package: str) -> None:
    if package in sys.modules:
        return  # already imported the ordinary way: nothing left to save
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return
    exports = _exports(package, spec.origin)
    module = importlib.util.module_from_spec(spec)

    def __getattr__(name: str) -> Any:  # noqa: N807 - PEP 562's name for a module attribute hook
        try:
            source, original = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(source), original)
        setattr(module, name, value)
        return value

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__all__ = list(exports)  # type: ignore[attr-defined]
    sys.modules[package] = module


def install() -> None:
    for package in LAZY_PACKAGES:
        install_lazy_package(package)
