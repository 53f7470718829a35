"""What travels on the execution queue: written by process-all's fan-out, read by the executor."""

from __future__ import annotations

from pydantic import ConfigDict

from orders_common.models.base import Model
from orders_common.models.fields import EntityId


class ExecutionMessage(Model):
    """Body of a message on the execution queue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    order_id: EntityId
