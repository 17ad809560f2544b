"""The Design Vault's bucket on the local stack's moto server, made from the real template, and S3's side of a
presigned POST as S3 plays it: the policy (signature, expiry, every condition, no extra field) and the
checksum checked before anything is stored, the file kept with its type, checksum, metadata and tags, and
one ObjectCreated:Post notification (with the version) reaching the upload queue after all of it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from devserver.iam import ACCOUNT_ID, REGION
from devserver.moto_server import MotoServer
from devserver.stack import LocalStack
from devserver.template import LocalTemplate, create_resources, load_template
from fashionos.assets.bucket import VaultBucket

STACK = "fashionos-local"
BUCKET = f"{STACK}-assets-{ACCOUNT_ID}-{REGION}"
TAGGING = "<Tagging><TagSet><Tag><Key>fashionos-upload</Key><Value>pending</Value></Tag></TagSet></Tagging>"
FILE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # binary, as an image is


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


class Endpoint:
    """A boto3 session whose clients reach the moto server (what ``create_resources`` takes)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = boto3.Session(
            aws_access_key_id="local",
            aws_secret_access_key="local",  # the local stack's, which POST signatures are checked with
            region_name=REGION,
        )

    def client(self, service: str, **options: Any) -> Any:
        return self.session.client(service, endpoint_url=self.url, **options)  # type: ignore[call-overload]


@dataclass
class Stack:
    local: LocalTemplate
    endpoint: Endpoint
    created_messages: list[dict[str, Any]]  # what the upload queue held right after create_resources

    def __post_init__(self) -> None:
        self.s3 = self.endpoint.client("s3", config=Config(signature_version="s3v4"))  # as the functions'
        self.sqs = self.endpoint.client("sqs")
        self.bucket = self.local.physical["AssetBucket"]
        self.queue_url = self.local.physical["AssetUploadQueue"]

    def drain(self) -> list[dict[str, Any]]:
        """Every message of the upload queue (bodies, parsed), deleted."""
        bodies = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                return bodies
            for message in messages:
                bodies.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def versions(self, key: str) -> list[dict[str, Any]]:
        listed = self.s3.list_object_versions(Bucket=self.bucket, Prefix=key)
        return [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]

    def upload_form(self, key: str, data: bytes = FILE, expires_in: int = 900) -> dict[str, Any]:
        """The presigned POST the Design Vault issues (``VaultBucket.upload_form``): exactly this file's
        size, type, checksum, asset id and the pending tag, each bound by a condition."""
        vault = VaultBucket(lambda: self.s3, self.bucket)
        sha256 = hashlib.sha256(data).hexdigest()
        form = vault.upload_form(key, "ast_1", len(data), "image/png", sha256, int(time.time()) + expires_in)
        return {"url": form.url, "fields": form.fields}


def post(form: dict[str, Any], data: bytes = FILE, **fields: str) -> requests.Response:
    """A browser's multipart form upload: the form's fields (``fields`` changed or added), then the file."""
    return requests.post(
        form["url"], data={**form["fields"], **fields}, files={"file": ("look.png", data)}, timeout=10
    )


def error_code(response: requests.Response) -> str:
    match = re.search(r"<Code>([^<]*)</Code>", response.text)
    assert match, response.text
    return match[1]


def vault_stack(files: str) -> Iterator[Stack]:
    """The template's resources on a moto server of their own (``files``: ``moto_serial --files``)."""
    with MotoServer(files=files) as server:
        endpoint = Endpoint(server.url)
        local = LocalTemplate(load_template(), STACK)
        create_resources(local, endpoint)
        created = Stack(local, endpoint, [])
        created.created_messages = created.drain()
        yield created


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """A moto server refusing what S3 refuses (``make dev``'s lands undeclared files: see below)."""
    yield from vault_stack("refuse")


@pytest.fixture
def vault(stack: Stack) -> Stack:
    """The stack with an empty upload queue."""
    stack.drain()
    return stack


def unique_key() -> str:
    return f"orgs/org_{uuid.uuid4().hex[:8]}/assets/look 01/file"  # a space: S3 encodes it in events


# --- The bucket, as the template declares it ---


def test_the_bucket_is_made_from_the_template(stack: Stack) -> None:
    s3, bucket = stack.s3, stack.bucket
    assert bucket == BUCKET  # BucketName's Fn::Sub of the stack, account and region
    assert stack.local.resolve({"Ref": "AssetBucket"}) == BUCKET
    assert stack.local.get_att("AssetBucket", "Arn") == f"arn:aws:s3:::{BUCKET}"
    assert stack.local.get_att("AssetBucket", "DomainName") == f"{BUCKET}.s3.amazonaws.com"
    assert stack.local.resolve({"Fn::Sub": "${AssetBucket.Arn}/orgs/*"}) == f"arn:aws:s3:::{BUCKET}/orgs/*"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"] == [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}
    ]
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
    }
    rules = {rule["ID"]: rule for rule in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    assert rules == {
        "exports": {
            "ID": "exports",
            "Status": "Enabled",
            "Filter": {"Prefix": "exports/"},
            "Expiration": {"Days": 7},
        },
        "unconfirmed-uploads": {
            "ID": "unconfirmed-uploads",
            "Status": "Enabled",
            "Filter": {"Tag": {"Key": "fashionos-upload", "Value": "pending"}},
            "Expiration": {"Days": 1},
        },
        "removed-versions-and-incomplete-uploads": {
            "ID": "removed-versions-and-incomplete-uploads",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "Expiration": {"ExpiredObjectDeleteMarker": True},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        },
    }
    (queue,) = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert queue["QueueArn"] == stack.local.get_att("AssetUploadQueue", "Arn")
    assert queue["Events"] == ["s3:ObjectCreated:*"]
    assert queue["Filter"] == {"Key": {"FilterRules": [{"Name": "prefix", "Value": "orgs/"}]}}


def test_the_policies_are_stored_resolved(stack: Stack) -> None:
    bucket_policy = json.loads(stack.s3.get_bucket_policy(Bucket=stack.bucket)["Policy"])
    (deny,) = bucket_policy["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Resource"] == [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    queue_policy = json.loads(
        stack.sqs.get_queue_attributes(QueueUrl=stack.queue_url, AttributeNames=["Policy"])["Attributes"][
            "Policy"
        ]
    )
    (allow,) = queue_policy["Statement"]
    assert allow["Principal"] == {"Service": "s3.amazonaws.com"}
    assert allow["Resource"] == stack.local.get_att("AssetUploadQueue", "Arn")
    assert allow["Condition"] == {
        "ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{BUCKET}"},  # AWS::Partition resolved
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
    }


def test_setting_the_notification_sends_s3s_test_event(stack: Stack) -> None:
    (test_event,) = stack.created_messages
    assert test_event["Service"] == "Amazon S3"
    assert test_event["Event"] == "s3:TestEvent"
    assert test_event["Bucket"] == BUCKET


def test_the_stack_describes_the_vault_as_the_template_outputs_it(stack: Stack) -> None:
    local_stack = LocalStack()
    local_stack.local = stack.local
    outputs = local_stack.describe()["outputs"]
    assert set(outputs) <= set(load_template()["Outputs"])
    assert outputs["AssetTableName"] == stack.local.physical["AssetTable"]
    assert outputs["AssetBucketName"] == BUCKET
    assert outputs["AssetUploadQueueUrl"] == stack.queue_url
    assert outputs["AssetUploadDeadLetterQueueUrl"] == stack.local.physical["AssetUploadDeadLetterQueue"]


def test_a_notification_the_queue_policy_does_not_allow_is_refused_as_s3_refuses_it() -> None:
    template = load_template()
    condition = template["Resources"]["AssetUploadQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][
        0
    ]["Condition"]
    condition["ArnEquals"]["aws:SourceArn"] = "arn:aws:s3:::another-bucket"
    refused = pytest.raises(ValueError, match="Unable to validate the following destination configurations")
    with MotoServer() as server, refused:
        create_resources(LocalTemplate(template, STACK), Endpoint(server.url))


# --- A presigned POST, accepted ---


def test_an_upload_the_policy_allows_is_kept_as_s3_keeps_it(vault: Stack) -> None:
    key = unique_key()
    response = post(vault.upload_form(key))
    assert response.status_code == 204, response.text
    head = vault.s3.head_object(Bucket=vault.bucket, Key=key, ChecksumMode="ENABLED")
    assert head["ContentLength"] == len(FILE)
    assert head["ContentType"] == "image/png"
    assert head["ChecksumSHA256"] == sha256_b64(FILE)
    assert head["Metadata"] == {"asset-id": "ast_1"}
    assert head["ServerSideEncryption"] == "AES256"  # the bucket's default
    assert response.headers["x-amz-version-id"] == head["VersionId"]
    tags = vault.s3.get_object_tagging(Bucket=vault.bucket, Key=key, VersionId=head["VersionId"])["TagSet"]
    assert tags == [{"Key": "fashionos-upload", "Value": "pending"}]
    assert vault.s3.get_object(Bucket=vault.bucket, Key=key)["Body"].read() == FILE

    (message,) = vault.drain()
    (record,) = message["Records"]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == "ObjectCreated:Post"
    assert record["awsRegion"] == REGION
    assert {"eventVersion", "eventTime", "userIdentity", "requestParameters", "responseElements"} <= set(
        record
    )
    s3 = record["s3"]
    assert s3["bucket"]["name"] == BUCKET
    assert s3["bucket"]["arn"] == f"arn:aws:s3:::{BUCKET}"
    obj = s3["object"]
    assert obj["key"] == key.replace(" ", "+")  # form-encoded, "/" kept
    assert unquote_plus(obj["key"]) == key
    assert obj["size"] == len(FILE)
    assert obj["eTag"] == head["ETag"].strip('"')
    assert obj["versionId"] == head["VersionId"]
    assert re.fullmatch(r"[0-9A-F]+", obj["sequencer"])


def test_a_presigned_get_answers_with_the_disposition_it_names(vault: Stack) -> None:
    key = unique_key()
    assert post(vault.upload_form(key)).status_code == 204
    version = vault.s3.head_object(Bucket=vault.bucket, Key=key)["VersionId"]
    url = vault.s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": vault.bucket,
            "Key": key,
            "VersionId": version,
            "ResponseContentDisposition": "attachment; filename=\"look.png\"; filename*=UTF-8''look.png",
            "ResponseContentType": "image/png",
        },
        ExpiresIn=300,
    )
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content == FILE
    assert (
        response.headers["Content-Disposition"]
        == "attachment; filename=\"look.png\"; filename*=UTF-8''look.png"
    )
    assert response.headers["Content-Type"] == "image/png"


def test_success_action_status_201_answers_s3s_post_response(vault: Stack) -> None:
    key = unique_key()
    form = vault.s3.generate_presigned_post(
        Bucket=vault.bucket,
        Key=key,
        Fields={"success_action_status": "201"},
        Conditions=[{"success_action_status": "201"}],
    )
    response = post(form)
    assert response.status_code == 201, response.text
    assert f"<Bucket>{BUCKET}</Bucket><Key>{key}</Key>" in response.text
    assert response.headers["ETag"] in response.text


def test_a_put_keeps_the_checksum_it_names_and_one_that_does_not_match_is_refused(vault: Stack) -> None:
    """botocore sends ``ChecksumSHA256=`` as the x-amz-checksum-sha256 header alone (moto's PUT reads a
    checksum only with x-amz-sdk-checksum-algorithm)."""
    key = unique_key()
    vault.s3.put_object(Bucket=vault.bucket, Key=key, Body=FILE, ChecksumSHA256=sha256_b64(FILE))
    head = vault.s3.head_object(Bucket=vault.bucket, Key=key, ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == sha256_b64(FILE)
    other = unique_key()
    with pytest.raises(ClientError) as refused:
        vault.s3.put_object(Bucket=vault.bucket, Key=other, Body=FILE, ChecksumSHA256=sha256_b64(b"other"))
    assert refused.value.response["Error"]["Code"] == "BadDigest"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert vault.versions(other) == []
    assert [m["Records"][0]["s3"]["object"]["key"] for m in vault.drain()] == [key.replace(" ", "+")]


# --- A presigned POST, refused: nothing stored, nothing notified ---


def tampered(form: dict[str, Any]) -> dict[str, str]:
    """The form's policy allowing any size, its signature kept."""
    document = json.loads(base64.b64decode(form["fields"]["policy"]))
    document["conditions"] = [
        ["content-length-range", 0, 10**9] if isinstance(c, list) and c[0] == "content-length-range" else c
        for c in document["conditions"]
    ]
    return {"policy": base64.b64encode(json.dumps(document).encode()).decode()}


Refusal = Callable[[Stack, str], requests.Response]
REFUSALS: dict[str, tuple[Refusal, int, str, str]] = {
    # another file of the same size: the policy's checksum holds, the file does not match it
    "wrong checksum": (
        lambda vault, key: post(vault.upload_form(key), bytes(reversed(FILE))),
        400,
        "BadDigest",
        "The SHA256 you specified did not match the calculated checksum.",
    ),
    "bigger file": (
        lambda vault, key: post(vault.upload_form(key), FILE + b"\x00"),
        400,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size",
    ),
    "smaller file": (
        lambda vault, key: post(vault.upload_form(key), FILE[:-1]),
        400,
        "EntityTooSmall",
        "Your proposed upload is smaller than the minimum allowed size",
    ),
    "another content type": (
        lambda vault, key: post(vault.upload_form(key), **{"Content-Type": "text/html"}),
        403,
        "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/png"]',
    ),
    "an extra field": (
        lambda vault, key: post(vault.upload_form(key), **{"x-amz-meta-owner": "someone"}),
        403,
        "AccessDenied",
        "Invalid according to Policy: Extra input fields: x-amz-meta-owner",
    ),
    "another key": (
        lambda vault, key: post(vault.upload_form(key + ".html"), key=key),
        403,
        "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["eq", "$key"',
    ),
    "an expired policy": (
        lambda vault, key: post(vault.upload_form(key, expires_in=-60)),
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy expired.",
    ),
    "a tampered policy": (
        lambda vault, key: post(form := vault.upload_form(key), FILE + b"more", **tampered(form)),
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
    ),
}


@pytest.mark.parametrize("refusal", REFUSALS)
def test_an_upload_the_policy_does_not_allow_is_refused_as_s3_refuses_it(vault: Stack, refusal: str) -> None:
    send, status, code, message = REFUSALS[refusal]
    key = unique_key()
    response = send(vault, key)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/xml")
    assert error_code(response) == code
    assert message in response.text.replace("&quot;", '"')
    assert vault.versions(key.rsplit("/", 1)[0]) == []  # nothing stored (under the key, or another)
    assert vault.drain() == []  # nothing notified


# --- make dev's moto server: a file other than the one declared lands (the confirm function refuses it) ---
LANDED = ("wrong checksum", "bigger file", "smaller file", "another content type")


@pytest.fixture(scope="module")
def landing() -> Iterator[Stack]:
    yield from vault_stack("land")  # as make dev runs it


@pytest.mark.parametrize("refusal", LANDED)
def test_make_devs_s3_lands_a_file_unlike_its_policy_with_its_own_checksum(
    landing: Stack, refusal: str
) -> None:
    send, *_ = REFUSALS[refusal]
    key = unique_key()
    landing.drain()
    response = send(landing, key)
    assert response.status_code == 204, response.text
    (version,) = landing.versions(key.rsplit("/", 1)[0])
    s3 = landing.s3
    head = s3.head_object(Bucket=BUCKET, Key=key, VersionId=version["VersionId"], ChecksumMode="ENABLED")
    stored = s3.get_object(Bucket=BUCKET, Key=key, VersionId=version["VersionId"])["Body"].read()
    assert head["ChecksumSHA256"] == sha256_b64(stored)  # what was sent, not what the form declared
    assert len(landing.drain()) == 1


@pytest.mark.parametrize("refusal", sorted(set(REFUSALS) - set(LANDED)))
def test_make_devs_s3_still_refuses_a_form_s3_refuses(landing: Stack, refusal: str) -> None:
    send, status, code, _ = REFUSALS[refusal]
    key = unique_key()
    landing.drain()
    response = send(landing, key)
    assert (response.status_code, error_code(response)) == (status, code)
    assert landing.drain() == []
