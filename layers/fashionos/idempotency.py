"""Idempotency keys: a retried write takes effect once and gets the first response back.

The claim on a key is written in the *same DynamoDB transaction* as the change it guards, so a request is
either applied with its claim or not at all: a crash between the write and the response can never make a
retry apply the change twice (which a "run, then record" scheme allows).

- The Partner API (``IdempotencyKey``, ``Claim``): the claim *is* the stored response. The domain knows its
  result before it writes, so the handler's rendering of that result goes into the transaction with the
  change (``Claim.item(result)``); a retry finds it and replays it, Stripe's semantics.
- The Integration API (``IdempotencyClaim``), whose responses depend on counters read after the write: the
  response is stored right after; a retry that finds a claim without a response re-runs the request in
  ``applied`` mode: it reads the state it needs, but writes nothing.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from botocore.exceptions import ClientError

from fashionos.errors import Contended, IdempotencyInProgress, IdempotencyKeyReused, InvalidRequest
from fashionos.ids import sha256_hex

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

# How long a claim without a stored response counts as "in flight" before a retry may finish it.
IN_FLIGHT_SECONDS = 10
IDEMPOTENCY_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces (Stripe: 255)
T = TypeVar("T")


def record_key(scope: str, key: str) -> dict[str, Any]:
    return {"pk": {"S": f"IDEMPOTENCY#{sha256_hex(f'{scope}:{key}')}"}, "sk": {"S": "IDEMPOTENCY"}}


def checked_key(key: str) -> str:
    if not IDEMPOTENCY_KEY_PATTERN.fullmatch(key):
        raise InvalidRequest("Idempotency-Key must be 1-255 printable ASCII characters without spaces")
    return key


class AlreadyClaimed(Exception):
    """Another request already claimed this key; ``IdempotencyClaim.resolve`` says what to answer."""


class ConditionFailed(Exception):
    """A condition of one of the caller's own transaction items failed (``index`` among them)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: dict[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)


class Rendered(Protocol):
    """A response as a handler renders it (``fashionos.partner.http.Response``)."""

    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def body(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """A Partner API request's ``Idempotency-Key``, scoped to the caller's org, with what makes a retry
    "the same request"."""

    client: DynamoDBClient
    table: str
    scope: str
    key: str
    fingerprint: str
    ttl_seconds: int

    def stored(self) -> StoredResponse | None:
        """The first response to this key, if one committed (and is not expired); ``IdempotencyKeyReused``
        if it was for a different request."""
        item = self.client.get_item(
            TableName=self.table, Key=record_key(self.scope, self.key), ConsistentRead=True
        ).get("Item")
        if item is None or int(item["expires_at"]["N"]) < time.time():
            return None
        if item["fingerprint"]["S"] != self.fingerprint:
            raise IdempotencyKeyReused(
                "Idempotency-Key was already used with a different request; use a new key for a new request"
            )
        stored = json.loads(item["response"]["S"])
        return StoredResponse(stored["status"], stored["body"], stored["headers"])

    @property
    def record(self) -> str:
        """The partition key of the key's record (``rewrite_response`` takes it)."""
        return str(record_key(self.scope, self.key)["pk"]["S"])

    def item(self, response: StoredResponse) -> TransactWriteItemTypeDef:
        """The claim with its response, for the transaction of the change it guards; its condition fails
        if the key was claimed meanwhile (``transaction_error``: ``IdempotencyInProgress``)."""
        now = int(time.time())
        stored = {"status": response.status, "headers": dict(response.headers), "body": response.body}
        return {
            "Put": {
                "TableName": self.table,
                "Item": {
                    **record_key(self.scope, self.key),
                    "scope": {"S": self.scope},  # whose it is: an org's erasure finds its records by it
                    "fingerprint": {"S": self.fingerprint},
                    "response": {"S": json.dumps(stored, separators=(",", ":"))},
                    "created_at": {"N": str(now)},
                    "expires_at": {"N": str(now + self.ttl_seconds)},
                },
                "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
                "ExpressionAttributeValues": {":now": {"N": str(now)}},
            }
        }


@dataclass(frozen=True, slots=True)
class Claim(Generic[T]):
    """What a domain operation puts in its transaction so that its result is stored under the request's
    key: ``item(result)`` renders the result as the handler answers it."""

    key: IdempotencyKey
    render: Callable[[T], Rendered]

    @property
    def record(self) -> str:
        """Where the response will be stored (for a record that shows it: ``rewrite_response``)."""
        return self.key.record

    def item(self, result: T) -> TransactWriteItemTypeDef:
        response = self.render(result)
        return self.key.item(StoredResponse(response.status, response.body, response.headers))


def partner_scope(org_id: str) -> str:
    """The scope of the Partner API's Idempotency-Keys of an org (``fashionos.partner.http`` uses it)."""
    return f"partner:{org_id}"


def record_scope(item: Mapping[str, Any]) -> str | None:
    """Whose record an item of a table is (a Partner API record's ``scope``), else None."""
    if not str(item["pk"]["S"]).startswith("IDEMPOTENCY#") or "scope" not in item:
        return None
    return str(item["scope"]["S"])


def rewrite_response(
    client: DynamoDBClient, table: str, record: str, change: Callable[[Any], Any | None]
) -> bool:
    """The stored response of ``record`` (a ``record``'s partition key) with its body replaced by
    ``change(body)``, unless that is None (or the record is gone, or it changed meanwhile): whether it was
    rewritten. A retry with the key then replays the rewritten response."""
    key = {"pk": {"S": record}, "sk": {"S": "IDEMPOTENCY"}}
    item = client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
    if item is None or "response" not in item:
        return False
    stored = json.loads(item["response"]["S"])
    body = change(stored["body"])
    if body is None:
        return False
    try:
        client.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET #response = :new",
            ConditionExpression="#response = :read",
            ExpressionAttributeNames={"#response": "response"},
            ExpressionAttributeValues={
                ":new": {"S": json.dumps({**stored, "body": body}, separators=(",", ":"))},
                ":read": item["response"],
            },
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def transact_with_claim(
    client: DynamoDBClient, items: list[TransactWriteItemTypeDef], claim: TransactWriteItemTypeDef | None
) -> None:
    """``items`` and the claim (first) in one transaction; ``IdempotencyInProgress`` when the key was
    claimed meanwhile, ``ConditionFailed(index)`` when one of ``items`` fails its condition."""
    try:
        client.transact_write_items(TransactItems=[claim, *items] if claim else items)
    except ClientError as error:
        raise transaction_error(error, claimed=claim is not None) from None


def transaction_error(error: ClientError, *, claimed: bool) -> Exception:
    """What a failed ``TransactWriteItems`` means, the claim (when there is one) being its first item:
    ``IdempotencyInProgress`` (the key was claimed meanwhile), ``ConditionFailed(index)`` among the other
    items, ``Contended`` (a concurrent transaction on the same items: read again and retry, or answer 409),
    or ``error`` itself."""
    if error.response["Error"]["Code"] != "TransactionCanceledException":
        return error
    codes = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
    if claimed and codes and codes[0] == "ConditionalCheckFailed":
        return IdempotencyInProgress("A request with this Idempotency-Key is already being processed")
    own = codes[1:] if claimed else codes
    failed = [i for i, code in enumerate(own) if code == "ConditionalCheckFailed"]
    if failed:
        return ConditionFailed(failed[0])
    if "TransactionConflict" in codes:
        return Contended("Concurrent requests changed the same objects; try again")
    return error


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    client: DynamoDBClient
    table: str
    scope: str
    key: str
    fingerprint: str
    ttl_seconds: int
    # True when re-running a request whose write already committed: compute the response, write nothing.
    applied: bool = False

    @property
    def _item_key(self) -> dict[str, Any]:
        return record_key(self.scope, self.key)

    def transact(self, items: list[TransactWriteItemTypeDef]) -> None:
        """Write ``items`` together with this claim, or nothing. No-op in ``applied`` mode."""
        if self.applied:
            return
        now = int(time.time())
        claim: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self.table,
                "Item": {
                    **self._item_key,
                    "fingerprint": {"S": self.fingerprint},
                    "created_at": {"N": str(now)},
                    "expires_at": {"N": str(now + self.ttl_seconds)},
                },
                # TTL deletion is lazy (and moto never does it): an expired claim counts as absent.
                "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
                "ExpressionAttributeValues": {":now": {"N": str(now)}},
            }
        }
        try:
            self.client.transact_write_items(TransactItems=[claim, *items])
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
            if "TransactionConflict" in codes:
                raise IdempotencyInProgress(
                    "A request with this Idempotency-Key is already being processed"
                ) from error
            if codes and codes[0] == "ConditionalCheckFailed":
                raise AlreadyClaimed from error
            failed = [i for i, code in enumerate(codes[1:]) if code == "ConditionalCheckFailed"]
            if failed:
                raise ConditionFailed(failed[0]) from error
            raise

    def resolve(self) -> StoredResponse | IdempotencyClaim:
        """After ``AlreadyClaimed``: the first response to replay, or this claim in ``applied`` mode."""
        item = self.client.get_item(TableName=self.table, Key=self._item_key, ConsistentRead=True).get("Item")
        if item is None or int(item["expires_at"]["N"]) < time.time():
            # Expired between our write attempt and this read: the caller may simply try again.
            raise IdempotencyInProgress("A request with this Idempotency-Key is already being processed")
        if item["fingerprint"]["S"] != self.fingerprint:
            raise IdempotencyKeyReused(
                "Idempotency-Key was already used with a different request; use a new key for a new request"
            )
        if "response" in item:
            stored = json.loads(item["response"]["S"])
            return StoredResponse(status=stored["status"], body=stored["body"])
        if time.time() < int(item["created_at"]["N"]) + IN_FLIGHT_SECONDS:
            raise IdempotencyInProgress("A request with this Idempotency-Key is already being processed")
        return replace(self, applied=True)

    def save(self, response: StoredResponse) -> None:
        self.client.update_item(
            TableName=self.table,
            Key=self._item_key,
            UpdateExpression="SET #response = :response",
            ExpressionAttributeNames={"#response": "response"},
            ExpressionAttributeValues={
                ":response": {"S": json.dumps({"status": response.status, "body": response.body})}
            },
        )


def fingerprint(method: str, path: str, body: dict[str, Any], *, ignore: frozenset[str] = frozenset()) -> str:
    """What makes two requests "the same": method, path and body (minus credentials such as a handshake
    token, which may rotate between a request and its retry)."""
    material = {k: v for k, v in body.items() if k not in ignore}
    return sha256_hex(f"{method} {path} {json.dumps(material, sort_keys=True, separators=(',', ':'))}")
