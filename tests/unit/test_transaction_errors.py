"""How a cancelled TransactWriteItems is read: by DynamoDB's cancellation codes, never by message."""

import pytest
from botocore.exceptions import ClientError

from fashionos.errors import Contended, IdempotencyInProgress
from fashionos.idempotency import ConditionFailed, transaction_error


def cancelled(*codes: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "ignored"},
            "CancellationReasons": [{"Code": code} for code in codes],
        },
        "TransactWriteItems",
    )


def test_the_claims_condition_is_a_request_in_progress() -> None:
    assert isinstance(
        transaction_error(cancelled("ConditionalCheckFailed", "None"), claimed=True), IdempotencyInProgress
    )


@pytest.mark.parametrize(
    ("claimed", "codes", "index"),
    [(True, ("None", "None", "ConditionalCheckFailed"), 1), (False, ("ConditionalCheckFailed",), 0)],
)
def test_a_failed_condition_names_the_callers_item(claimed: bool, codes: tuple[str, ...], index: int) -> None:
    error = transaction_error(cancelled(*codes), claimed=claimed)
    assert isinstance(error, ConditionFailed)
    assert error.index == index


def test_a_conflict_with_a_concurrent_transaction_is_contention_a_409_or_a_retry() -> None:
    error = transaction_error(cancelled("None", "TransactionConflict"), claimed=False)
    assert isinstance(error, Contended)
    assert error.code == "contended"


def test_any_other_error_is_itself() -> None:
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "x"}}, "TransactWriteItems")
    assert transaction_error(throttled, claimed=False) is throttled
