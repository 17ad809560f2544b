"""The body of ``POST /v1/customers/erase`` (exports take none)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from fashionos.commerce.requests import EMAIL_PATTERN


class CustomerErase(BaseModel):
    """The shopper whose personal data goes: every order of the org whose customer has this email (compared
    without regard to case) loses its customer."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    email: Annotated[str, StringConstraints(pattern=EMAIL_PATTERN, max_length=320)]
