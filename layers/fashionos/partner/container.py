"""What a Partner API container creates once, lazily: the partner service, the signing keys, the rate
limiter.

The JWT code (PyJWT, cryptography: ~0.1 s of imports) is imported by the first call that needs it, so the
/v1 route handlers, which never touch a token, do not pay for it at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fashionos import aws
from fashionos.errors import SigningKeysUnavailable
from fashionos.identity import partners
from fashionos.identity.partner_models import DEFAULT_RATE_TIER, RATE_TIERS
from fashionos.identity.partners import PartnerService
from fashionos.percontainer import per_container
from fashionos.ratelimit import RateLimiter
from fashionos.settings import partner_settings, token_settings

if TYPE_CHECKING:
    from fashionos.identity.signing_keys import SigningKeys
    from fashionos.identity.tokens import TokenIssuer, TokenVerifier


def partner_service() -> PartnerService:
    return partners.partner_service(partner_settings().partner_table_name)


@per_container
def signing_keys() -> SigningKeys:
    """The keys, fetched and parsed once (then refreshed by ``SigningKeys`` itself). Not cached on failure,
    so a request after the secret got its key finds it."""
    from fashionos.identity.signing_keys import SigningKeys

    config = token_settings()
    keys = SigningKeys(ttl_seconds=config.secret_cache_seconds)
    try:
        keys.load(aws.secretsmanager(), config.signing_key_secret_id)
    except (KeyError, TypeError, ValueError) as error:  # {"current": null}: never rotated, or malformed
        raise SigningKeysUnavailable(
            "The signing-key secret holds no key (the stack's SigningKeys resource makes the first)"
        ) from error
    return keys


def token_issuer(issuer: str) -> TokenIssuer:
    from fashionos.identity.tokens import TokenIssuer

    return TokenIssuer(issuer, signing_keys())


def token_verifier(issuer: str) -> TokenVerifier:
    from fashionos.identity.tokens import TokenVerifier

    return TokenVerifier(issuer, token_settings().token_audience, signing_keys())


@per_container
def rate_limiter() -> RateLimiter:
    """Requests per minute per principal, counted in the partner table (each call passes its tier's limit)."""
    return RateLimiter(
        aws.dynamodb(), partner_settings().partner_table_name, limit=RATE_TIERS[DEFAULT_RATE_TIER]
    )
