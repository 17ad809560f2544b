"""What a Partner API container creates once, lazily: the partner service, the signing keys, the rate
limiter."""

from __future__ import annotations

from functools import cache

from fashionos import aws
from fashionos.errors import SigningKeysUnavailable
from fashionos.identity import partners
from fashionos.identity.partner_models import DEFAULT_RATE_TIER, RATE_TIERS
from fashionos.identity.partners import PartnerService
from fashionos.identity.signing_keys import SigningKeys
from fashionos.identity.tokens import TokenIssuer, TokenVerifier
from fashionos.ratelimit import RateLimiter
from fashionos.settings import partner_settings


def partner_service() -> PartnerService:
    return partners.partner_service(partner_settings().partner_table_name)


@cache
def signing_keys() -> SigningKeys:
    """The keys, fetched and parsed once (then refreshed by ``SigningKeys`` itself). Not cached on failure,
    so the first request after ``rotate-signing-key`` on a fresh deploy finds the key."""
    config = partner_settings()
    keys = SigningKeys(ttl_seconds=config.secret_cache_seconds)
    try:
        keys.load(aws.secretsmanager(), config.signing_key_secret_id)
    except (KeyError, TypeError, ValueError) as error:  # {"current": null}: never rotated, or malformed
        raise SigningKeysUnavailable(
            "No signing key yet: run `fashionos-admin rotate-signing-key`"
        ) from error
    return keys


def token_issuer(issuer: str) -> TokenIssuer:
    return TokenIssuer(issuer, signing_keys())


def token_verifier(issuer: str) -> TokenVerifier:
    return TokenVerifier(issuer, partner_settings().token_audience, signing_keys())


@cache
def rate_limiter() -> RateLimiter:
    """Requests per minute per principal, counted in the partner table (each call passes its tier's limit)."""
    return RateLimiter(
        aws.dynamodb(), partner_settings().partner_table_name, limit=RATE_TIERS[DEFAULT_RATE_TIER]
    )
