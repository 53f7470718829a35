"""SQS trigger of the execution queue: execute each queued order, reporting partial batch failures so
that only the messages that failed are delivered again (and end in the dead-letter queue)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orders_common.batch import BatchProcessor, EventType, process_partial_response
from orders_common.models.messages import ExecutionMessage
from orders_common.models.order_event import Actor, ActorKind
from orders_common.observability import logger
from orders_common.origin import Origin, acting
from orders_common.runtime import sqs_entry
from orders_common.wiring import services

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

# A batch whose every message failed is reported like any other (each message retried, then the
# dead-letter queue) rather than as a failed invocation.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def execute_record(record: SQSRecord) -> str:
    message = ExecutionMessage.model_validate_json(record.body)
    try:
        with acting(Origin.of(Actor(kind=ActorKind.QUEUE), request_id=record.message_id)):
            outcome = services().execute_queued(message.order_id)
    except Exception as error:
        # Only this message is delivered again; say why, since the batch response cannot.
        logger.warning("Queued order failed; it will be delivered again", order_id=message.order_id, error=repr(error))
        raise
    logger.info("Queued order handled", order_id=message.order_id, outcome=outcome)
    return outcome


def handle_batch(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=execute_record, processor=processor, context=context)


lambda_handler = sqs_entry(handle_batch)
