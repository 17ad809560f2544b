"""The Design Vault over HTTP, in-process on moto through the dev gateway: the presigned POST's policy, the
confirm function (from the bucket's notifications, through the queue), collections, rights and their
history, grants, publishing, downloads and their audit log, and every refusal (nothing written).

In-process moto does not take form uploads like S3 (the local stack's moto server does: the e2e tests
POST real multipart forms), so a file arrives here as S3 stores a valid upload: a PUT with its type,
checksum and pending tag."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import zlib
from collections.abc import Callable
from struct import pack
from typing import Any

import pytest

from devserver.pollers import EventSources
from fashionos.times import parse_rfc3339, rfc3339
from tests.helpers import Reply, problem
from tests.integration.conftest import InProcessApi
from tests.integration.partner_calls import call, ok

ASSETS = "/v1/assets"
COLLECTIONS = "/v1/collections"
RIGHTS = {
    "owner": "@atelier_nord",
    "license": "all-rights-reserved",
    "usage": ["display", "ecommerce", "tryon"],
    "territories": ["FR", "DE", "IT"],
}


def png(width: int = 1, height: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


FILE = png()


def declaration(data: bytes = FILE, **fields: Any) -> dict[str, Any]:
    return {
        "filename": "look-01.png",
        "content_type": "image/png",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "title": "Look 01",
        "rights": RIGHTS,
        **fields,
    }


def create(stack: InProcessApi, data: bytes = FILE, **fields: Any) -> dict[str, Any]:
    return ok(call(stack, "POST", ASSETS, declaration(data, **fields)), 201)  # type: ignore[no-any-return]


def policy(created: dict[str, Any]) -> dict[str, Any]:
    return json.loads(base64.b64decode(created["upload"]["fields"]["policy"]))  # type: ignore[no-any-return]


def conditions(document: dict[str, Any]) -> dict[str, Any]:
    """The policy's conditions by field (``content-length-range`` as its [min, max])."""
    found: dict[str, Any] = {}
    for condition in document["conditions"]:
        if isinstance(condition, dict):
            found.update(condition)
        elif condition[0] == "content-length-range":
            found["content-length-range"] = condition[1:]
        else:
            found[condition[1].lstrip("$")] = condition
    return found


def policy_faults(document: dict[str, Any], expected: dict[str, Any], now: float) -> list[str]:
    """What the presigned POST's policy fails to bind: the key, the exact size, the type, the checksum, the
    asset id, and an expiry within 15 minutes."""
    bound = conditions(document)
    faults = [
        f"{name} not bound to {value!r}" for name, value in expected.items() if bound.get(name) != value
    ]
    expires = parse_rfc3339(document.get("expiration", "1970-01-01T00:00:00Z"))
    if not now < expires <= now + 15 * 60 + 1:
        faults.append(f"expiration {document.get('expiration')} is not within 15 minutes")
    return faults


def expected_policy(stack: InProcessApi, created: dict[str, Any], data: bytes = FILE) -> dict[str, Any]:
    return {
        "key": f"orgs/{stack.demo['org_id']}/assets/{created['id']}/file",
        "content-length-range": [len(data), len(data)],
        "Content-Type": "image/png",
        "x-amz-checksum-sha256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
        "x-amz-meta-asset-id": created["id"],
    }


def store(stack: InProcessApi, created: dict[str, Any], data: bytes, content_type: str = "image/png") -> str:
    """The file as S3 keeps an upload it accepted (its type, its SHA-256, the pending tag); its version."""
    fields = created["upload"]["fields"]
    put = stack.session.client("s3").put_object(
        Bucket=bucket(stack),
        Key=fields["key"],
        Body=data,
        ContentType=content_type,
        ChecksumSHA256=base64.b64encode(hashlib.sha256(data).digest()).decode(),
        Tagging="fashionos-upload=pending",
        Metadata={"asset-id": created["id"]},
    )
    return str(put["VersionId"])


def bucket(stack: InProcessApi) -> str:
    return stack.local.physical["AssetBucket"]


def confirm_uploads(stack: InProcessApi) -> None:
    EventSources(stack.local, stack.session, stack.gateway.handler, retry_backoff=0).run_until_idle()


def versions(stack: InProcessApi, key: str) -> list[str]:
    listed = stack.session.client("s3").list_object_versions(Bucket=bucket(stack), Prefix=key)
    return [v["VersionId"] for v in listed.get("Versions", [])]


def uploaded(stack: InProcessApi, data: bytes = FILE, **fields: Any) -> dict[str, Any]:
    created = create(stack, data, **fields)
    store(stack, created, data)
    confirm_uploads(stack)
    return ok(call(stack, "GET", f"{ASSETS}/{created['id']}"))  # type: ignore[no-any-return]


@pytest.fixture
def partner(stack: InProcessApi, other_key: str) -> dict[str, str]:
    """The second org (@other): its key and id."""
    org = stack.partners().get_org_by_handle("@other")
    return {"key": other_key, "org_id": org.org_id}


# --- upload and confirmation ---------------------------------------------------------------------------
def test_create_answers_a_presigned_post_binding_every_declared_fact(stack: InProcessApi) -> None:
    before = time.time()
    created = create(stack)
    assert created["status"] == "pending_upload"
    assert created["id"].startswith("ast_")
    assert created["org_id"] == stack.demo["org_id"]
    assert created["rights"] == {**RIGHTS, "expires_at": None, "credit": None}
    document = policy(created)
    assert policy_faults(document, expected_policy(stack, created), before) == []
    fields = created["upload"]["fields"]
    assert fields["key"] == expected_policy(stack, created)["key"]
    assert created["upload"]["expires_at"] == created["upload_expires_at"]
    assert parse_rfc3339(document["expiration"]) <= parse_rfc3339(created["upload_expires_at"])
    assert parse_rfc3339(created["upload_expires_at"]) <= before + 15 * 60 + 1


@pytest.mark.parametrize(
    "dropped", ["key", "content-length-range", "Content-Type", "x-amz-checksum-sha256", "x-amz-meta-asset-id"]
)
def test_each_policy_check_fails_when_its_condition_is_removed(stack: InProcessApi, dropped: str) -> None:
    created = create(stack)
    document = policy(created)
    document["conditions"] = [
        c
        for c in document["conditions"]
        if not (isinstance(c, dict) and dropped in c) and not (isinstance(c, list) and c[0] == dropped)
    ]
    assert any(
        dropped in fault for fault in policy_faults(document, expected_policy(stack, created), time.time())
    )


def test_an_expiry_beyond_15_minutes_fails_the_policy_check(stack: InProcessApi) -> None:
    created = create(stack)
    document = {**policy(created), "expiration": rfc3339(time.time() + 16 * 60)}
    assert policy_faults(document, expected_policy(stack, created), time.time()) != []


def test_a_file_as_declared_becomes_available_and_keeps_its_object(stack: InProcessApi) -> None:
    created = create(stack)
    version = store(stack, created, FILE)
    confirm_uploads(stack)
    asset = ok(call(stack, "GET", f"{ASSETS}/{created['id']}"))
    assert asset["status"] == "available"
    assert asset["uploaded_at"] is not None
    key = created["upload"]["fields"]["key"]
    assert versions(stack, key) == [version]
    tags = stack.session.client("s3").get_object_tagging(Bucket=bucket(stack), Key=key, VersionId=version)
    assert tags["TagSet"] == []  # no longer pending: the lifecycle keeps it


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (b"GIF89a" + FILE[6:], "image/png", "signature_mismatch"),  # a "PNG" that is not one
        (FILE + b"\x00", "image/png", "size_mismatch"),
        (FILE, "image/jpeg", "content_type_mismatch"),
    ],
)
def test_a_file_unlike_its_declaration_is_rejected_and_deleted(
    stack: InProcessApi, data: bytes, content_type: str, reason: str
) -> None:
    created = create(stack, FILE if reason == "size_mismatch" else data)
    store(stack, created, data, content_type)
    confirm_uploads(stack)
    asset = ok(call(stack, "GET", f"{ASSETS}/{created['id']}"))
    assert (asset["status"], asset["rejection_reason"]) == ("rejected", reason)
    assert versions(stack, created["upload"]["fields"]["key"]) == []


def test_other_bytes_than_the_declared_checksum_are_rejected(stack: InProcessApi) -> None:
    other = png(2, 1)
    created = create(stack, other, size=len(FILE))  # same size, another SHA-256 than the file's
    store(stack, created, FILE)
    confirm_uploads(stack)
    asset = ok(call(stack, "GET", f"{ASSETS}/{created['id']}"))
    assert (asset["status"], asset["rejection_reason"]) == ("rejected", "checksum_mismatch")
    assert versions(stack, created["upload"]["fields"]["key"]) == []


def test_a_redelivered_notification_changes_nothing(stack: InProcessApi) -> None:
    created = create(stack)
    version = store(stack, created, FILE)
    confirm_uploads(stack)
    first = ok(call(stack, "GET", f"{ASSETS}/{created['id']}"))
    key = created["upload"]["fields"]["key"]
    record = {
        "eventName": "ObjectCreated:Post",
        "eventTime": rfc3339(time.time()),
        "s3": {
            "bucket": {"name": bucket(stack)},
            "object": {"key": key, "versionId": version, "size": len(FILE)},
        },
    }
    queue = stack.local.physical["AssetUploadQueue"]
    stack.session.client("sqs").send_message(QueueUrl=queue, MessageBody=json.dumps({"Records": [record]}))
    confirm_uploads(stack)
    assert ok(call(stack, "GET", f"{ASSETS}/{created['id']}")) == first
    assert versions(stack, key) == [version]


def test_a_second_upload_and_an_object_no_asset_expects_are_deleted(stack: InProcessApi) -> None:
    created = create(stack)
    first = store(stack, created, FILE)
    confirm_uploads(stack)
    store(stack, created, FILE)  # the form is still valid: a second file under the same key
    s3 = stack.session.client("s3")
    stray = f"orgs/{stack.demo['org_id']}/assets/ast_01JZZZZZZZZZZZZZZZZZZZZZZZ/file"
    s3.put_object(Bucket=bucket(stack), Key=stray, Body=FILE)
    confirm_uploads(stack)
    assert versions(stack, created["upload"]["fields"]["key"]) == [first]
    assert versions(stack, stray) == []
    assert ok(call(stack, "GET", f"{ASSETS}/{created['id']}"))["status"] == "available"


def test_a_poison_message_reaches_the_dead_letter_queue(stack: InProcessApi) -> None:
    sqs = stack.session.client("sqs")
    sqs.send_message(QueueUrl=stack.local.physical["AssetUploadQueue"], MessageBody="not json")
    confirm_uploads(stack)
    dead = sqs.receive_message(QueueUrl=stack.local.physical["AssetUploadDeadLetterQueue"])
    assert [m["Body"] for m in dead.get("Messages", [])] == ["not json"]


def test_an_upload_never_made_shows_expired(stack: InProcessApi, monkeypatch: pytest.MonkeyPatch) -> None:
    created = create(stack)
    from fashionos.assets import records

    real = time.time
    monkeypatch.setattr(records.time, "time", lambda: real() + 16 * 60)  # type: ignore[attr-defined]
    assert ok(call(stack, "GET", f"{ASSETS}/{created['id']}"))["status"] == "expired"


@pytest.mark.parametrize(
    "fields",
    [
        {"content_type": "image/gif"},
        {"size": 0},
        {"size": 5 * 1024**3 + 1},
        {"sha256": "abc"},
        {"filename": "../etc/passwd"},
        {"filename": "\u202egnp.exe"},  # a right-to-left override: it would read as "exe.png"
        {"title": "Look\x00"},
        {"rights": {**RIGHTS, "usage": ["resale"]}},
        {"rights": {**RIGHTS, "territories": ["UK"]}},
        {"rights": {**RIGHTS, "territories": ["*", "FR"]}},
        {"rights": {**RIGHTS, "license": "gpl"}},
        {"rights": {**RIGHTS, "owner": "no handle"}},
        {"rights": {**RIGHTS, "usage": []}},
        {"collection_id": "col_1"},
        {"surprise": True},
    ],
)
def test_a_bad_declaration_is_400_and_writes_nothing(stack: InProcessApi, fields: dict[str, Any]) -> None:
    problem(call(stack, "POST", ASSETS, declaration(**fields)), 400)
    assert ok(call(stack, "GET", ASSETS))["data"] == []


def test_rights_that_already_expired_are_422(stack: InProcessApi) -> None:
    body = declaration(rights={**RIGHTS, "expires_at": "2020-01-01T00:00:00Z"})
    problem(call(stack, "POST", ASSETS, body), 422)


def test_an_unknown_collection_is_404(stack: InProcessApi) -> None:
    body = declaration(collection_id="col_01JZZZZZZZZZZZZZZZZZZZZZZZ")
    problem(call(stack, "POST", ASSETS, body), 404)
    assert ok(call(stack, "GET", ASSETS))["data"] == []


# --- rights, grants, downloads ---------------------------------------------------------------------------
def grant(stack: InProcessApi, asset_id: str, partner: str, **fields: Any) -> Reply:
    body = {"partner": partner, "usage": ["display"], "territories": ["FR"], **fields}
    return call(stack, "POST", f"{ASSETS}/{asset_id}/grants", body)


def download(stack: InProcessApi, asset_id: str, key: str | None = None, **fields: str) -> Reply:
    body = {"usage": "display", "territory": "FR", **fields}
    return call(stack, "POST", f"{ASSETS}/{asset_id}/download", body, key=key)


@pytest.mark.parametrize(
    "fields",
    [
        {"usage": ["print"]},  # not in the asset's rights
        {"territories": ["US"]},
        {"territories": ["*"]},
    ],
)
def test_a_grant_wider_than_the_assets_rights_is_422(
    stack: InProcessApi, partner: dict[str, str], fields: dict[str, Any]
) -> None:
    asset = uploaded(stack)
    assert (
        problem(grant(stack, asset["id"], partner["org_id"], **fields), 422)["code"] == "grant_exceeds_rights"
    )
    assert ok(call(stack, "GET", f"{ASSETS}/{asset['id']}/grants"))["data"] == []


def test_a_grant_cannot_outlive_the_rights(stack: InProcessApi, partner: dict[str, str]) -> None:
    rights_end = rfc3339(time.time() + 86400)
    asset = uploaded(stack, rights={**RIGHTS, "expires_at": rights_end})
    later = rfc3339(time.time() + 2 * 86400)
    problem(grant(stack, asset["id"], partner["org_id"], expires_at=later), 422)
    granted = ok(grant(stack, asset["id"], "@other"), 201)  # by handle; the rights' end by default
    assert granted["expires_at"] == rights_end
    assert granted["partner_org_id"] == partner["org_id"]


def test_a_grantee_downloads_the_same_bytes_and_every_download_is_audited(
    stack: InProcessApi, partner: dict[str, str]
) -> None:
    asset = uploaded(stack)
    ok(
        grant(stack, asset["id"], partner["org_id"], usage=["display", "tryon"], territories=["FR", "DE"]),
        201,
    )
    shared = ok(call(stack, "GET", f"{ASSETS}?shared=true", key=partner["key"]))["data"]
    assert [a["id"] for a in shared] == [asset["id"]]
    assert shared[0]["rights"]["owner"] == "@atelier_nord"  # creator IP, on every read
    link = ok(download(stack, asset["id"], partner["key"], usage="tryon", territory="DE"))
    assert parse_rfc3339(link["expires_at"]) <= time.time() + 5 * 60 + 1
    s3 = stack.session.client("s3")
    key = f"orgs/{stack.demo['org_id']}/assets/{asset['id']}/file"
    assert s3.get_object(Bucket=bucket(stack), Key=key)["Body"].read() == FILE
    assert "response-content-disposition=attachment" in link["url"]
    ok(download(stack, asset["id"]))  # the owner's own
    log = ok(call(stack, "GET", f"{ASSETS}/{asset['id']}/downloads"))["data"]
    assert [(d["org_id"], d["usage"], d["territory"]) for d in log] == [
        (stack.demo["org_id"], "display", "FR"),
        (partner["org_id"], "tryon", "DE"),
    ]
    problem(call(stack, "GET", f"{ASSETS}/{asset['id']}/downloads", key=partner["key"]), 404)  # owner's only


def test_a_grant_that_does_not_cover_the_request_is_403_naming_the_condition(
    stack: InProcessApi, partner: dict[str, str]
) -> None:
    asset = uploaded(stack)
    ok(grant(stack, asset["id"], partner["org_id"]), 201)  # display in FR
    assert problem(download(stack, asset["id"], partner["key"], territory="DE"), 403)["code"] == (
        "territory_not_granted"
    )
    assert (
        problem(download(stack, asset["id"], partner["key"], usage="tryon"), 403)["code"]
        == "usage_not_granted"
    )
    assert ok(call(stack, "GET", f"{ASSETS}/{asset['id']}/downloads"))["data"] == []


def test_an_expired_grant_is_403(stack: InProcessApi, partner: dict[str, str]) -> None:
    asset = uploaded(stack)
    ok(grant(stack, asset["id"], partner["org_id"], expires_at=rfc3339(time.time() + 2)), 201)
    time.sleep(2.1)
    assert problem(download(stack, asset["id"], partner["key"]), 403)["code"] == "grant_expired"


def test_another_org_without_a_grant_finds_nothing(stack: InProcessApi, partner: dict[str, str]) -> None:
    asset = uploaded(stack)
    unknown = "ast_01JZZZZZZZZZZZZZZZZZZZZZZZ"
    for asset_id in (asset["id"], unknown):
        for method, suffix, body in [
            ("GET", "", None),
            ("PATCH", "", {"title": "Mine"}),
            ("DELETE", "", None),
            ("GET", "/history", None),
            ("GET", "/grants", None),
            (
                "POST",
                "/grants",
                {"partner": stack.demo["org_id"], "usage": ["display"], "territories": ["FR"]},
            ),
            ("POST", "/publish", None),
            ("POST", "/download", {"usage": "display", "territory": "FR"}),
            ("GET", "/downloads", None),
        ]:
            reply = call(stack, method, f"{ASSETS}/{asset_id}{suffix}", body, key=partner["key"])
            assert problem(reply, 404)["detail"] == "No such asset", (method, suffix)
    assert ok(call(stack, "GET", f"{ASSETS}?shared=true", key=partner["key"]))["data"] == []


def test_delete_removes_the_file_and_revokes_every_grant(
    stack: InProcessApi, partner: dict[str, str]
) -> None:
    asset = uploaded(stack)
    ok(grant(stack, asset["id"], partner["org_id"]), 201)
    ok(download(stack, asset["id"], partner["key"]))
    assert call(stack, "DELETE", f"{ASSETS}/{asset['id']}").status == 204
    problem(download(stack, asset["id"], partner["key"]), 404)
    problem(call(stack, "GET", f"{ASSETS}/{asset['id']}"), 404)
    assert ok(call(stack, "GET", f"{ASSETS}?shared=true", key=partner["key"]))["data"] == []
    assert versions(stack, f"orgs/{stack.demo['org_id']}/assets/{asset['id']}/file") == []
    dynamodb = stack.session.client("dynamodb")
    left = dynamodb.scan(TableName=stack.local.physical["AssetTable"])["Items"]
    assert [item for item in left if asset["id"] in json.dumps(item)] == []


def test_a_rights_change_is_recorded_and_narrowed_rights_bind_old_grants(
    stack: InProcessApi, partner: dict[str, str]
) -> None:
    asset = uploaded(stack)
    ok(grant(stack, asset["id"], partner["org_id"], territories=["FR", "DE"]), 201)
    narrowed = {**RIGHTS, "territories": ["FR"]}
    changed = ok(call(stack, "PATCH", f"{ASSETS}/{asset['id']}", {"rights": narrowed, "title": "Look 1"}))
    assert changed["title"] == "Look 1"
    assert changed["rights"]["territories"] == ["FR"]
    history = ok(call(stack, "GET", f"{ASSETS}/{asset['id']}/history"))["data"]
    assert [(h["before"] and h["before"]["territories"], h["after"]["territories"]) for h in history] == [
        (["FR", "DE", "IT"], ["FR"]),
        (None, ["FR", "DE", "IT"]),
    ]
    assert history[0]["changed_by"].startswith("sandbox:")
    ok(call(stack, "PATCH", f"{ASSETS}/{asset['id']}", {"title": "Look one"}))  # not a rights change
    assert len(ok(call(stack, "GET", f"{ASSETS}/{asset['id']}/history"))["data"]) == 2
    assert problem(download(stack, asset["id"], partner["key"], territory="DE"), 403)["code"] == (
        "territory_not_granted"
    )


def test_revoking_a_grant_ends_the_partners_access(stack: InProcessApi, partner: dict[str, str]) -> None:
    asset = uploaded(stack)
    granted = ok(grant(stack, asset["id"], partner["org_id"]), 201)
    path = f"{ASSETS}/{asset['id']}/grants/{granted['id']}"
    assert call(stack, "DELETE", path).status == 204
    problem(call(stack, "DELETE", path), 404)
    problem(download(stack, asset["id"], partner["key"]), 404)


def test_a_collection_grant_covers_its_assets(stack: InProcessApi, partner: dict[str, str]) -> None:
    collection = ok(call(stack, "POST", COLLECTIONS, {"name": "SS27", "season": "SS27"}), 201)
    asset = uploaded(stack, collection_id=collection["id"])
    ok(
        call(
            stack,
            "POST",
            f"{COLLECTIONS}/{collection['id']}/grants",
            {"partner": "@other", "usage": ["display"], "territories": ["FR"]},
        ),
        201,
    )
    got = ok(call(stack, "GET", f"{COLLECTIONS}/{collection['id']}"))
    assert [a["id"] for a in got["assets"]] == [asset["id"]]
    ok(download(stack, asset["id"], partner["key"]))
    wide = {"partner": "@other", "usage": ["print"], "territories": ["FR"]}
    problem(call(stack, "POST", f"{COLLECTIONS}/{collection['id']}/grants", wide), 422)
    listed = ok(call(stack, "GET", COLLECTIONS))["data"]
    assert [c["id"] for c in listed] == [collection["id"]]


def test_publish_needs_an_accepted_file_and_happens_once(stack: InProcessApi) -> None:
    pending = create(stack)
    assert (
        problem(call(stack, "POST", f"{ASSETS}/{pending['id']}/publish"), 409)["code"]
        == "asset_not_available"
    )
    asset = uploaded(stack)
    published = ok(call(stack, "POST", f"{ASSETS}/{asset['id']}/publish"))
    assert published["status"] == "published"
    assert published["published_at"]
    assert ok(call(stack, "POST", f"{ASSETS}/{asset['id']}/publish")) == published


def events_of(stack: InProcessApi, key: str | None = None) -> list[dict[str, Any]]:
    return ok(call(stack, "GET", "/v1/events?type=design.published", key=key))["data"]  # type: ignore[no-any-return]


def test_publishing_tells_the_owner_and_every_grantee_and_a_later_grant_tells_its_partner(
    stack: InProcessApi, partner: dict[str, str], make_other: Callable[[str], dict[str, str]]
) -> None:
    asset = uploaded(stack)
    ok(grant(stack, asset["id"], partner["org_id"]), 201)
    ok(call(stack, "POST", f"{ASSETS}/{asset['id']}/publish"))
    assert [e["data"]["id"] for e in events_of(stack)] == [asset["id"]]
    (event,) = events_of(stack, partner["key"])
    assert event["data"]["grant"]["partner_org_id"] == partner["org_id"]
    third = make_other("@third")
    ok(grant(stack, asset["id"], third["org_id"]), 201)
    assert [e["data"]["id"] for e in events_of(stack, third["key"])] == [asset["id"]]


@pytest.fixture
def make_other(stack: InProcessApi) -> Callable[[str], dict[str, str]]:
    from fashionos.identity.partner_models import KNOWN_SCOPES

    def make(handle: str) -> dict[str, str]:
        partners = stack.partners()
        org = partners.create_org(handle, twin_active=True)
        _, key = partners.create_sandbox_key(org.org_id, KNOWN_SCOPES)
        return {"key": key, "org_id": org.org_id}

    return make


def test_a_grant_to_nobody_or_to_oneself_is_422(stack: InProcessApi) -> None:
    asset = uploaded(stack)
    assert problem(grant(stack, asset["id"], "@nobody_here"), 422)["code"] == "partner_not_found"
    assert problem(grant(stack, asset["id"], stack.demo["org_id"]), 422)["code"] == "partner_not_found"


def test_assets_read_cannot_write(stack: InProcessApi) -> None:
    partners = stack.partners()
    _, key = partners.create_sandbox_key(stack.demo["org_id"], ["assets:read"])
    assert problem(call(stack, "POST", ASSETS, declaration(), key=key), 403)["code"] == "insufficient_scope"
    ok(call(stack, "GET", ASSETS, key=key))


def test_a_grant_on_rights_that_expired_is_422(stack: InProcessApi, partner: dict[str, str]) -> None:
    asset = uploaded(stack, rights={**RIGHTS, "expires_at": rfc3339(time.time() + 2)})
    time.sleep(2.1)
    refused = problem(grant(stack, asset["id"], partner["org_id"]), 422)
    assert refused["code"] == "grant_exceeds_rights"
    assert "expired" in refused["detail"]


def test_refusals_name_the_field_and_the_rights_as_sent(stack: InProcessApi, partner: dict[str, str]) -> None:
    asset = uploaded(stack)
    wide = problem(grant(stack, asset["id"], partner["org_id"], territories=["US"]), 422)
    assert "territory US is not in the asset's rights (FR, DE, IT)" in wide["detail"]
    bad = problem(call(stack, "PATCH", f"{ASSETS}/{asset['id']}", {"rights": {**RIGHTS, "owner": "x"}}), 400)
    assert bad["detail"].startswith("Invalid field 'rights.owner'")
