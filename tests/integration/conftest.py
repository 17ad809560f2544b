"""Handlers in-process on moto (``mock_aws``), behind the dev gateway's routing, tables from the template."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devserver.custom_resources import create_custom_resources
from devserver.demo import seed
from devserver.gateway import Gateway
from devserver.lambda_runtime import InProcessFunctions
from devserver.template import LocalTemplate, create_resources, load_template
from fashionos.admin.cli import main
from fashionos.identity.partner_models import KNOWN_SCOPES
from fashionos.identity.partner_store import PartnerStore
from fashionos.identity.partners import PartnerService
from fashionos.identity.signing_keys import SigningKeys
from tests.helpers import Reply, business_items

ISSUER = "http://partner.test"  # what the dev stack sets TOKEN_ISSUER to: its base URL


@dataclass
class InProcessApi:
    gateway: Gateway
    functions: InProcessFunctions  # the gateway's: every call is checked against its function's grants
    session: boto3.Session
    table: str
    secret_arn: str
    demo: dict[str, Any]
    local: LocalTemplate

    def call(
        self,
        path: str,
        body: Any = None,
        *,
        method: str = "POST",
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        source_ip: str = "203.0.113.7",
    ) -> Reply:
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        sent = {"Content-Type": "application/json", **(headers or {})}
        status, reply_headers, reply = self.gateway.invoke(method, path, sent, data, source_ip)
        return Reply(status, reply_headers, reply.decode())

    def items(self) -> list[dict[str, Any]]:
        return business_items(self.session.client("dynamodb"), self.table)

    def signing_keys(self) -> SigningKeys:
        """The stack's JWT signing keys, loaded as a container loads them."""
        keys = SigningKeys()
        keys.load(self.session.client("secretsmanager"), self.local.physical["SigningKeySecret"])
        return keys

    def partners(self) -> PartnerService:
        """The partner service on the stack's table, as an operator's admin CLI uses it."""
        return PartnerService(
            PartnerStore(self.session.client("dynamodb"), self.local.physical["PartnerTable"])
        )


@pytest.fixture
def minute(monkeypatch: pytest.MonkeyPatch) -> int:
    """The rate limiter's clock stays 10 s into the current minute (its start is returned), so a test's
    requests cannot straddle two windows on a slow machine."""
    from types import SimpleNamespace

    from fashionos import ratelimit

    start = int(time.time() // 60) * 60
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: start + 10.0))
    return start


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In-process moto with offline credentials (never a real endpoint, even when AWS_ENDPOINT_URL is set)."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


StackFactory = Callable[..., InProcessApi]


@pytest.fixture
def make_stack(moto: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[StackFactory]:
    """Builds the in-process stack of one ``Stage`` (once per test) from ``template`` (default: ours); the
    gateway's authorizer cache runs on ``clock``. A test fails when any function was refused an AWS call
    (a handler that swallows the error would hide a missing grant otherwise)."""
    built: list[InProcessApi] = []

    def make(
        stage: str = "sandbox",
        clock: Callable[[], float] = time.monotonic,
        template: dict[str, Any] | None = None,
    ) -> InProcessApi:
        session = boto3.Session(region_name="us-east-1")
        local = LocalTemplate(template or load_template(), "test", {"Stage": stage})
        create_resources(local, session)
        for function in local.functions().values():
            for name, value in function.environment.items():
                monkeypatch.setenv(name, value)
        monkeypatch.setenv("TOKEN_ISSUER", ISSUER)
        functions = InProcessFunctions(local)
        create_custom_resources(local, functions)  # the first signing key, as a deploy makes it
        table, secret_arn = local.physical["IntegrationTable"], local.physical["HandshakeSecret"]
        demo = seed(
            session.client("dynamodb"),
            session.client("secretsmanager"),
            table,
            secret_arn,
            local.physical["PartnerTable"],
        )
        stack = InProcessApi(
            Gateway(local, functions, clock=clock), functions, session, table, secret_arn, demo, local
        )
        built.append(stack)
        return stack

    yield make
    denied = [call for stack in built for call in stack.functions.denied()]
    assert denied == [], f"AWS calls the template does not grant (function, action, resource): {denied}"


@pytest.fixture
def stack(make_stack: StackFactory) -> InProcessApi:
    """The sandbox stage, as ``make dev`` runs it."""
    return make_stack()


@pytest.fixture
def other_key(stack: InProcessApi) -> str:
    """The sandbox key, with every scope, of a second org."""
    partners = stack.partners()
    org = partners.create_org("@other", twin_active=True)
    _, key = partners.create_sandbox_key(org.org_id, KNOWN_SCOPES)
    return key


@pytest.fixture
def steady_failure_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the partner code's clock 10 s into one failure-throttling window, so a test that fills the
    window cannot straddle two of them."""
    from types import SimpleNamespace

    from fashionos.identity import partners, token_operations

    start = int(time.time() // partners.AUTH_FAILURE_WINDOW_SECONDS) * partners.AUTH_FAILURE_WINDOW_SECONDS
    clock = SimpleNamespace(time=lambda: start + 10.0)
    monkeypatch.setattr(partners, "time", clock)
    monkeypatch.setattr(token_operations, "time", clock)


def described(stack: InProcessApi, **outputs: str) -> dict[str, Any]:
    """The stack's ``stack.json``, as the local stack writes it (``outputs`` added or replacing)."""
    return {
        "stack_name": "test",
        "region": "us-east-1",
        "endpoint_url": None,
        "outputs": {
            "IntegrationTableName": stack.table,
            "HandshakeSecretArn": stack.secret_arn,
            "PartnerTableName": stack.local.physical["PartnerTable"],
            "SigningKeySecretArn": stack.local.physical["SigningKeySecret"],
            "EventTableName": stack.local.physical["EventTable"],
            "CommerceTableName": stack.local.physical["CommerceTable"],
            **outputs,
        },
    }


@pytest.fixture
def admin(
    stack: InProcessApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, Any]]:
    """``fashionos-admin ARGS...`` against the stack (its ``stack.json`` in a temporary state directory):
    the exit code, and the JSON printed (or the error text)."""
    (tmp_path / "stack.json").write_text(json.dumps(described(stack)))

    def run(*args: str) -> tuple[int, Any]:
        code = main(["--local-state", str(tmp_path), *args])
        out, err = capsys.readouterr()
        return code, json.loads(out) if code == 0 else err

    return run
