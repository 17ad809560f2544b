"""The Design Vault over real HTTP against the local stack: a file declared with ``POST /v1/assets`` is
uploaded with a real multipart POST (``curl -F``, every field of the presigned form) straight to the stack's
S3 (the moto server), the bucket's notification reaches the confirm function through SQS, the asset becomes
``available``, and a partner org holding a grant downloads the same bytes through a presigned GET; a file
other than the one declared ends ``rejected`` with its object gone; ``design.published`` reaches a
``standardwebhooks`` receiver of the owner and of the grantee."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from tests.e2e.conftest import E2E, REQUEST_TIMEOUT, DevStack, http
from tests.e2e.test_commerce import Partner, partner_of, wait_for
from tests.integration.test_assets_api import FILE, declaration, png
from tests.receiver import Receiver

pytestmark = E2E

ASSETS = "/v1/assets"


def declare(partner: Partner, data: bytes, **fields: Any) -> dict[str, Any]:
    created: dict[str, Any] = partner.ok("POST", ASSETS, declaration(data, **fields), 201)
    return created


def post_form(created: dict[str, Any], data: bytes, tmp_path: Path, content_type: str | None = None) -> int:
    """The browser-form upload S3 takes: every field of ``upload.fields``, then the file (curl -F when
    installed, else the same multipart request with ``requests``). The HTTP status S3 answered."""
    upload = created["upload"]
    fields = dict(upload["fields"])
    if content_type is not None:
        fields["Content-Type"] = content_type
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    curl = shutil.which("curl")
    if curl is not None:
        argv = [curl, "--silent", "--show-error", "--noproxy", "*", "--output", "/dev/null"]
        argv += ["--write-out", "%{http_code}", "--max-time", str(REQUEST_TIMEOUT)]
        for name, value in fields.items():
            argv += ["--form-string", f"{name}={value}"]
        argv += ["-F", f"file=@{path}", upload["url"]]
        done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=REQUEST_TIMEOUT + 10)  # noqa: S603
        return int(done.stdout)
    reply = requests.post(upload["url"], data=fields, files={"file": data}, timeout=REQUEST_TIMEOUT)
    return reply.status_code


def settled(partner: Partner, asset_id: str) -> dict[str, Any]:
    """The asset once the confirm function has seen its file."""
    state: dict[str, Any] = {}

    def done() -> bool:
        state.update(partner.ok("GET", f"{ASSETS}/{asset_id}"))
        return state["status"] != "pending_upload"

    wait_for(done, lambda: state)
    return state


def object_versions(stack: DevStack, key: str) -> list[str]:
    s3 = stack.client("s3")
    listed = s3.list_object_versions(Bucket=stack.described["outputs"]["AssetBucketName"], Prefix=key)
    return [v["VersionId"] for v in listed.get("Versions", [])]


@pytest.fixture
def owner(stack: DevStack) -> Partner:
    return partner_of(stack)


@pytest.fixture
def grantee(stack: DevStack) -> Partner:
    return partner_of(stack)


def test_upload_confirm_and_a_grantees_download_of_the_same_bytes(
    stack: DevStack, owner: Partner, grantee: Partner, tmp_path: Path
) -> None:
    created = declare(owner, FILE)
    assert post_form(created, FILE, tmp_path) in (200, 201, 204)
    asset = settled(owner, created["id"])
    assert asset["status"] == "available"
    owner.ok(
        "POST",
        f"{ASSETS}/{asset['id']}/grants",
        {"partner": grantee.org_id, "usage": ["display"], "territories": ["FR"]},
        201,
    )
    link = grantee.ok("POST", f"{ASSETS}/{asset['id']}/download", {"usage": "display", "territory": "FR"})
    with http() as session:
        got = session.get(link["url"], timeout=REQUEST_TIMEOUT)
    assert got.status_code == 200
    assert got.content == FILE
    assert got.headers["Content-Disposition"].startswith('attachment; filename="look-01.png"')
    log = owner.ok("GET", f"{ASSETS}/{asset['id']}/downloads")["data"]
    assert [(d["org_id"], d["usage"], d["territory"]) for d in log] == [(grantee.org_id, "display", "FR")]
    # a third org, without a grant, finds nothing
    stranger = partner_of(stack)
    assert (
        stranger.call(
            "POST", f"{ASSETS}/{asset['id']}/download", {"usage": "display", "territory": "FR"}
        ).status
        == 404
    )


@pytest.mark.parametrize(
    ("declared", "sent", "content_type", "reason"),
    [
        (FILE, png(2, 1)[: len(FILE)], None, "checksum_mismatch"),  # other bytes, the declared size
        (FILE, FILE + b"\x00" * 10, None, "size_mismatch"),
        (FILE, FILE, "image/jpeg", "content_type_mismatch"),
        (b"GIF89a" + FILE[6:], b"GIF89a" + FILE[6:], None, "signature_mismatch"),  # declared as a PNG
    ],
)
def test_a_file_unlike_its_declaration_ends_rejected_and_its_object_is_gone(
    stack: DevStack,
    owner: Partner,
    tmp_path: Path,
    declared: bytes,
    sent: bytes,
    content_type: str | None,
    reason: str,
) -> None:
    created = declare(owner, declared)
    status = post_form(created, sent, tmp_path, content_type)
    assert status in (200, 201, 204)  # the local S3 does not enforce the policy (see README): it lands
    asset = settled(owner, created["id"])
    assert (asset["status"], asset["rejection_reason"]) == ("rejected", reason)
    assert object_versions(stack, created["upload"]["fields"]["key"]) == []


def test_design_published_reaches_the_owner_and_the_grantee(
    stack: DevStack, owner: Partner, grantee: Partner, tmp_path: Path
) -> None:
    created = declare(owner, FILE)
    post_form(created, FILE, tmp_path)
    asset = settled(owner, created["id"])
    with Receiver() as owner_hooks, Receiver() as partner_hooks:
        hooks = {}
        for partner, receiver in ((owner, owner_hooks), (grantee, partner_hooks)):
            webhook = partner.ok(
                "POST", "/v1/webhooks", {"url": receiver.url, "events": ["design.published"]}, 201
            )
            receiver.secret = hooks[partner.org_id] = webhook["secret"]
        owner.ok(
            "POST",
            f"{ASSETS}/{asset['id']}/grants",
            {"partner": grantee.org_id, "usage": ["display"], "territories": ["FR"]},
            201,
        )
        owner.ok("POST", f"{ASSETS}/{asset['id']}/publish")
        wait_for(
            lambda: owner_hooks.received and partner_hooks.received,
            lambda: (owner_hooks.received, partner_hooks.received),
        )
    for partner, receiver in ((owner, owner_hooks), (grantee, partner_hooks)):
        (delivery,) = receiver.received
        Webhook(hooks[partner.org_id]).verify(delivery.body, delivery.headers)
        assert delivery.event["type"] == "design.published"
        assert delivery.event["data"]["id"] == asset["id"]
        assert delivery.event["data"]["status"] == "published"
    assert owner_hooks.received[0].event["data"]["grant"] is None
    assert partner_hooks.received[0].event["data"]["grant"]["partner_org_id"] == grantee.org_id
