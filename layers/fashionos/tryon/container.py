"""What a try-on function creates once per container, lazily: its service (on the try-on table, the
partner table for the org, the commerce table for the catalogue, the usage table for metering, the outbox)
and the session-token verifier of the front end's routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fashionos import aws
from fashionos.commerce.store import CommerceStore
from fashionos.events.outbox import Outbox
from fashionos.events.store import EventStore
from fashionos.partner.container import partner_service, signing_keys
from fashionos.partner.http import PartnerRequest
from fashionos.percontainer import per_container
from fashionos.settings import commerce_settings, tryon_settings
from fashionos.tryon.records import Session
from fashionos.tryon.service import TryOnService
from fashionos.tryon.store import TryOnStore

if TYPE_CHECKING:
    from fashionos.tryon.tokens import SessionTokenVerifier
    from fashionos.usage.service import UsageService


@per_container
def tryon_service() -> TryOnService:
    config = tryon_settings()
    db = aws.dynamodb()
    return TryOnService(
        TryOnStore(db, config.tryon_table_name),
        partner_service(),
        CommerceStore(db, commerce_settings().commerce_table_name),
        _usage_service,
        Outbox(EventStore(db, config.event_table_name)),
        signing_keys,
        config.app_url,
    )


@per_container
def _usage_service() -> UsageService:
    from fashionos.usage.service import UsageService
    from fashionos.usage.store import UsageStore

    return UsageService(UsageStore(aws.dynamodb(), tryon_settings().usage_table_name))


@per_container
def session_verifier(issuer: str) -> SessionTokenVerifier:
    from fashionos.tryon.tokens import SessionTokenVerifier

    return SessionTokenVerifier(issuer, signing_keys())


SESSION_REQUESTS_PER_MINUTE = 120  # per session: a front end loads it and reports its end, a few times


def session_caller(request: PartnerRequest) -> tuple[Session, str]:
    """The try-on routes' caller: the live session its bearer session token names (``bearer_entrypoint``),
    rate-limited per session."""
    from fashionos.identity.tokens import bearer_token

    token = bearer_token(request.headers.get("authorization"))
    session = tryon_service().authenticate(session_verifier(request.base_url), token)
    return session, f"tryon:{session.session_id}"
