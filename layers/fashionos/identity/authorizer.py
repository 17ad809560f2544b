"""The Lambda authorizer's decision: who is calling a ``/v1`` route (a ``Principal``), or a refusal
(``InvalidToken``, ``InvalidApiKey``)."""

from __future__ import annotations

import time
from collections.abc import Mapping

from fashionos.errors import ClientNotFound, InvalidToken
from fashionos.identity.partner_models import DEFAULT_RATE_TIER
from fashionos.identity.partners import PartnerService
from fashionos.identity.principal import Principal, sandbox_principal
from fashionos.identity.tokens import TokenVerifier, bearer_token


def authenticate(
    headers: Mapping[str, str],
    service: PartnerService,
    verifier: TokenVerifier,
    *,
    sandbox_keys: bool,
    now: float | None = None,
) -> Principal:
    """The caller of a request (header names lower-cased): a Bearer access token, or, where
    ``sandbox_keys`` is on, a sandbox API key in ``X-Api-Key``. A token's client must still be active and
    the token not revoked."""
    now = time.time() if now is None else now
    if "authorization" in headers:
        return _token_principal(bearer_token(headers["authorization"]), service, verifier, now)
    if "x-api-key" in headers:
        if not sandbox_keys:
            raise InvalidToken("Sandbox API keys are accepted in the sandbox only")
        key = service.authenticate_sandbox_key(headers["x-api-key"])
        return Principal(
            principal_id=sandbox_principal(key.key_id),
            org_id=key.org_id,
            client_id=None,
            scopes=key.scopes,
            rate_tier=DEFAULT_RATE_TIER,
            credential="sandbox_key",
        )
    raise InvalidToken("No credentials")


def _token_principal(
    raw_token: str, service: PartnerService, verifier: TokenVerifier, now: float
) -> Principal:
    token = verifier.verify(raw_token, now)
    if service.is_token_revoked(token.jti, now):
        raise InvalidToken("Token revoked")
    try:
        client = service.get_client(token.client_id)
    except ClientNotFound:
        raise InvalidToken("Client deleted") from None
    if client.status != "active" or client.org_id != token.org_id:
        raise InvalidToken("Client revoked")
    return Principal(
        principal_id=client.client_id,
        org_id=client.org_id,
        client_id=client.client_id,
        scopes=token.scopes & client.scopes,  # a scope taken from the client since is gone at once
        rate_tier=client.rate_tier,
        credential="access_token",
    )
