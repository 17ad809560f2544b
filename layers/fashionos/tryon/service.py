"""Try-on sessions: the rules of starting, launching, ending and revoking one.

A session counts one AR or AI try-on on the org's Dashboard counters (``UsageService.meter``: the plan and
soft limits of ``increase-tryon-usage-count``), and the session, the count and ``tryon.session.created``
commit in one transaction (with the request's idempotency claim): a retry with the same key creates
nothing and counts nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, get_args

from fashionos import retry
from fashionos.commerce.errors import ProductNotActive, ProductNotFound, UnknownSku
from fashionos.commerce.records import Product
from fashionos.commerce.store import CommerceStore
from fashionos.destinations import allowed_url
from fashionos.errors import Contended, InvalidRequest, InvalidToken, UserNotFound
from fashionos.events.models import NewEvent
from fashionos.events.outbox import ChangeRejected, Outbox
from fashionos.events.service import id_window
from fashionos.identity.partners import PartnerService
from fashionos.ids import checked_cursor, id_pattern, ulid
from fashionos.times import rfc3339
from fashionos.tryon.errors import InvalidSessionToken, SessionEnded, SessionNotFound, TryOnNotEnabled
from fashionos.tryon.records import SESSION_SECONDS, Outcome, Session, StoredStatus
from fashionos.tryon.store import TryOnStore
from fashionos.tryon.views import SessionStatus

if TYPE_CHECKING:  # the JWT code (PyJWT, cryptography) is loaded by the routes that sign or verify
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from fashionos.events.models import Event
    from fashionos.idempotency import Claim
    from fashionos.identity.signing_keys import SigningKeys
    from fashionos.tryon.requests import SessionCreate
    from fashionos.tryon.tokens import SessionTokenVerifier
    from fashionos.usage.service import UsageService

SESSION_ID = id_pattern("tos")
SESSION_STATUSES: tuple[str, ...] = get_args(SessionStatus)
# Concurrent sessions of one org near its plan's limit take turns on its counter (a compare-and-set).
MAX_WRITE_ATTEMPTS = 25


@dataclass(frozen=True, slots=True)
class CreatedSession:
    session: Session
    session_token: str
    launch_url: str
    warnings: list[str]


def _claim_of(
    claim: Claim[CreatedSession] | None, created: CreatedSession
) -> Callable[[list[Event]], TransactWriteItemTypeDef] | None:
    if claim is None:
        return None
    item = claim.item(created)
    return lambda _: item


class TryOnService:
    def __init__(
        self,
        store: TryOnStore,
        partners: PartnerService,
        catalogue: CommerceStore,
        usage: Callable[[], UsageService],  # only creating a session meters (and loads pydantic's models)
        outbox: Outbox,
        keys: Callable[[], SigningKeys],
        app_url: str,
    ) -> None:
        self._store = store
        self._partners = partners
        self._catalogue = catalogue
        self._usage = usage
        self._outbox = outbox
        self._keys = keys
        self._app_url = app_url

    def create(
        self,
        org_id: str,
        request: SessionCreate,
        actor: str,
        issuer: str,
        claim: Claim[CreatedSession] | None = None,
    ) -> CreatedSession:
        org = self._partners.get_org(org_id)
        if request.type not in org.tryon_types:
            raise TryOnNotEnabled(
                f"The org is not approved for {request.type} try-on; ask Fashion OS to enable it"
            )
        product = self._active_product(org_id, request.product_id, request.variant_sku)
        return_url = None
        if request.return_url is not None:
            domains = [d.domain for d in self._partners.domains(org_id)]
            return_url = allowed_url(request.return_url, domains, "return_url")
        from fashionos.tryon.tokens import session_token
        from fashionos.usage.models import TRYON_COUNTER

        counter = TRYON_COUNTER[request.type]
        for _ in retry.attempts(MAX_WRITE_ATTEMPTS):
            try:
                metering = self._usage().meter(org.user_id, counter)
            except UserNotFound:
                raise TryOnNotEnabled("The org has no Dashboard account to meter try-ons on") from None
            now = time.time()
            session = Session(
                session_id=f"tos_{ulid(now)}",
                org_id=org_id,
                type=request.type,
                product_id=product.product_id,
                storefront_id=product.storefront_id,
                variant_sku=request.variant_sku,
                status="active",
                return_url=return_url,
                locale=request.locale,
                actor=actor,
                created_at=rfc3339(now),
                expires_at=rfc3339(int(now) + SESSION_SECONDS),
                expires_epoch=int(now) + SESSION_SECONDS,
            )
            token = session_token(self._keys(), issuer, session, int(now))
            launch_url = f"{self._app_url}#session_token={token}"
            created = CreatedSession(session, token, launch_url, metering.warnings)
            try:
                self._outbox.commit(
                    org_id,
                    [NewEvent("tryon.session.created", session.public(), first=True)],
                    [self._store.put_session(session), {"Update": metering.update}],
                    claim=_claim_of(claim, created),
                )
            except ChangeRejected as rejected:
                if rejected.index == 1:
                    continue  # another try-on moved the counter since we read it: read it again
                raise
            return created
        raise Contended("Too many try-on sessions are starting at once; try again")

    def get(self, org_id: str, session_id: str) -> Session:
        session = self._store.session(org_id, session_id) if SESSION_ID.fullmatch(session_id) else None
        if session is None:
            raise SessionNotFound(f"Try-on session {session_id} not found")
        return session

    def page(
        self, org_id: str, filters: dict[str, str], limit: int, cursor: str | None
    ) -> tuple[list[Session], bool]:
        """Newest first; ``product_id``, ``status``, ``since``/``until`` (RFC 3339, inclusive)."""
        status = filters.get("status")
        if status is not None and status not in SESSION_STATUSES:
            raise InvalidRequest(f"status must be one of {', '.join(SESSION_STATUSES)}")
        now = time.time()
        window = id_window("tos", filters.get("since"), filters.get("until"), oldest=0, now=now)
        if window is None:
            return [], False
        after = checked_cursor(SESSION_ID, cursor)
        found = {k: v for k, v in filters.items() if k in ("product_id", "status")}
        return self._store.page(org_id, window, found, limit, after, now)

    def revoke(self, org_id: str, session_id: str) -> Session:
        """Its token stops working at once; only a live session can be revoked (409 otherwise)."""
        return self._end(self.get(org_id, session_id), "revoked", None)

    # --- the try-on front end's side (its session token) -------------------------------------------
    def authenticate(self, verifier: SessionTokenVerifier, token: str) -> Session:
        """The session a session token names, while its token is honoured (not expired, not revoked)."""
        try:
            claims = verifier.verify(token)
        except InvalidToken as error:
            raise InvalidSessionToken(error.message) from None
        session = self._store.session(claims.org_id, claims.session_id)
        if session is None or session.product_id != claims.product_id:
            raise InvalidSessionToken("Unknown session")
        if session.public_status() in ("revoked", "expired"):
            raise InvalidSessionToken(f"Session {session.public_status()}")
        return session

    def product(self, session: Session) -> Product:
        product = self._catalogue.product(session.storefront_id, session.product_id)
        if product is None:  # listings are archived, never deleted: only a broken table gets here
            raise SessionNotFound("The session's product is gone")
        return product

    def complete(self, session: Session, outcome: Outcome, duration_ms: int | None) -> Session:
        """Ends the session once, as the front end reports it (409 the second time)."""
        return self._end(session, outcome, duration_ms)

    def _end(self, session: Session, to: StoredStatus, duration_ms: int | None) -> Session:
        now = time.time()
        if not session.live(now):
            raise SessionEnded(f"Session {session.session_id} is {session.public_status(now)}")
        ended = replace(session, status=to, ended_at=rfc3339(now), duration_ms=duration_ms)
        if not self._store.end(session, to, rfc3339(now), now, duration_ms):
            current = self.get(session.org_id, session.session_id)
            raise SessionEnded(f"Session {session.session_id} is {current.public_status()}")
        return ended

    def _active_product(self, org_id: str, product_id: str, variant_sku: str | None) -> Product:
        product = self._catalogue.org_product(org_id, product_id)
        if product is None:
            raise ProductNotFound(f"Product {product_id} not found")
        if product.status != "active":
            raise ProductNotActive(f"Product {product_id} is {product.status}: only active listings")
        if variant_sku is not None and variant_sku not in {v.sku for v in product.variants}:
            raise UnknownSku(f"variant_sku: {product_id} has no variant {variant_sku}")
        return product
