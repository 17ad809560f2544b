"""The post-deploy smoke test: a deployed (or the local) stack answers as partners and the legacy system need.

    python -m pipeline.smoke --stack fashionos-sandbox --region us-east-1   # after each deploy (CI)
    python -m pipeline.smoke provision --stack fashionos-sandbox --region us-east-1   # once per stack
    python -m pipeline.smoke provision --stack ... --refresh-handshake      # after rotate-handshake --finish
    python -m pipeline.smoke --local-state .dev                             # the local stack of `make dev`

The checks, each against the stack's outputs (CloudFormation DescribeStacks; locally ``stack.json``):
an OAuth access token (client credentials, HTTP Basic) and ``GET /v1/me`` with it; one metered Integration API
call (``increase-api-key-usage-count``, count 1, with an ``Idempotency-Key``) for the smoke-test user; the
public reference pages of both APIs. Any failure exits 1.

The credentials come from one Secrets Manager secret, ``<stack>/smoke-test`` (JSON: ``client_id``,
``client_secret``, ``api_key``, ``user_id``, ``handshake``, ``org_id``), which ``provision`` makes once
after the first deploy, through the admin code (``fashionos.admin``): a ``@smoke_test`` org with its
Dashboard user on the unlimited ``smoke-test`` plan, an OAuth client with ``profile:read`` only, and an API
key. So running the smoke test takes ``cloudformation:DescribeStacks`` on the stack and
``secretsmanager:GetSecretValue`` on that one secret, nothing else; provisioning takes an operator.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from fashionos.admin.provisioning import provision_org
from fashionos.admin.stack import Stack, StackNotFound, deployed_stack, local_stack
from fashionos.errors import DomainError
from fashionos.identity.partner_store import PartnerStore
from fashionos.identity.partners import PartnerService
from fashionos.integration.handshake import current_handshake
from fashionos.usage.models import PlanLimits
from fashionos.usage.service import UsageService
from fashionos.usage.store import UsageStore

SMOKE_HANDLE = "@smoke_test"
SMOKE_PLAN = "smoke-test"  # unlimited: the smoke test's calls never reach a soft limit
SMOKE_SCOPES = ("profile:read",)  # GET /v1/me, nothing else
SECRET_FIELDS = ("client_id", "client_secret", "api_key", "user_id", "handshake")
TIMEOUT_SECONDS = 15
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def default_secret_id(stack_name: str) -> str:
    return f"{stack_name}/smoke-test"


class SmokeFailed(Exception):
    """A check failed: its message says which and what came back (never a credential)."""


# --- HTTP ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            raise SmokeFailed(f"HTTP {self.status}, not JSON: {self.body[:200]!r}") from None


@dataclass
class Http:
    """urllib, stdlib only; retries connection errors, 429 and 5xx (a fresh deploy may need a few seconds).
    A local stack is never reached through a proxy from the environment."""

    attempts: int = 4
    backoff_seconds: float = 2.0

    def request(
        self, method: str, url: str, *, headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> Response:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise SmokeFailed(f"not an HTTP URL: {url}")
        loopback = urllib.parse.urlsplit(url).hostname in LOOPBACK
        opener = urllib.request.build_opener(
            *([urllib.request.ProxyHandler({})] if loopback else []), _NoRedirects()
        )
        last = ""
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310 - checked above
            try:
                with opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
                    return Response(answer.status, dict(answer.headers.items()), answer.read())
            except urllib.error.HTTPError as error:
                response = Response(error.code, dict(error.headers.items()), error.read())
                if error.code != 429 and error.code < 500:
                    return response
                last = f"HTTP {error.code}: {response.body[:200]!r}"
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                last = f"{type(error).__name__}: {getattr(error, 'reason', error)}"
        raise SmokeFailed(f"{method} {url}: {last} (after {self.attempts} attempts)")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer to check, never followed with credentials


# --- the checks -------------------------------------------------------------------------------------
def _expect(response: Response, status: int, what: str) -> None:
    if response.status != status:
        raise SmokeFailed(f"{what}: HTTP {response.status}, expected {status}: {response.body[:300]!r}")


def access_token(http: Http, partner_url: str, credentials: dict[str, str]) -> str:
    basic = ":".join(urllib.parse.quote(credentials[k], safe="") for k in ("client_id", "client_secret"))
    response = http.request(
        "POST",
        f"{partner_url}/oauth/token",
        headers={
            "Authorization": "Basic " + base64.b64encode(basic.encode()).decode(),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
    )
    _expect(response, 200, "POST /oauth/token")
    token = response.json().get("access_token")
    if not isinstance(token, str) or not token:
        raise SmokeFailed("POST /oauth/token: no access_token in the answer")
    return token


def me(http: Http, partner_url: str, token: str, credentials: dict[str, str]) -> str:
    response = http.request("GET", f"{partner_url}/v1/me", headers={"Authorization": f"Bearer {token}"})
    _expect(response, 200, "GET /v1/me")
    body = response.json()
    if body.get("client_id") != credentials["client_id"] or body.get("credential") != "access_token":
        raise SmokeFailed(f"GET /v1/me: not the smoke-test client: {response.body[:300]!r}")
    return f"org {body.get('org', {}).get('id')}"


def metered_call(http: Http, integration_url: str, credentials: dict[str, str]) -> str:
    """One API call counted for the smoke-test user's key (an ``Idempotency-Key``: retries count once)."""
    body = {
        "handshake": credentials["handshake"],
        "api_key": credentials["api_key"],
        "user_id": credentials["user_id"],
        "count": 1,
    }
    response = http.request(
        "POST",
        f"{integration_url}/api/v1/integration/increase-api-key-usage-count",
        headers={"Content-Type": "application/json", "Idempotency-Key": f"smoke-{uuid.uuid4()}"},
        body=json.dumps(body).encode(),
    )
    _expect(response, 200, "POST /api/v1/integration/increase-api-key-usage-count")
    if response.json().get("success") is not True:
        raise SmokeFailed(f"increase-api-key-usage-count: {response.body[:300]!r}")
    return "counted 1 API call"


def docs_page(http: Http, url: str) -> str:
    response = http.request("GET", url)
    _expect(response, 200, f"GET {url}")
    content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
    if not content_type.startswith("text/html") or b"<html" not in response.body[:2000].lower():
        raise SmokeFailed(f"GET {url}: not an HTML page ({content_type})")
    return f"{len(response.body)} bytes of HTML"


def read_credentials(stack: Stack, secret_id: str) -> dict[str, str]:
    try:
        value = stack.secretsmanager().get_secret_value(SecretId=secret_id)["SecretString"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        hint = (
            " (run `python -m pipeline.smoke provision` once)" if code == "ResourceNotFoundException" else ""
        )
        raise SmokeFailed(f"the smoke-test secret {secret_id}: {code or error}{hint}") from None
    try:
        credentials = json.loads(value)
    except ValueError:
        raise SmokeFailed(f"the smoke-test secret {secret_id} is not JSON") from None
    missing = [k for k in SECRET_FIELDS if not isinstance(credentials.get(k), str) or not credentials[k]]
    if missing:
        raise SmokeFailed(f"the smoke-test secret {secret_id} lacks {', '.join(missing)}")
    return {k: credentials[k] for k in SECRET_FIELDS}


def run_smoke(stack: Stack, secret_id: str, http: Http, out: Callable[[str], None] = print) -> bool:
    """Every check, each reported on its own line; True when all passed."""
    integration_url = stack.outputs["IntegrationApiUrl"].rstrip("/")
    partner_url = stack.outputs.get("PartnerApiUrl", integration_url).rstrip("/")
    credentials = read_credentials(stack, secret_id)
    token: list[str] = []

    def get_token() -> str:
        token.append(access_token(http, partner_url, credentials))
        return "issued"

    def get_me() -> str:
        if not token:
            raise SmokeFailed("skipped: no access token")
        return me(http, partner_url, token[0], credentials)

    checks: list[tuple[str, Callable[[], str]]] = [
        ("oauth token (client credentials)", get_token),
        ("GET /v1/me", get_me),
        ("metered Integration API call", lambda: metered_call(http, integration_url, credentials)),
        ("Partner API docs page", lambda: docs_page(http, f"{partner_url}/docs")),
        ("Integration API docs page", lambda: docs_page(http, f"{integration_url}/api/v1/integration/docs")),
    ]
    passed = True
    for name, check in checks:
        started = time.monotonic()
        try:
            detail = check()
        except SmokeFailed as failure:
            passed = False
            out(f"FAIL  {name}: {failure}")
        else:
            out(f"ok    {name}: {detail} ({(time.monotonic() - started) * 1000:.0f} ms)")
    out(f"smoke test of {stack.name}: {'passed' if passed else 'FAILED'}")
    return passed


# --- provisioning (an operator, once per stack) -------------------------------------------------------
def provision(stack: Stack, secret_id: str, handle: str = SMOKE_HANDLE) -> dict[str, Any]:
    """The smoke-test org, user, client and key, and the secret that holds their credentials. Refuses
    when the secret exists (the credentials in it are the only copy of the client secret and the key)."""
    secretsmanager = stack.secretsmanager()
    if _secret_exists(stack, secret_id):
        raise SmokeFailed(
            f"{secret_id} exists already: the stack is provisioned (--refresh-handshake updates its "
            "handshake; delete the secret to provision anew)"
        )
    dynamodb = stack.dynamodb()
    usage = UsageService(UsageStore(dynamodb, stack.table))
    partners = PartnerService(PartnerStore(dynamodb, stack.partner_table))
    usage.set_plan(SMOKE_PLAN, PlanLimits())
    org = provision_org(partners, usage, handle, display_name="Smoke test (CI)", plan=SMOKE_PLAN)
    client, client_secret = partners.create_client(org.org_id, SMOKE_SCOPES)
    key, api_key = usage.create_api_key(org.user_id)
    value = {
        "client_id": client.client_id,
        "client_secret": client_secret,
        "api_key": api_key,
        "user_id": org.user_id,
        "handshake": current_handshake(secretsmanager, stack.handshake_secret),
        "org_id": org.org_id,
        "key_id": key.key_id,
    }
    arn = secretsmanager.create_secret(
        Name=secret_id,
        Description=f"Credentials of the post-deploy smoke test of {stack.name} (pipeline/smoke.py)",
        SecretString=json.dumps(value),
        Tags=[{"Key": "project", "Value": "fashionos"}, {"Key": "stack", "Value": stack.name}],
    )["ARN"]
    return {
        "secret_arn": arn,
        "org_id": org.org_id,
        "user_id": org.user_id,
        "client_id": client.client_id,
        "key_id": key.key_id,
        "note": "The deploy role reads this secret (pipeline/bootstrap.yaml); nothing else holds its values.",
    }


def refresh_handshake(stack: Stack, secret_id: str) -> dict[str, Any]:
    """After a handshake rotation: the secret's ``handshake`` becomes the stack's current token."""
    secretsmanager = stack.secretsmanager()
    value = json.loads(secretsmanager.get_secret_value(SecretId=secret_id)["SecretString"])
    value["handshake"] = current_handshake(secretsmanager, stack.handshake_secret)
    secretsmanager.put_secret_value(SecretId=secret_id, SecretString=json.dumps(value))
    return {"secret_id": secret_id, "handshake": "refreshed"}


def _secret_exists(stack: Stack, secret_id: str) -> bool:
    try:
        stack.secretsmanager().describe_secret(SecretId=secret_id)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return False
        raise
    return True


# --- command line -----------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m pipeline.smoke", description=__doc__.split("\n\n")[0])
    root.add_argument("command", nargs="?", choices=["run", "provision"], default="run")
    root.add_argument("--stack", help="deployed stack name (default: the local stack of `make dev`)")
    root.add_argument("--region", help="AWS region of the deployed stack")
    root.add_argument("--profile", help="AWS profile for the deployed stack")
    root.add_argument(
        "--local-state",
        type=Path,
        default=Path(".dev"),
        help="the local stack's state directory (default .dev), as fashionos-admin takes it",
    )
    root.add_argument("--secret-id", help="the smoke-test secret (default <stack name>/smoke-test)")
    root.add_argument("--handle", default=SMOKE_HANDLE, help=f"provision: the org's handle ({SMOKE_HANDLE})")
    root.add_argument(
        "--refresh-handshake",
        action="store_true",
        help="provision: only put the stack's current handshake token in the existing secret",
    )
    root.add_argument("--attempts", type=int, default=4, help="tries per request (retrying 429, 5xx)")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        stack = (
            deployed_stack(args.stack, args.region, args.profile)
            if args.stack
            else local_stack(args.local_state / "stack.json")
        )
        secret_id = args.secret_id or default_secret_id(stack.name)
        if args.command == "provision":
            done = (
                refresh_handshake(stack, secret_id)
                if args.refresh_handshake
                else provision(stack, secret_id, args.handle)
            )
            print(json.dumps(done, indent=2))
            return 0
        return 0 if run_smoke(stack, secret_id, Http(attempts=max(1, args.attempts))) else 1
    except (SmokeFailed, StackNotFound, DomainError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as error:
        print(f"error: AWS call failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
