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
