"""The template's event sources as the local stack reads them, and Lambda's rules the pollers apply."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from devserver.pollers import matches, matches_any, reported_failures
from devserver.template import (
    UNLIMITED_RETRIES,
    LocalTemplate,
    SqsEventSource,
    StreamEventSource,
    load_template,
)

TEMPLATE = load_template()
STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/unit-EventTable/stream/2030-01-01T00:00:00.000"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:unit-WebhookDeliveryQueue"
QUEUE_URL = "http://127.0.0.1:5000/123456789012/unit-WebhookDeliveryQueue"
UPLOADS_URL = "http://127.0.0.1:5000/123456789012/unit-AssetUploadQueue"
OUTBOX_FILTER = json.loads(
    TEMPLATE["Resources"]["WebhookFanoutFunction"]["Properties"]["Events"]["Outbox"]["Properties"][
        "FilterCriteria"
    ]["Filters"][0]["Pattern"]
)


def created(template: dict[str, Any] = TEMPLATE) -> LocalTemplate:
    """The template as ``create_resources`` leaves it, without creating anything."""
    local = LocalTemplate(template, "unit")
    local.physical.update(EventTable="unit-EventTable", WebhookDeliveryQueue=QUEUE_URL)
    local.attributes.update(
        {
            ("EventTable", "Arn"): "arn:aws:dynamodb:us-east-1:123456789012:table/unit-EventTable",
            ("EventTable", "StreamArn"): STREAM_ARN,
            ("WebhookDeliveryQueue", "Arn"): QUEUE_ARN,
            ("WebhookDeliveryQueue", "QueueUrl"): QUEUE_URL,
            ("WebhookDeliveryQueue", "QueueName"): "unit-WebhookDeliveryQueue",
            ("AssetUploadQueue", "Arn"): "arn:aws:sqs:us-east-1:123456789012:unit-AssetUploadQueue",
            ("AssetUploadQueue", "QueueUrl"): UPLOADS_URL,
            ("ExportQueue", "Arn"): "arn:aws:sqs:us-east-1:123456789012:unit-ExportQueue",
            ("ExportQueue", "QueueUrl"): "http://127.0.0.1:5000/123456789012/unit-ExportQueue",
            ("WebhookFanoutFailureQueue", "Arn"): "arn:aws:sqs:us-east-1:123456789012:unit-FanoutFailures",
        }
    )
    return local


def stream_record(event_name: str = "INSERT", **image: dict[str, Any]) -> dict[str, Any]:
    return {"eventName": event_name, "dynamodb": {"Keys": {"pk": {"S": "p"}}, "NewImage": image}}


# --- Filter patterns (Lambda event filtering) ---


def test_the_outbox_filter_takes_inserted_events_only() -> None:
    assert matches(OUTBOX_FILTER, stream_record("INSERT", kind={"S": "event"}))
    assert not matches(OUTBOX_FILTER, stream_record("MODIFY", kind={"S": "event"}))
    assert not matches(OUTBOX_FILTER, stream_record("INSERT", kind={"S": "counter"}))
    assert not matches(OUTBOX_FILTER, stream_record("INSERT"))  # no kind at all
    assert not matches(OUTBOX_FILTER, {"eventName": "REMOVE", "dynamodb": {"Keys": {}}})  # no NewImage


def test_a_list_of_values_means_any_of_them() -> None:
    pattern = {"eventName": ["INSERT", "MODIFY"]}
    assert matches(pattern, {"eventName": "MODIFY"})
    assert not matches(pattern, {"eventName": "REMOVE"})


def test_a_list_field_matches_when_one_of_its_elements_does() -> None:
    assert matches({"tags": ["b"]}, {"tags": ["a", "b"]})
    assert not matches({"tags": ["c"]}, {"tags": ["a", "b"]})


def test_values_compare_as_json_values() -> None:
    assert matches({"n": [1]}, {"n": 1})
    assert not matches({"n": [1]}, {"n": True})
    assert not matches({"n": [1]}, {"n": "1"})
    assert matches({"n": [None]}, {"n": None})


def test_prefix() -> None:
    pattern = {"type": [{"prefix": "order."}]}
    assert matches(pattern, {"type": "order.created"})
    assert not matches(pattern, {"type": "invoice.created"})
    assert not matches(pattern, {"type": 3})
    assert not matches(pattern, {})


def test_exists() -> None:
    present = {"dynamodb": {"NewImage": {"kind": [{"exists": True}]}}}
    absent = {"dynamodb": {"NewImage": {"kind": [{"exists": False}]}}}
    assert matches(present, stream_record(kind={"S": "event"}))
    assert not matches(present, stream_record())
    assert matches(absent, stream_record())
    assert matches(absent, {"eventName": "REMOVE"})  # the whole branch is missing
    assert not matches(absent, stream_record(kind={"S": "event"}))


def test_anything_but() -> None:
    pattern = {"eventName": [{"anything-but": ["REMOVE", "MODIFY"]}]}
    assert matches(pattern, {"eventName": "INSERT"})
    assert not matches(pattern, {"eventName": "REMOVE"})
    assert not matches(pattern, {})  # a missing field is not "anything but"
    assert matches({"n": [{"anything-but": 1}]}, {"n": 2})
    assert not matches({"tags": [{"anything-but": "x"}]}, {"tags": ["a", "x"]})


def test_unsupported_rules_are_refused_rather_than_ignored() -> None:
    with pytest.raises(ValueError, match="numeric"):
        matches({"n": [{"numeric": [">", 0]}]}, {"n": 1})
    with pytest.raises(ValueError, match="object or a list"):
        matches({"eventName": "INSERT"}, {"eventName": "INSERT"})


def test_no_filter_lets_everything_through_and_filters_are_alternatives() -> None:
    assert matches_any((), {"anything": 1})
    filters = ({"eventName": ["INSERT"]}, {"eventName": ["REMOVE"]})
    assert matches_any(filters, {"eventName": "REMOVE"})
    assert not matches_any(filters, {"eventName": "MODIFY"})


# --- Partial batch responses ---


@pytest.mark.parametrize("response", [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}])
def test_responses_that_mean_the_whole_batch_succeeded(response: Any) -> None:
    assert reported_failures(response, ["m1", "m2"]) == set()


def test_the_listed_identifiers_failed() -> None:
    response = {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]}
    assert reported_failures(response, ["m1", "m2", "m3"]) == {"m2", "m3"}


@pytest.mark.parametrize(
    "response",
    [
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"id": "m1"}]},  # a wrong key name
        {"batchItemFailures": [{"itemIdentifier": "m9"}]},  # not in the batch
        {"batchItemFailures": "m1"},
        ["m1"],
    ],
)
def test_responses_that_fail_the_whole_batch(response: Any) -> None:
    assert reported_failures(response, ["m1", "m2"]) is None


# --- The template's event sources ---


def test_the_outbox_stream_drives_the_fanout_function() -> None:
    sources = {source.function: source for source in created().event_sources()}
    assert set(sources) == {
        "WebhookFanoutFunction",
        "WebhookDeliveryFunction",
        "ConfirmAssetUploadFunction",
        "RunExportFunction",
    }
    assert sources["WebhookFanoutFunction"] == StreamEventSource(
        function="WebhookFanoutFunction",
        source_arn=STREAM_ARN,
        starting_position="TRIM_HORIZON",
        batch_size=100,
        batching_window_seconds=1,
        maximum_retry_attempts=100,
        report_batch_item_failures=True,
        filters=(OUTBOX_FILTER,),
    )


def test_the_upload_queue_drives_the_confirm_function() -> None:
    sources = {source.function: source for source in created().event_sources()}
    assert sources["ConfirmAssetUploadFunction"] == SqsEventSource(
        function="ConfirmAssetUploadFunction",
        source_arn="arn:aws:sqs:us-east-1:123456789012:unit-AssetUploadQueue",
        queue_url=UPLOADS_URL,
        batch_size=10,
        batching_window_seconds=1,
        report_batch_item_failures=True,
        filters=(),
    )


def test_the_delivery_queue_drives_the_delivery_function() -> None:
    sources = {source.function: source for source in created().event_sources()}
    assert sources["WebhookDeliveryFunction"] == SqsEventSource(
        function="WebhookDeliveryFunction",
        source_arn=QUEUE_ARN,
        queue_url=QUEUE_URL,
        batch_size=10,
        batching_window_seconds=1,
        report_batch_item_failures=True,
        filters=(),
    )


def test_lambda_defaults_apply_to_what_an_event_leaves_out_and_disabled_events_are_skipped() -> None:
    template = copy.deepcopy(TEMPLATE)
    events = template["Resources"]["WebhookFanoutFunction"]["Properties"]["Events"]
    events["Outbox"]["Properties"] = {
        "Stream": {"Fn::GetAtt": ["EventTable", "StreamArn"]},
        "StartingPosition": "LATEST",
    }
    deliveries = template["Resources"]["WebhookDeliveryFunction"]["Properties"]["Events"]["Deliveries"]
    deliveries["Properties"]["Enabled"] = False
    uploads = template["Resources"]["ConfirmAssetUploadFunction"]["Properties"]["Events"]["Uploads"]
    uploads["Properties"]["Enabled"] = False
    exports = template["Resources"]["RunExportFunction"]["Properties"]["Events"]["Exports"]
    exports["Properties"]["Enabled"] = False
    (source,) = created(template).event_sources()
    assert source == StreamEventSource(
        function="WebhookFanoutFunction",
        source_arn=STREAM_ARN,
        starting_position="LATEST",
        batch_size=100,
        batching_window_seconds=0,
        maximum_retry_attempts=UNLIMITED_RETRIES,  # -1: until the record leaves the stream
        report_batch_item_failures=False,
        filters=(),
    )


def test_function_timeouts_come_from_the_function_or_globals() -> None:
    functions = created().functions()
    assert functions["WebhookFanoutFunction"].timeout_seconds == 60
    assert functions["WebhookDeliveryFunction"].timeout_seconds == 30
    assert functions["MeFunction"].timeout_seconds == TEMPLATE["Globals"]["Function"]["Timeout"]


# --- Ref and Fn::GetAtt ---


def test_get_att_returns_the_attribute_asked_for() -> None:
    local = created()
    assert local.resolve({"Fn::GetAtt": ["EventTable", "StreamArn"]}) == STREAM_ARN
    assert local.resolve({"Fn::GetAtt": ["EventTable", "Arn"]}).endswith(":table/unit-EventTable")
    assert local.resolve({"Fn::GetAtt": ["WebhookDeliveryQueue", "Arn"]}) == QUEUE_ARN
    assert local.resolve({"Fn::GetAtt": ["WebhookDeliveryQueue", "QueueUrl"]}) == QUEUE_URL
    assert local.resolve({"Fn::GetAtt": "WebhookDeliveryQueue.QueueName"}) == "unit-WebhookDeliveryQueue"


def test_ref_of_a_queue_is_its_url_and_of_a_table_its_name() -> None:
    environment = created().functions()["WebhookDeliveryFunction"].environment
    assert environment["WEBHOOK_QUEUE_URL"] == QUEUE_URL
    assert environment["EVENT_TABLE_NAME"] == "unit-EventTable"


def test_an_attribute_nothing_created_is_an_error_not_a_guess() -> None:
    with pytest.raises(KeyError, match=r"EventTable\.StreamArn"):
        LocalTemplate(TEMPLATE, "unit").resolve({"Fn::GetAtt": ["EventTable", "StreamArn"]})


def test_the_retry_schedule_parameter_reaches_the_webhook_functions() -> None:
    local = LocalTemplate(TEMPLATE, "unit", {"WebhookRetrySchedule": "0 1 2 3 5 8 13 21"})
    environment = local.functions()["WebhookDeliveryFunction"].environment
    assert environment["WEBHOOK_RETRY_SCHEDULE"] == "0 1 2 3 5 8 13 21"
