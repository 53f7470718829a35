"""SQS trigger of the execution queue: execute each queued order, reporting partial batch failures so
that only the messages that failed are delivered again (and end in the dead-letter queue)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orders_common.batch import BatchProcessor, EventType, SQSRecord, lambda_batch_handler, process_partial_response
from orders_common.logic.execution import execute_queued
from orders_common.models.messages import ExecutionMessage
from orders_common.observability import logger
from orders_common.wiring import services

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

# A batch whose every message failed is reported like any other (each message retried, then the
# dead-letter queue) rather than as a failed invocation.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def execute_record(record: SQSRecord) -> str:
    message = ExecutionMessage.model_validate_json(record.body)
    outcome = execute_queued(message.order_id, services())
    logger.info("Queued order handled", order_id=message.order_id, outcome=outcome)
    return outcome


@lambda_batch_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=execute_record, processor=processor, context=context)
