"""Outbox stream → delivery queue: each new event becomes one SQS message per endpoint that receives it
(DynamoDB stream event source, filtered to event INSERTs; partial batch failures)."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from fashionos.events.store import EVENT_KIND, event_from_item
from fashionos.observability import logger
from fashionos.webhooks.container import fanout

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def fan_out(record: DynamoDBRecord) -> None:
    raw = record.raw_event
    image = raw.get("dynamodb", {}).get("NewImage", {})
    if raw.get("eventName") != "INSERT" or image.get("kind", {}).get("S") != EVENT_KIND:
        return  # the event source's filter already keeps these out; never act on them regardless
    event = event_from_item(image)
    sent = fanout().fan_out(event)
    logger.info("Event fanned out", event_id=event.event_id, type=event.type, deliveries=sent)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(event=event, record_handler=fan_out, processor=processor, context=context)
