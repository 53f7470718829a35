"""The base of the service's pydantic models."""

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    # A model's validator and serializer are built when it is first used, not at import: each
    # function uses a few of the service's models and should not pay for building the others.
    model_config = ConfigDict(defer_build=True)
