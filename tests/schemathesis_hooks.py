"""schemathesis hooks of the fuzzing (``tests/fuzz.py``): real credentials for every operation.

- ``/oauth`` operations: a real client's id and secret (HTTP Basic), unless the generated form carries
  its own;
- ``/v1`` operations: an access token holding exactly the scope the operation requires (a client per
  scope, made by ``tests/fuzz.py``; tokens from the real token endpoint, one per scope, refreshed on 401);
- ``/tryon`` operations (the try-on front end's): a live session's token, from POST /v1/tryon/sessions on a
  listing of an org of its own (``tests/fuzz.py``: the fuzzed clients can neither see nor archive it; a new
  session every 30 seconds: once one is ended, its routes answer 409 as documented);
- Integration API operations: the real handshake in the JSON body, wherever the generated body has a
  string there (a body whose handshake is missing or not a string stays as generated: it must be refused);
- a valid ``Idempotency-Key`` made unique per generated request, as a client makes one per distinct request (a
  key sent with two different bodies is refused with 422 by design, tested in
  tests/integration/test_partner_idempotency.py).

``FOS_FUZZ_CREDENTIALS`` names the JSON file with the base URL, the handshake and the clients by scope.
"""

from __future__ import annotations

import base64
import json
import os
import re
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import requests
import schemathesis

INTEGRATION_PREFIX = "/api/v1/integration/"
PRODUCT = re.compile(r"/v1/storefronts/\{storefront_id\}/products/\{product_id\}")
VALID_KEY = re.compile(r"[\x21-\x7e]{1,222}")  # room for the suffix within the 255 characters allowed


@cache
def credentials() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(Path(os.environ["FOS_FUZZ_CREDENTIALS"]).read_text())
    return loaded


def required_scope(context: schemathesis.AuthContext) -> str | None:
    scope = context.operation.definition.raw.get("x-required-scope")
    return str(scope) if scope else None


@schemathesis.auth(cache_by_key=lambda case, context: required_scope(context) or "").apply_to(
    path_regex="^/v1/"
)
class ScopedAccessToken:
    """An access token with the operation's scope, from POST /oauth/token (client credentials)."""

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str | None:
        scope = required_scope(context)
        if scope is None:
            return None
        client = credentials()["clients"][scope]
        reply = requests.post(
            credentials()["base_url"] + "/oauth/token",
            data={"grant_type": "client_credentials", "scope": scope},
            auth=(client["client_id"], client["client_secret"]),
            timeout=30,
        )
        reply.raise_for_status()
        token: str = reply.json()["access_token"]
        return token

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
        unique_idempotency_key(case.headers)


@schemathesis.auth(refresh_interval=30).apply_to(path_regex="^/tryon/")
class SessionToken:
    """The try-on front end's credential: the session token of a session started on the try-on org's
    listing."""

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        base, tryon = credentials()["base_url"], credentials()["tryon"]
        client = tryon["client"]
        access = requests.post(
            base + "/oauth/token",
            data={"grant_type": "client_credentials", "scope": "tryon:write"},
            auth=(client["client_id"], client["client_secret"]),
            timeout=30,
        )
        access.raise_for_status()
        session = requests.post(
            base + "/v1/tryon/sessions",
            json={"product_id": tryon["product_id"], "type": "AR"},
            headers={"Authorization": f"Bearer {access.json()['access_token']}"},
            timeout=30,
        )
        assert session.status_code == 201, session.text
        token: str = session.json()["session_token"]
        return token

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.auth(refresh_interval=None).apply_to(path_regex="^/oauth/")
class ClientBasic:
    """The /oauth endpoints' client authentication: a real client's id and secret, as HTTP Basic."""

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> tuple[str, str]:
        client = credentials()["clients"]["profile:read"]
        return client["client_id"], client["client_secret"]

    def set(self, case: schemathesis.Case, data: tuple[str, str], context: schemathesis.AuthContext) -> None:
        # A client authenticates one way (RFC 6749 §2.3): a form that carries client_id or client_secret
        # is client_secret_post (generated, so refused with 401), any other gets the real client's Basic.
        if isinstance(case.body, dict) and ({"client_id", "client_secret"} & set(case.body)):
            return
        basic = base64.b64encode(f"{data[0]}:{data[1]}".encode()).decode()
        case.headers = {**(case.headers or {}), "Authorization": f"Basic {basic}"}


@schemathesis.auth(refresh_interval=None).apply_to(path_regex=f"^{INTEGRATION_PREFIX}")
class Handshake:
    """The Integration API's handshake: the shared token, in the JSON body."""

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        handshake: str = credentials()["handshake"]
        return handshake

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        if isinstance(case.body, dict) and isinstance(case.body.get("handshake"), str):
            case.body = {**case.body, "handshake": data}
        if case.headers:
            unique_idempotency_key(case.headers)


def unique_idempotency_key(headers: dict[str, Any]) -> None:
    """A generated Idempotency-Key that is a valid one gets a unique suffix (every phase sets auth, not
    every phase maps headers); an invalid one stays as generated, to be refused."""
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.fullmatch(key):
        headers["Idempotency-Key"] = f"{key}-{uuid.uuid4().hex}"


@schemathesis.hook
def filter_failure(
    context: schemathesis.HookContext, failure: Any, case: schemathesis.Case, response: Any
) -> bool:
    """Every failure fails the run but one that is the contract: DELETE of a product archives it (the
    commerce issue's "DELETE = archive"; Stripe keeps deleted objects readable too), and GET then answers
    200 with ``"status": "archived"`` — schemathesis' use-after-free expects a 404. Only that exact
    answer is dropped (tests/integration/test_commerce_api.py shows it; the run reports it as filtered)."""
    if type(failure).__name__ != "UseAfterFree" or not PRODUCT.fullmatch(case.operation.path):
        return True
    try:
        archived = response.status_code == 200 and response.json().get("status") == "archived"
    except ValueError:
        archived = False
    return not archived
