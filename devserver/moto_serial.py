"""moto's server with one lock around every request.

moto's backends are not thread-safe: under concurrent requests its DynamoDB loses ``ADD`` increments
(a read-then-write in Python) and a cancelled ``TransactWriteItems`` restores a snapshot of the whole table,
undoing writes committed meanwhile. DynamoDB itself makes each item write and each transaction atomic; serving
one request at a time is how the local stack keeps that promise. Connections are still accepted concurrently.

A cancelled transaction leaves what DynamoDB leaves, streams included, and a transaction costs what its
items do, not what the tables hold (``transactions_like_dynamodb``); S3 takes browser form uploads
(presigned POSTs), sends its notifications and keeps bucket policies as S3 does (``s3_like_aws``).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import copy
import hashlib
import hmac
import itertools
import json
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, urlencode, urlparse, urlunparse
from xml.sax.saxutils import escape

# The secret of every access key on the local stack (``LocalStack.aws_environment``): what a presigned
# POST's signature is checked with.
LOCAL_SECRET = "local"  # noqa: S105 - moto's, not a secret


def transactions_like_dynamodb() -> None:
    """Two things moto's ``TransactWriteItems`` does unlike DynamoDB.

    It rolls a cancelled transaction back by swapping each table for a copy taken before it, after writing
    the cancelled writes' stream records to the table it drops. A stream reader holding that table's shard
    then reads records of writes that never happened, and its checkpoint skips the next real record (same
    sequence number). On DynamoDB a cancelled transaction leaves no stream record: drop them from the live
    shard and keep that shard on the restored table.

    And it takes that copy, of every table the transaction names, before every transaction, as a deep copy of
    all of the table's items and stream records: a transaction's cost grew with everything the stack had
    stored, so a local stack slowed down as it ran (on CI's e2e stack, transactions took seconds and functions
    ran past their timeouts). One request at a time (``serialised``), only the items the transaction names
    can change: the copy is of those, and shares the others (``_Backups``)."""
    import moto.dynamodb.models as models

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        names = {op.get("TableName") for item in transact_items for op in item.values()}
        shards = {
            name: (table.stream_shard, len(table.stream_shard.items))
            for name, table in self.tables.items()
            if name in names and table.stream_shard is not None
        }
        models.copy = _Backups(transact_items)  # type: ignore[attr-defined,assignment]
        try:
            original(self, transact_items)
        except Exception:
            for name, (shard, length) in shards.items():
                del shard.items[length:]
                restored = self.tables[name]
                restored.stream_shard, shard.table = shard, restored
            raise
        finally:
            models.copy = copy  # type: ignore[attr-defined]

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


class _Backups:
    """The ``copy`` module as moto's ``transact_write_items`` sees it: its backup of a table (``deepcopy``)
    copies the table's own attributes and the items the transaction names, and shares every other item."""

    def __init__(self, transact_items: list[dict[str, Any]]) -> None:
        self._named = [op for item in transact_items for op in item.values()]

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        from moto.dynamodb.models.table import Table

        if not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        backup = copy.copy(value)
        backup.items = defaultdict(dict, value.items)
        for key in self._keys(value):
            hash_key, range_key = key
            if range_key is None:
                if hash_key in value.items:
                    backup.items[hash_key] = copy.deepcopy(value.items[hash_key])
            elif hash_key in value.items:
                if backup.items[hash_key] is value.items[hash_key]:  # the partition's first named item
                    backup.items[hash_key] = dict(value.items[hash_key])
                if range_key in value.items[hash_key]:
                    backup.items[hash_key][range_key] = copy.deepcopy(value.items[hash_key][range_key])
        return backup

    def _keys(self, table: Any) -> list[tuple[Any, Any]]:
        """The keys of ``table`` the transaction names, as moto's items are keyed (``DynamoType``)."""
        from moto.dynamodb.models.dynamo_type import DynamoType

        keys = []
        for op in self._named:
            if op.get("TableName") != table.name:
                continue
            attrs = op.get("Item") or op.get("Key") or {}
            if table.hash_key_attr not in attrs:
                continue  # moto refuses it, writing nothing
            range_attr = table.range_key_attr
            if range_attr is not None and range_attr not in attrs:
                continue
            range_key = DynamoType(attrs[range_attr]) if range_attr is not None else None
            keys.append((DynamoType(attrs[table.hash_key_attr]), range_key))
        return keys


class PostRefused(Exception):
    """S3's refusal of a form upload, rendered as S3 renders it."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details

    def response(self) -> tuple[int, dict[str, str], str]:
        details = "".join(f"<{name}>{escape(str(value))}</{name}>" for name, value in self.details.items())
        request_id = binascii.hexlify(_random_bytes(8)).decode().upper()
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{self.code}</Code><Message>{escape(self.message)}</Message>{details}"
            f"<RequestId>{request_id}</RequestId><HostId>{base64.b64encode(_random_bytes(24)).decode()}</HostId>"
            "</Error>"
        )
        return self.status, {"Content-Type": "application/xml", "x-amz-request-id": request_id}, body


def _random_bytes(count: int) -> bytes:
    return os.urandom(count)


def _denied(message: str) -> PostRefused:
    return PostRefused(403, "AccessDenied", f"Invalid according to Policy: {message}")


OPERATORS = ("eq", "starts-with")  # a policy's field conditions (and content-length-range)
CHECKSUM_OPTIONS = ("x-amz-checksum-algorithm", "x-amz-checksum-type")  # x-amz-checksum-* fields, no checksum
# Form fields no condition has to name (SigV4's, SigV2's, and x-ignore-*).
_UNCONDITIONED_FIELDS = {"policy", "x-amz-signature", "file", "awsaccesskeyid", "signature"}
# x-amz-checksum-<algorithm> → (S3's name of the algorithm, its digest); CRC32C and CRC64NVME need
# libraries the local stack does not have (moto falls back to CRC32 for them: a wrong checksum).
_CHECKSUMS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "x-amz-checksum-sha256": ("SHA256", lambda data: hashlib.sha256(data).digest()),
    "x-amz-checksum-sha1": ("SHA1", lambda data: hashlib.sha1(data, usedforsecurity=False).digest()),
    "x-amz-checksum-crc32": ("CRC32", lambda data: binascii.crc32(data).to_bytes(4, "big")),
}


def check_post_signature(fields: dict[str, str], policy: str, secret: str = LOCAL_SECRET) -> None:
    """A presigned POST's signature of its ``policy`` (the base64 form field): SigV4 (``x-amz-signature``,
    the HMAC chain of ``x-amz-credential``'s scope) or SigV2 (``signature``, HMAC-SHA1)."""
    mismatch = PostRefused(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key "
        "and signing method.",
    )
    if "x-amz-signature" in fields:
        if fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256":
            raise PostRefused(
                400,
                "InvalidArgument",
                "Bucket POST must contain a field named 'x-amz-algorithm' of AWS4-HMAC-SHA256.",
            )
        scope = fields.get("x-amz-credential", "").split("/")
        if len(scope) != 5 or scope[4] != "aws4_request":
            raise PostRefused(400, "InvalidArgument", "Invalid argument: x-amz-credential is malformed.")
        key = f"AWS4{secret}".encode()
        for part in scope[1:]:
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, policy.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, fields["x-amz-signature"].lower()):
            raise mismatch
    elif "signature" in fields and "awsaccesskeyid" in fields:
        digest = hmac.new(secret.encode(), policy.encode(), hashlib.sha1).digest()
        if not hmac.compare_digest(base64.b64encode(digest).decode(), fields["signature"]):
            raise mismatch
    else:
        raise PostRefused(
            400,
            "InvalidArgument",
            "Bucket POST must contain a field named 'AWSAccessKeyId'.  If it is specified, please check "
            "the order of the fields.",
        )


def check_post_policy(
    policy: str, fields: dict[str, str], bucket: str, size: int, *, files: bool = True
) -> None:
    """What S3 checks of a form upload's ``policy`` (base64 JSON) against its ``fields`` (names
    lower-cased), its bucket and its file's ``size``: not expired, each condition met, no field that no
    condition names. ``files=False``: not the conditions on the file itself (its size, its
    ``Content-Type``): see ``LAND_UNDECLARED_FILES``."""
    try:
        document = json.loads(base64.b64decode(policy, validate=True))
    except ValueError:
        raise PostRefused(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    if not isinstance(document, dict) or "expiration" not in document:
        raise PostRefused(400, "InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.")
    if not isinstance(document.get("conditions"), list):
        raise PostRefused(400, "InvalidPolicyDocument", "Invalid Policy: Policy missing conditions.")
    try:
        expires = datetime.fromisoformat(str(document["expiration"]))
    except ValueError:
        raise PostRefused(
            400,
            "InvalidPolicyDocument",
            f"Invalid Policy: Invalid 'expiration' value: '{document['expiration']}'",
        ) from None
    if expires.tzinfo is None or expires <= datetime.now(UTC):
        raise _denied("Policy expired.")
    values = {**fields, "bucket": bucket}
    named: set[str] = set()
    size_range: tuple[int, int] | None = None
    for condition in document["conditions"]:
        if isinstance(condition, dict):
            tests = [("eq", name, value) for name, value in condition.items()]
        elif isinstance(condition, list) and len(condition) == 3 and str(condition[0]).lower() in OPERATORS:
            tests = [(str(condition[0]).lower(), str(condition[1]).removeprefix("$"), condition[2])]
        elif isinstance(condition, list) and len(condition) == 3 and condition[0] == "content-length-range":
            size_range = (int(condition[1]), int(condition[2]))
            continue
        else:
            raise PostRefused(
                400, "InvalidPolicyDocument", f"Invalid Policy: Invalid Condition: {json.dumps(condition)}"
            )
        for operator, name, expected in tests:
            named.add(name.lower())
            if not files and name.lower() == "content-type":
                continue
            actual = values.get(name.lower(), "")
            if operator == "eq":
                met = actual == str(expected)
            elif name.lower() == "content-type":  # each of a comma-separated list
                met = all(part.strip().startswith(str(expected)) for part in actual.split(","))
            else:
                met = actual.startswith(str(expected))
            if not met:
                raise _denied(f"Policy Condition failed: {json.dumps([operator, '$' + name, expected])}")
    extra = [
        name
        for name in fields
        if name not in named and name not in _UNCONDITIONED_FIELDS and not name.startswith("x-ignore-")
    ]
    if extra:
        raise _denied(f"Extra input fields: {', '.join(extra)}")
    if size_range is not None and files:
        low, high = size_range
        if size < low:
            raise PostRefused(
                400,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size",
                ProposedSize=size,
                MinSizeAllowed=low,
            )
        if size > high:
            raise PostRefused(
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
                ProposedSize=size,
                MaxSizeAllowed=high,
            )


def actual_checksum(fields: dict[str, str], data: bytes) -> tuple[str, str] | None:
    """The checksum S3 keeps for ``data`` of the algorithm the form's ``x-amz-checksum-*`` names, whatever
    value the form gave (``LAND_UNDECLARED_FILES``)."""
    for name, (algorithm, digest) in _CHECKSUMS.items():
        if name in fields:
            return algorithm, base64.b64encode(digest(data)).decode()
    return None


def checked_checksum(fields: dict[str, str], data: bytes) -> tuple[str, str] | None:
    """The form's ``x-amz-checksum-*`` as (algorithm, base64 value) once ``data`` matches it; S3's
    refusal otherwise. ``Content-MD5`` likewise (not kept as a checksum)."""
    md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
    if fields.get("content-md5", md5) != md5:
        raise PostRefused(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
    given = [name for name in fields if name.startswith("x-amz-checksum-") and name not in CHECKSUM_OPTIONS]
    if not given:
        return None
    if len(given) > 1:
        raise PostRefused(
            400,
            "InvalidRequest",
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
        )
    (name,) = given
    if name not in _CHECKSUMS:
        raise PostRefused(501, "NotImplemented", f"The local stack does not compute {name} checksums.")
    algorithm, digest = _CHECKSUMS[name]
    expected = digest(data)
    try:
        value = base64.b64decode(fields[name], validate=True)
    except ValueError:
        value = b""
    if len(value) != len(expected):
        raise PostRefused(400, "InvalidRequest", f"Value for {name} header is invalid.")
    if value != expected:
        raise PostRefused(
            400, "BadDigest", f"The {algorithm} you specified did not match the calculated checksum."
        )
    return algorithm, fields[name]


def parsed_tagging(text: str) -> list[dict[str, str]]:
    """The ``tagging`` form field (S3's ``<Tagging><TagSet><Tag>...`` XML) as tags; S3's refusals."""
    from xml.parsers.expat import ExpatError

    import xmltodict  # type: ignore[import-untyped]  # moto's (no stubs installed)

    malformed = PostRefused(
        400,
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
    )
    try:
        parsed = xmltodict.parse(text, force_list=("Tag",))
        tags = (parsed["Tagging"]["TagSet"] or {}).get("Tag", [])
        result = [{"Key": str(tag["Key"] or ""), "Value": str(tag.get("Value") or "")} for tag in tags]
    except (ExpatError, KeyError, TypeError, AttributeError):
        raise malformed from None
    keys = [tag["Key"] for tag in result]
    if len(keys) > 10:
        raise PostRefused(400, "BadRequest", "Object tags cannot be greater than 10")
    if len(set(keys)) != len(keys):
        raise PostRefused(400, "InvalidTag", "Cannot provide multiple Tags with the same key")
    if any(key.startswith("aws:") for key in keys):
        raise PostRefused(400, "InvalidTag", "Your TagKey cannot be prefixed with aws:")
    return result


_sequencers = itertools.count(time.time_ns())
_patched_s3 = False


# ``make dev`` (``--files land``): a form upload whose file is not the one its policy declares (another size,
# ``Content-Type`` or checksum) is stored, with the checksum of what was sent, where S3 refuses it. The
# form itself is still checked as S3 checks it (signature, expiry, key, fields). The Design Vault's
# confirm function checks every file against its declaration again, which on AWS only ever meets what S3
# let through: landing such files locally is how its refusals can be seen (and tested) end to end.
# ``--files refuse``: every condition, as S3.
LAND_UNDECLARED_FILES = False


def s3_like_aws(*, land_undeclared_files: bool = False) -> None:
    """S3 on moto as S3 behaves (applied once per process: the moto server's, and in-process moto's):

    - A browser form upload (POST Object, what ``generate_presigned_post`` makes) with a ``policy`` is
      checked as S3 checks it: its signature (with ``LOCAL_SECRET``), expiry, conditions
      (``eq``/``starts-with``/``content-length-range``), no field that no condition names, and its
      ``x-amz-checksum-*`` against the file. moto checks none of this. A refused upload stores nothing and
      notifies nothing. An accepted one keeps its checksum (as a PUT's), content type, metadata and
      ``tagging`` tags, all in place before its ObjectCreated:Post notification is sent (moto notifies
      from inside ``put_object``, before it sets the metadata, and drops the tags and the checksum).
    - Notifications carry what S3's do: ``versionId`` on a versioned bucket, ``sequencer``, the key encoded
      as S3 encodes it (``/`` kept), ``userIdentity``, ``requestParameters``, ``responseElements`` and the
      bucket's ``ownerIdentity``.
    - A PUT with an ``x-amz-checksum-*`` header (and no ``x-amz-sdk-checksum-algorithm``, which moto
      needs: botocore sends none with ``ChecksumSHA256=``) keeps that checksum, and a file that does not
      match it is refused (400 BadDigest), stored nowhere. moto drops the checksum and takes any file.
    - Bucket policies are stored, not evaluated: moto's evaluation has no request context, so every
      condition fails, and a Deny on ``aws:SecureTransport: false`` (TLS only) would refuse every object
      request the local stack (standing in for HTTPS endpoints) makes.
    """
    global LAND_UNDECLARED_FILES, _patched_s3
    LAND_UNDECLARED_FILES = land_undeclared_files
    if _patched_s3:
        return
    _patched_s3 = True
    from moto.iam.access_control import PermissionResult
    from moto.s3 import notifications
    from moto.s3.models import FakeBucket, get_canned_acl
    from moto.s3.responses import S3Response
    from moto.s3.utils import metadata_from_headers

    def get_permission(self: Any, action: str, resource: str) -> Any:
        return PermissionResult.NEUTRAL

    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]

    moto_event = notifications._get_s3_event

    def s3_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
        event = moto_event(event_name, bucket, key, notification_id)
        records = []
        for moto_record in event["Records"]:
            moto_s3 = moto_record.pop("s3")
            moto_object = moto_s3["object"]
            records.append(
                {
                    **moto_record,  # eventVersion, eventSource, awsRegion, eventTime, eventName
                    "userIdentity": {"principalId": f"AWS:{bucket.account_id}"},
                    "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                    "responseElements": {
                        "x-amz-request-id": binascii.hexlify(_random_bytes(8)).decode().upper(),
                        "x-amz-id-2": base64.b64encode(_random_bytes(48)).decode(),
                    },
                    "s3": {
                        "s3SchemaVersion": moto_s3["s3SchemaVersion"],
                        "configurationId": moto_s3["configurationId"],
                        "bucket": {
                            "name": bucket.name,
                            "ownerIdentity": {"principalId": f"A{bucket.account_id}"},
                            "arn": bucket.arn,
                        },
                        "object": {
                            "key": quote_plus(key.name, safe="/"),
                            **{name: moto_object[name] for name in ("size", "eTag") if name in moto_object},
                            **({"versionId": key.version_id} if bucket.is_versioned else {}),
                            "sequencer": f"{next(_sequencers):018X}",
                        },
                    },
                }
            )
        return {"Records": records}

    notifications._get_s3_event = s3_event

    moto_post = S3Response._bucket_response_post

    def bucket_response_post(self: Any, request: Any, bucket_name: str) -> Any:
        if "policy" not in self.form_data or not request.headers.get("Content-Length"):
            return moto_post(self, request, bucket_name)  # not a presigned form upload
        self.data["Action"] = "PutObject"
        self._authenticate_and_authorize_s3_action(bucket_name=bucket_name)
        fields = {name.lower(): str(value) for name, value in self.form_data.items()}
        fields.pop("file", None)  # the file as a plain field: the body (moto's)
        data = self.body.encode() if isinstance(self.body, str) else bytes(self.body or b"")
        try:
            check_post_signature(fields, fields["policy"])
            land = LAND_UNDECLARED_FILES
            check_post_policy(fields["policy"], fields, bucket_name, len(data), files=not land)
            checksum = actual_checksum(fields, data) if land else checked_checksum(fields, data)
            tags = parsed_tagging(fields["tagging"]) if "tagging" in fields else []
            tag_error = self.backend.tagger.validate_tags(tags)
            if tag_error:
                raise PostRefused(400, "InvalidTag", tag_error)
        except PostRefused as refused:
            return refused.response()
        key_name = self.querystring["key"][0]  # ${filename} replaced (moto)
        bucket = self.backend.get_bucket(bucket_name)
        new_key = self.backend.put_object(
            bucket_name,
            key_name,
            data,
            checksum_value=checksum[1] if checksum else None,
            request_method="POST",
            disable_notification=True,
        )
        if checksum:
            new_key.checksum_algorithm = checksum[0]
        if "acl" in fields:
            new_key.set_acl(get_canned_acl(fields["acl"]))
        new_key.set_metadata(metadata_from_headers(self.form_data))
        self.backend.tagger.delete_all_tags_for_resource(new_key.arn)
        self.backend.tagger.tag_resource(new_key.arn, tags)
        notifications.send_event(
            self.backend.account_id,
            notifications.S3NotificationEvent.OBJECT_CREATED_POST_EVENT,
            bucket,
            new_key,
        )
        return _post_response(self, fields, bucket_name, new_key)

    S3Response._bucket_response_post = bucket_response_post  # type: ignore[method-assign]

    moto_put_object, moto_get_checksum = S3Response.put_object, S3Response._get_checksum

    def put_object(self: Any) -> Any:
        if not self.headers.get("x-amz-sdk-checksum-algorithm"):  # else moto's (it reads that header)
            given = {
                name.lower(): str(value) for name, value in self.headers.items() if name.lower() in _CHECKSUMS
            }
            if given:
                data = self.body.encode() if isinstance(self.body, str) else bytes(self.body or b"")
                try:
                    self.given_checksum = checked_checksum(given, data)
                except PostRefused as refused:
                    return refused.response()
        return moto_put_object(self)

    def get_checksum(self: Any, response_headers: dict[str, Any]) -> tuple[str, str | None]:
        given: tuple[str, str] | None = getattr(self, "given_checksum", None)
        if given is None:
            return moto_get_checksum(self, response_headers)
        response_headers[f"x-amz-checksum-{given[0].lower()}"] = given[1]
        return given

    S3Response.put_object = put_object  # type: ignore[method-assign]
    S3Response._get_checksum = get_checksum  # type: ignore[method-assign]


def _post_response(
    response: Any, fields: dict[str, str], bucket: str, key: Any
) -> tuple[int, dict[str, str], str]:
    """S3's answer to an accepted form upload: ``success_action_redirect`` (303, the bucket, key and ETag
    added to its query), ``success_action_status`` 200 or 201 (with its XML), else 204."""
    location = f"{response.parsed_url.scheme}://{response.parsed_url.netloc}/{bucket}/{quote(key.name)}"
    headers = {"ETag": key.etag, "Location": location}
    if key.version_id and key.version_id != "null":
        headers["x-amz-version-id"] = key.version_id
    if key.encryption:
        headers["x-amz-server-side-encryption"] = key.encryption
    if key.checksum_algorithm:
        headers[f"x-amz-checksum-{key.checksum_algorithm.lower()}"] = key.checksum_value
    redirect = fields.get("success_action_redirect") or fields.get("redirect")
    if redirect:
        parts = urlparse(redirect)
        query = {**parse_qs(parts.query), "bucket": [bucket], "key": [key.name], "etag": [key.etag]}
        headers["Location"] = urlunparse(parts._replace(query=urlencode(query, doseq=True)))
        return 303, headers, ""
    status = fields.get("success_action_status")
    if status == "201":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<PostResponse><Location>{escape(location)}</Location><Bucket>{escape(bucket)}</Bucket>"
            f"<Key>{escape(key.name)}</Key><ETag>{escape(key.etag)}</ETag></PostResponse>"
        )
        return 201, {**headers, "Content-Type": "application/xml"}, body
    return (200 if status == "200" else 204), headers, ""


def serialised(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    lock = threading.Lock()

    def handle(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with lock:
            return list(app(environ, start_response))

    return handle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument(
        "--files",
        choices=["land", "refuse"],
        default="land",
        help="a form upload of another file than its policy declares: stored (land) or refused as S3 does",
    )
    args = parser.parse_args()
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import run_simple

    transactions_like_dynamodb()
    s3_like_aws(land_undeclared_files=args.files == "land")
    app = serialised(DomainDispatcherApplication(create_backend_app))
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
