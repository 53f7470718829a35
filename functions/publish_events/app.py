"""DynamoDB stream trigger of the orders table: publish each new order event to the stack's EventBridge
bus, reporting partial batch failures so that only the events not published are delivered again
(bisected, retried, then sent to the dead-letter queue)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orders_common.batch import BatchProcessor, EventType, process_partial_response
from orders_common.observability import logger
from orders_common.runtime import stream_entry
from orders_common.wiring import services

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

# A batch whose every record failed is reported like any other (Lambda retries from the first failed
# record) rather than as a failed invocation.
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def publish_record(record: DynamoDBRecord) -> str:
    image = (record.dynamodb.new_image if record.dynamodb else None) or {}
    event_id = image.get("event_id")  # never the whole image: it carries account data
    try:
        outcome = services().publish_order_event(image)
    except Exception as error:
        # Only this record is delivered again; say why, since the batch response cannot.
        logger.warning("Order event not published; it will be delivered again", event_id=event_id, error=repr(error))
        raise
    logger.info("Order event handled", event_id=event_id, outcome=outcome)
    return outcome


def handle_batch(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=publish_record, processor=processor, context=context)


lambda_handler = stream_entry(handle_batch)
