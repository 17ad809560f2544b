"""Affiliate errors, by kind (each API maps kinds, never these classes). A destination off the org's
domains is ``fashionos.destinations.DestinationNotAllowed``."""

from __future__ import annotations

from fashionos.errors import NotFound, PreconditionFailed, Unprocessable


class LinkNotFound(NotFound):
    """No such link in the caller's org (another org's id included)."""


class ClickNotFound(NotFound):
    """No such click on the caller's links (another org's click included)."""


class LinkVersionMismatch(PreconditionFailed):
    """``If-Match`` names a version the link no longer has."""

    code = "version_mismatch"


class ReservedQueryParameter(Unprocessable):
    """The destination's query already has ``fos_click``, which the redirect adds itself."""

    code = "reserved_query_parameter"


class ExpiryInPast(Unprocessable):
    """``expires_at`` is not in the future (to stop a link now, disable it)."""

    code = "expiry_in_past"


class ConversionTimeInvalid(Unprocessable):
    """``occurred_at`` is in the future, or before the click."""

    code = "conversion_time_invalid"


class AttributionWindowExpired(Unprocessable):
    """The conversion is later than its click's attribution window (the link's
    ``attribution_window_days``) allows."""

    code = "attribution_window_expired"
