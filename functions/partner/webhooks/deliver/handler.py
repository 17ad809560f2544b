"""Webhook delivery, from SQS: a batch's deliveries run concurrently; a failed attempt hides its message
until the next attempt of the retry schedule and reports it as a batch item failure (the last attempt's
goes on to the dead-letter queue)."""

import asyncio
import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    AsyncBatchProcessor,
    EventType,
    async_process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from fashionos.observability import logger
from fashionos.webhooks.container import delivery_queue, delivery_worker
from fashionos.webhooks.queue import DeliveryMessage

# Every message of a batch may fail (an endpoint that is down): that is a normal outcome, not an error.
processor = AsyncBatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
# One thread per message of a batch (the event source's BatchSize): all of a batch's deliveries at once,
# not asyncio's default pool of min(32, CPUs + 4) threads.
BATCH_SIZE = 10
threads = ThreadPoolExecutor(max_workers=BATCH_SIZE, thread_name_prefix="delivery")


class NotDelivered(Exception):
    """This message stays in the queue (hidden until its next attempt, or for the dead-letter queue)."""


def deliver(record: SQSRecord) -> None:
    try:
        message = DeliveryMessage.parse(record.body)
    except (TypeError, ValueError):
        logger.error("Not a delivery message; it goes to the dead-letter queue", message_id=record.message_id)
        delivery_queue().hide(record.receipt_handle, 0)
        raise NotDelivered("Malformed message") from None
    attempt = int(record.attributes.approximate_receive_count)
    next_ = delivery_worker().deliver(message, attempt)
    if not next_.done:
        delivery_queue().hide(record.receipt_handle, next_.delay)
        raise NotDelivered(f"Attempt {attempt} failed; next receive in {next_.delay} s")


async def deliver_concurrently(record: SQSRecord) -> None:
    # In a copy of the invocation's context, as asyncio.to_thread would (which runs on the default pool).
    delivery = functools.partial(contextvars.copy_context().run, deliver, record)
    await asyncio.get_running_loop().run_in_executor(threads, delivery)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return async_process_partial_response(
        event=event, record_handler=deliver_concurrently, processor=processor, context=context
    )
