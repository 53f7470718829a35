"""Where a route's parameter comes from: ``Annotated[PathId, Path()]``, ``Annotated[ListQuery, Query()]``,
``Annotated[str | None, Header(alias="if-match")]``, ``Annotated[CreateOrderRequest, Body(embed=False)]``.

Plain markers: the router (``http.router``) reads them to bind and validate a request, and the OpenAPI
build (``http.openapi``) turns each into Powertools' own marker of the same name and arguments, so the
document is what Powertools generates from the same declarations. Importing Powertools' markers here
instead would put its OpenAPI machinery (about 20 ms) into every cold start.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Param:
    """Plain classes, not dataclasses: generating their methods would cost each cold start ~2 ms."""

    __slots__ = ("alias", "openapi_examples")
    location: ClassVar[str]

    def __init__(self, *, alias: str | None = None, openapi_examples: dict[str, Any] | None = None) -> None:
        self.alias = alias
        self.openapi_examples = openapi_examples

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of Powertools' marker of the same name."""
        return {name: value for name, value in (("alias", self.alias), ("openapi_examples", self.openapi_examples))
                if value is not None}  # fmt: skip


class Path(Param):
    __slots__ = ()
    location = "path"


class Query(Param):
    __slots__ = ()
    location = "query"


class Header(Param):
    __slots__ = ()
    location = "header"


class Body(Param):
    """The whole JSON body as one model (``embed=False``, the only form this API uses)."""

    __slots__ = ("embed",)
    location = "body"

    def __init__(self, *, embed: bool = False, **arguments: Any) -> None:
        super().__init__(**arguments)
        self.embed = embed

    def arguments(self) -> dict[str, Any]:
        return {**super().arguments(), "embed": self.embed}


__all__ = ["Body", "Header", "Param", "Path", "Query"]
