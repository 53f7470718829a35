"""The base of the service's pydantic models."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    # A model's validator and serializer are built when it is first used, not at import: each
    # function uses a few of the service's models and should not pay for building the others.
    model_config = ConfigDict(defer_build=True)


def empty_list() -> list[Any]:
    """A field's empty-list default. Not ``default_factory=list``: pydantic reads a factory's signature,
    and a builtin's is parsed from its text by ``inspect`` (about 2 ms of a cold start, once)."""
    return []


# The last frozen model dumped, and its dump (``dumped``).
_last_dump: tuple[BaseModel, dict[str, Any]] | None = None


def dumped(model: BaseModel) -> dict[str, Any]:
    """``model.model_dump()`` of a frozen model, computed once for the model last asked: a create
    stores the order it answers, and each dump runs a Python serializer for every amount and time
    (about a fifth of a create's own time on Lambda's image went to dumping its order). A frozen
    model's fields never change, and a changed order is another object (``model_copy``)."""
    global _last_dump
    if not model.model_config.get("frozen"):
        raise TypeError(f"{type(model).__name__} is not frozen: its dump may change")
    last = _last_dump
    if last is None or last[0] is not model:
        last = _last_dump = (model, model.model_dump())
    return dict(last[1])


def dump_of(model: BaseModel) -> dict[str, Any]:
    """``model.model_dump()``, taken from ``dumped`` when it has just dumped this very model (a create
    answering the order it stored); never kept for later (a read answers each order once)."""
    last = _last_dump
    if last is not None and last[0] is model:
        return dict(last[1])
    return model.model_dump()
