"""New Design Vault objects, from S3's notifications through SQS: each is checked against its asset's
declaration (``fashionos.assets.confirm``). A message that fails stays in the queue for another try
(partial batch failures); one that is no S3 notification at all goes on to the dead-letter queue at once."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from fashionos import aws
from fashionos.assets.confirm import MalformedNotification, new_objects
from fashionos.assets.container import upload_confirmer
from fashionos.observability import logger
from fashionos.settings import asset_settings

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def confirm(record: SQSRecord) -> None:
    try:
        objects = list(new_objects(record.body))
    except MalformedNotification:
        logger.error("Not an S3 notification; it goes to the dead-letter queue", message_id=record.message_id)
        aws.sqs().change_message_visibility(
            QueueUrl=asset_settings().upload_queue_url,
            ReceiptHandle=record.receipt_handle,
            VisibilityTimeout=0,
        )
        raise
    for new in objects:
        outcome = upload_confirmer().confirm(new)
        logger.info("Upload checked", key=new.key, version_id=new.version_id, outcome=outcome)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(event=event, record_handler=confirm, processor=processor, context=context)
