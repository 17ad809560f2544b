"""Exports to write, from the export queue: each message names one (``fashionos.exports.service``). A
message that fails stays in the queue for another try (partial batch failures); one that names no export is
dropped."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from fashionos.exports.container import export_service
from fashionos.observability import logger
from fashionos.privacy.export import write_export

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def run(record: SQSRecord) -> None:
    try:
        named = json.loads(record.body)
        org_id, export_id = str(named["org_id"]), str(named["export_id"])
    except (ValueError, TypeError, KeyError):
        logger.error("Not an export message; dropped", message_id=record.message_id)
        return
    export = export_service().run(org_id, export_id, write_export)
    logger.info("Export run", export_id=export_id, status=export.status if export else "unknown")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(event=event, record_handler=run, processor=processor, context=context)
