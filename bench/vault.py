"""Design Vault: issuing an upload's presigned POST, and confirming an uploaded file, each against the same
boto3 work done raw.

Presign, in this process (presigning is local: no request is sent): one S3 client (fake credentials,
us-east-1, SigV4, as ``fashionos.aws.s3`` makes it), and

- ours: ``VaultBucket.upload_form`` (the key's fields and conditions built, ``generate_presigned_post``,
  its answer as an ``UploadForm``);
- raw: ``generate_presigned_post`` of the same bucket, key, fields, conditions and expiry, built once
  beforehand (checked first to make the same policy ours makes).

Ours and raw alternate (o r, r o, ...) after a warm-up; medians of each.

Confirm, on a moto server of its own (``devserver.moto_server.MotoServer``: its own process, as AWS is
another machine; no pollers, so nothing else reads the upload queue) with the template's resources
(``devserver.template.create_resources``: the asset table, the versioned bucket and its upload queue):
pending assets written through ``AssetStore.put_asset`` as
``AssetService.create`` makes them, half for ours and half for the raw side, and each one's file PUT
(a small PNG, its type, its SHA-256 checksum and the pending tag, as a presigned POST leaves it). The
notifications those PUTs send to the upload queue are purged unread; each message's body is built here, in
S3's form (one ``ObjectCreated:Post`` record naming the version). Then, one message at a time, alternating:

- ours: ``new_objects(body)`` and ``UploadConfirmer.confirm`` of each (an ``AssetStore`` and a
  ``VaultBucket`` on the same clients): every file is accepted (``available``), which is the longest path:
  GetItem, HeadObject (ChecksumMode ENABLED), a ranged GetObject of the first 64 bytes, UpdateItem (the
  conditional settle), DeleteObjectTagging;
- raw: those five calls with the same parameters for an asset of its own, straight through the same
  clients (the key, version and ids known beforehand: no parsing, no checks).

A side's rate is its messages over its summed wall time. Every call of both is timed (``bench.awscalls``,
and the GetObject body's read and close, which come after its call), so ours also gives its own code's
time per message (wall time - time in AWS calls). Afterwards every asset of both sides must be
``available`` with its version.
"""

from __future__ import annotations

import base64
import hashlib
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

import boto3
from botocore.config import Config
from botocore.response import StreamingBody

from bench.awscalls import capture, instrumented
from devserver.iam import ACCOUNT_ID, REGION
from devserver.moto_server import MotoServer
from devserver.stack import STACK_NAME
from devserver.template import LocalTemplate, create_resources, load_template
from fashionos.assets.bucket import TAGGING, UploadForm, VaultBucket, checksum
from fashionos.assets.confirm import UploadConfirmer, new_objects
from fashionos.assets.records import UPLOAD_SECONDS, Asset, Rights, object_key
from fashionos.assets.signatures import HEAD_BYTES
from fashionos.assets.store import AssetStore, asset_key
from fashionos.aws import number, string
from fashionos.ids import ulid
from fashionos.times import rfc3339

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

PRESIGN_BUDGET = 1.2  # ours ≤ 1.2x raw: what upload_form adds to boto3 is a few dictionaries
WARMUP = 50  # presign pairs before the samples
CONFIRM_WARMUP = 10  # messages per side before the measured ones (connections, botocore's models)
FILE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # 2,056 bytes that start like a PNG
CONTENT_TYPE = "image/png"
PENDING_TAGGING = "fashionos-upload=pending"  # the pending tag, as a PUT's Tagging header
RIGHTS = Rights(owner="Bench", license="royalty-free", usage=("display",), territories=("*",))
# What confirming an accepted upload calls, in order (the raw side makes these).
CONFIRM_CALLS = ("GetItem", "HeadObject", "GetObject", "UpdateItem", "DeleteObjectTagging")
PRESIGN_BUCKET = f"{STACK_NAME}-assets-{ACCOUNT_ID}-{REGION}"  # the template's name (nothing is sent)


@dataclass(frozen=True, slots=True)
class Presign:
    ours_p50: float  # seconds
    raw_p50: float
    samples: int
    fields: int  # form fields of each answer (the policy and signature included)
    conditions: int  # conditions of the signed policy (bucket and key included)


@dataclass(frozen=True, slots=True)
class Confirm:
    messages: int  # per side
    ours_seconds: float  # summed wall time of the measured messages
    raw_seconds: float
    operations: list[str]  # the AWS calls ours made for one message
    ours_p50: float  # seconds per message, median
    raw_p50: float
    code_p50: float  # ours: wall time - its time in AWS calls, per message, median
    aws_p50: float  # ours: in AWS SDK calls and the GetObject body's read and close, per message, median
    shapes: int  # distinct sequences of AWS calls ours made over the measured messages (1: the same path)
    outcomes: Counter[str]  # ours', over the measured messages
    mismatches: list[str]  # assets of either side not left available with their version

    @property
    def ours_per_second(self) -> float:
        return self.messages / self.ours_seconds if self.ours_seconds > 0 else 0.0

    @property
    def raw_per_second(self) -> float:
        return self.messages / self.raw_seconds if self.raw_seconds > 0 else 0.0


# --- Presign ---------------------------------------------------------------------------------------------


def _policy(form: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(base64.b64decode(form["fields"]["policy"]))
    return document


def measure_presign(samples: int) -> Presign:
    """``samples`` pairs of ``VaultBucket.upload_form`` and raw ``generate_presigned_post``."""
    s3: S3Client = boto3.client(
        "s3",
        region_name="us-east-1",
        config=Config(signature_version="s3v4"),
        aws_access_key_id="bench",
        aws_secret_access_key="bench",  # noqa: S106 - nothing is sent
    )
    bucket = PRESIGN_BUCKET
    org_id, asset_id = f"org_{ulid()}", f"ast_{ulid()}"
    key, sha256_hex = object_key(org_id, asset_id), hashlib.sha256(FILE).hexdigest()
    vault = VaultBucket(lambda: s3, bucket)
    # The raw side's arguments: what upload_form builds, built once.
    fields = {
        "Content-Type": CONTENT_TYPE,
        "x-amz-checksum-sha256": checksum(sha256_hex),
        "x-amz-meta-asset-id": asset_id,
        "tagging": TAGGING,
    }
    conditions: list[Any] = [
        ["content-length-range", len(FILE), len(FILE)],
        *({k: v} for k, v in fields.items()),
    ]

    def ours() -> UploadForm:
        return vault.upload_form(
            key, asset_id, len(FILE), CONTENT_TYPE, sha256_hex, int(time.time()) + UPLOAD_SECONDS
        )

    def raw() -> object:
        return s3.generate_presigned_post(
            Bucket=bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=UPLOAD_SECONDS
        )

    form, post = (
        ours(),
        s3.generate_presigned_post(
            Bucket=bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=UPLOAD_SECONDS
        ),
    )
    mine, theirs = _policy({"fields": form.fields}), _policy(dict(post))
    if mine["conditions"] != theirs["conditions"] or set(form.fields) != set(post["fields"]):
        raise RuntimeError(f"the raw presign is not the same form: {mine} vs {theirs}")
    for _ in range(WARMUP):
        ours()
        raw()
    seconds: tuple[list[float], list[float]] = ([], [])
    sides = (ours, raw)
    for sample in range(samples):
        for side in (0, 1) if sample % 2 == 0 else (1, 0):
            start = time.perf_counter()
            sides[side]()
            seconds[side].append(time.perf_counter() - start)
    return Presign(
        statistics.median(seconds[0]),
        statistics.median(seconds[1]),
        samples,
        len(form.fields),
        len(mine["conditions"]),
    )


# --- Confirm ---------------------------------------------------------------------------------------------


class _Endpoint:
    """What ``create_resources`` takes: clients of the moto server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = boto3.Session(
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - the local stack's (moto's)
            region_name=REGION,
        )

    def client(self, service: str, **options: Any) -> Any:
        return self.session.client(service, endpoint_url=self.url, **options)  # type: ignore[call-overload]


@dataclass(frozen=True, slots=True)
class _Upload:
    asset: Asset
    version_id: str
    body: str  # the SQS message body: S3's notification of the upload


def _pending(org_id: str, now: float) -> Asset:
    """A pending asset, as ``AssetService.create`` makes one."""
    stamp = rfc3339(now)
    return Asset(
        asset_id=f"ast_{ulid(now)}",
        org_id=org_id,
        title="Bench look",
        filename="look.png",
        content_type=CONTENT_TYPE,
        size=len(FILE),
        sha256=hashlib.sha256(FILE).hexdigest(),
        status="pending_upload",
        rights=RIGHTS,
        version=1,
        created_at=stamp,
        updated_at=stamp,
        upload_expires_epoch=int(now) + UPLOAD_SECONDS,
    )


def _notification(bucket: str, key: str, version_id: str, etag: str, sequence: int) -> str:
    """S3's ObjectCreated:Post notification of one object, as the upload queue receives it."""
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": REGION,
        "eventTime": _event_time(),
        "eventName": "ObjectCreated:Post",
        "userIdentity": {"principalId": "AWS:BENCH"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": f"{sequence:016X}", "x-amz-id-2": "bench"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "bench",
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": "BENCH"},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": {
                "key": quote_plus(key, safe="/"),
                "size": len(FILE),
                "eTag": etag.strip('"'),
                "versionId": version_id,
                "sequencer": f"{time.time_ns():X}{sequence:04X}",
            },
        },
    }
    return json.dumps({"Records": [record]})


def _event_time() -> str:
    """S3's eventTime: UTC, milliseconds, ``Z``."""
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


@contextmanager
def _body_io() -> Iterator[list[float]]:
    """The seconds of each ``StreamingBody`` read and close inside the block: a GetObject's body is read
    from its connection, and the connection released, after its SDK call returns, so the call's timer
    leaves that I/O out."""
    spent: list[float] = []
    read, close, exit_ = StreamingBody.read, StreamingBody.close, StreamingBody.__exit__

    def timed_read(self: StreamingBody, amt: int | None = None) -> bytes:
        start = time.perf_counter()
        try:
            return read(self, amt)
        finally:
            spent.append(time.perf_counter() - start)

    def timed_close(self: StreamingBody) -> None:
        start = time.perf_counter()
        try:
            close(self)
        finally:
            spent.append(time.perf_counter() - start)

    def timed_exit(self: StreamingBody, *exc: object) -> None:
        start = time.perf_counter()
        try:
            exit_(self, *exc)  # type: ignore[arg-type]
        finally:
            spent.append(time.perf_counter() - start)

    StreamingBody.read = timed_read  # type: ignore[method-assign]
    StreamingBody.close = timed_close  # type: ignore[method-assign]
    StreamingBody.__exit__ = timed_exit  # type: ignore[method-assign,assignment]
    try:
        yield spent
    finally:
        StreamingBody.read, StreamingBody.close = read, close  # type: ignore[method-assign]
        StreamingBody.__exit__ = exit_  # type: ignore[method-assign]


@dataclass(frozen=True, slots=True)
class _Vault:
    db: DynamoDBClient
    s3: S3Client
    table: str
    bucket: str
    purge: Callable[[], None]  # empties the upload queue (the bucket's notifications), if there is one


@contextmanager
def _vault() -> Iterator[_Vault]:
    """A moto server with the template's resources."""
    with MotoServer() as server:
        endpoint = _Endpoint(server.url)
        local = LocalTemplate(load_template(), STACK_NAME)
        create_resources(local, endpoint)
        db: DynamoDBClient = endpoint.client("dynamodb")
        s3: S3Client = endpoint.client("s3", config=Config(signature_version="s3v4"))
        queue = local.physical.get("AssetUploadQueue")
        sqs = endpoint.client("sqs")

        def purge() -> None:
            if queue is not None:
                sqs.purge_queue(QueueUrl=queue)

        yield _Vault(db, s3, local.physical["AssetTable"], local.physical["AssetBucket"], purge)


def _uploads(store: AssetStore, s3: S3Client, bucket: str, org_id: str, count: int) -> list[_Upload]:
    """``count`` pending assets of ``org_id``, each with its file uploaded (untimed)."""
    uploads = []
    for n in range(count):
        asset = _pending(org_id, time.time())
        store.transact([store.put_asset(asset)], None)
        put = s3.put_object(
            Bucket=bucket,
            Key=asset.key,
            Body=FILE,
            ContentType=CONTENT_TYPE,
            ChecksumAlgorithm="SHA256",  # plain moto keeps a checksum only with the algorithm named
            ChecksumSHA256=checksum(asset.sha256),
            Tagging=PENDING_TAGGING,
        )
        version = put["VersionId"]
        uploads.append(_Upload(asset, version, _notification(bucket, asset.key, version, put["ETag"], n)))
    return uploads


def _raw_confirm(db: DynamoDBClient, s3: S3Client, table: str, bucket: str) -> Callable[[_Upload], None]:
    """Confirming ``upload`` as its five AWS calls alone, with the parameters ours sends."""

    def confirm(upload: _Upload) -> None:
        asset, version = upload.asset, upload.version_id
        key = asset_key(asset.org_id, asset.asset_id)
        db.get_item(TableName=table, Key=key, ConsistentRead=True)
        s3.head_object(Bucket=bucket, Key=asset.key, VersionId=version, ChecksumMode="ENABLED")
        body = s3.get_object(
            Bucket=bucket, Key=asset.key, VersionId=version, Range=f"bytes=0-{HEAD_BYTES - 1}"
        )["Body"]
        with body:
            body.read()
        at = string(rfc3339(time.time()))
        db.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET #status = :to, updated_at = :at, object_version = :object, "
            "uploaded_at = :at ADD #version :one REMOVE expires_at",
            ConditionExpression="#status = :pending",
            ExpressionAttributeNames={"#status": "status", "#version": "version"},
            ExpressionAttributeValues={
                ":to": string("available"),
                ":at": at,
                ":pending": string("pending_upload"),
                ":one": number(1),
                ":object": string(version),
            },
        )
        s3.delete_object_tagging(Bucket=bucket, Key=asset.key, VersionId=version)

    return confirm


def measure_confirm(messages: int) -> Confirm:
    """``messages`` uploads confirmed by ``UploadConfirmer`` and as many by their raw calls, alternating."""
    with _vault() as stack:
        db, s3, table, bucket = stack.db, stack.s3, stack.table, stack.bucket
        store = AssetStore(db, table)
        confirmer = UploadConfirmer(store, VaultBucket(lambda: s3, bucket))
        raw = _raw_confirm(db, s3, table, bucket)
        count = CONFIRM_WARMUP + messages
        mine = _uploads(store, s3, bucket, f"org_{ulid()}", count)
        theirs = _uploads(store, s3, bucket, f"org_{ulid()}", count)
        stack.purge()  # the PUTs' notifications: nothing here reads them (the bodies are built above)
        outcomes: Counter[str] = Counter()

        def ours(upload: _Upload) -> None:
            for new in new_objects(upload.body):
                outcomes[confirmer.confirm(new)] += 1

        with instrumented(), capture() as calls:
            ours(mine[0])
        operations = [call.operation for call in calls]
        if tuple(operations) != CONFIRM_CALLS:
            raise RuntimeError(f"confirming an upload made {operations}, not {list(CONFIRM_CALLS)}")
        for upload in mine[1:CONFIRM_WARMUP]:
            ours(upload)
        for upload in theirs[:CONFIRM_WARMUP]:
            raw(upload)
        outcomes.clear()
        walls: tuple[list[float], list[float]] = ([], [])
        in_aws: list[float] = []
        shapes: set[tuple[str, ...]] = set()
        sides = (ours, raw)
        # Both sides' calls (and body reads) timed alike: the timers cost a few microseconds a call.
        with instrumented(), _body_io() as body_io:
            for n in range(CONFIRM_WARMUP, count):
                pair = (mine[n], theirs[n])
                for side in (0, 1) if n % 2 == 0 else (1, 0):
                    body_io.clear()
                    with capture() as calls:
                        start = time.perf_counter()
                        sides[side](pair[side])
                        walls[side].append(time.perf_counter() - start)
                    if side == 0:
                        in_aws.append(sum(call.seconds for call in calls) + sum(body_io))
                        shapes.add(tuple(call.operation for call in calls))
        mismatches = [
            f"{upload.asset.asset_id}: {found.status if found else 'gone'}, version "
            f"{found.object_version if found else None} (uploaded {upload.version_id})"
            for upload in mine + theirs
            if (found := store.asset(upload.asset.org_id, upload.asset.asset_id)) is None
            or found.status != "available"
            or found.object_version != upload.version_id
        ]
    return Confirm(
        messages=messages,
        ours_seconds=sum(walls[0]),
        raw_seconds=sum(walls[1]),
        operations=operations,
        ours_p50=statistics.median(walls[0]),
        raw_p50=statistics.median(walls[1]),
        code_p50=statistics.median(wall - aws for wall, aws in zip(walls[0], in_aws, strict=True)),
        aws_p50=statistics.median(in_aws),
        shapes=len(shapes),
        outcomes=outcomes,
        mismatches=mismatches,
    )
