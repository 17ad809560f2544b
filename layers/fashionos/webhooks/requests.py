"""What a partner may send to the webhook routes (pydantic, strict); imported by routes that parse a body.

Every rule a model enforces is in its JSON schema (the OpenAPI documents', which the fuzzer generates
requests from). What no schema can hold, the services check: a URL's host must resolve to public addresses
only (``fashionos.webhooks.urls``, at registration and before every delivery: 422 when it does not).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from fashionos.events.models import EVENT_TYPES, EventType
from fashionos.requestfields import DateTime
from fashionos.webhooks.urls import MAX_URL_LENGTH

MAX_DESCRIPTION_LENGTH = 500
Description = Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION_LENGTH)]
Events = Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES))]

# The URLs ``urls.parse_endpoint_url`` takes, https:// only (plain http:// is for loopback on a local stack):
# no user info, no fragment (a bare ``#`` is none), ASCII without spaces; the host a DNS name whose last label
# is not a number (253 characters at most), a dotted-quad IPv4 address or a bracketed IPv6 address (no
# zone); a port of 0-65535.
# Not here: whether what a host names is public (it is resolved at each use).
_DEC_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = f"{_DEC_OCTET}(\\.{_DEC_OCTET}){{3}}"
_H16 = "[0-9A-Fa-f]{1,4}"
_LS32 = f"({_H16}:{_H16}|{_IPV4})"
_IPV6 = "|".join(  # RFC 3986's IPv6address
    [
        f"({_H16}:){{6}}{_LS32}",
        f"::({_H16}:){{5}}{_LS32}",
        f"({_H16})?::({_H16}:){{4}}{_LS32}",
        f"(({_H16}:){{0,1}}{_H16})?::({_H16}:){{3}}{_LS32}",
        f"(({_H16}:){{0,2}}{_H16})?::({_H16}:){{2}}{_LS32}",
        f"(({_H16}:){{0,3}}{_H16})?::{_H16}:{_LS32}",
        f"(({_H16}:){{0,4}}{_H16})?::{_LS32}",
        f"(({_H16}:){{0,5}}{_H16})?::{_H16}",
        f"(({_H16}:){{0,6}}{_H16})?::",
    ]
)
_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_NUMBER = "([0-9]+|0[xX][0-9A-Fa-f]*)"  # a last label like this makes the host an IPv4 address
_DNS_NAME = f"(?![A-Za-z0-9.-]{{254}})({_LABEL}\\.)*(?!{_NUMBER}\\.*([:/?#]|$)){_LABEL}\\.*"  # 253 at most
_PORT = "0*(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
_PATH_AND_QUERY = "[/?][\\x21\\x22\\x24-\\x7f]*"
HTTPS_URL = (
    f"^[Hh][Tt][Tt][Pp][Ss]://({_IPV4}|{_DNS_NAME}|\\[({_IPV6})\\])(:({_PORT})?)?({_PATH_AND_QUERY})?#?$"
)
Url = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": MAX_URL_LENGTH,
            "pattern": HTTPS_URL,
            "description": "The endpoint: an https:// URL whose host resolves to public addresses only "
            "(checked when it is set and before every delivery)",
        }
    ),
]


class _WebhookRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class WebhookCreate(_WebhookRequest):
    """A new subscription: the endpoint, and the event types it receives."""

    url: Url
    events: Events
    description: Description | None = None


class WebhookUpdate(_WebhookRequest):
    """PATCH: only the fields given change (null: unchanged)."""

    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    enabled: bool | None = None


class ReplayRequest(_WebhookRequest):
    """POST /v1/events/{id}/replay: to one endpoint, or (none given) to every endpoint subscribed."""

    webhook_id: str | None = None


class RecoverRequest(_WebhookRequest):
    """POST /v1/webhooks/{id}/recover: re-send the failed deliveries of events created in [since, until]
    (``until`` is now if absent; a window ending before it starts recovers nothing)."""

    since: DateTime
    until: DateTime | None = None
