"""What a read of one order answers with: on the read path, apart from ``values`` (whose records are
the write paths' and cost a read function's cold start their class definitions)."""

from __future__ import annotations

from typing import Any, NamedTuple


class OrderAnswer(NamedTuple):
    """An order as the API answers it (the document ``Order.model_dump()`` makes), with what a read
    checks of it and names in its answer."""

    user_id: int
    version: int
    document: dict[str, Any]
