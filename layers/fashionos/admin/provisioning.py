"""Provisioning that spans areas: a partner org is one account with its Dashboard user (the ``usr_`` that
``/v1/me`` shows as ``id``, whose usage counters the Integration API and try-on sessions move)."""

from __future__ import annotations

from fashionos.identity.partner_models import Org
from fashionos.identity.partners import PartnerService
from fashionos.usage.service import UsageService

DEFAULT_PLAN = "starter"


def provision_org(
    partners: PartnerService,
    usage: UsageService,
    handle: str,
    *,
    display_name: str | None = None,
    twin_active: bool = False,
    plan: str | None = None,
    user_id: str | None = None,
) -> Org:
    """A new org with its Dashboard user: ``user_id`` links an existing user (``UserNotFound`` otherwise),
    else a new user is created on ``plan`` (default ``starter``; ``PlanNotFound`` if it does not exist).
    Everything is checked before anything is written."""
    if user_id is not None:
        usage.require_user(user_id)
        return partners.create_org(handle, display_name, twin_active, user_id=user_id)
    plan = plan or DEFAULT_PLAN
    usage.require_plan(plan)
    org = partners.create_org(handle, display_name, twin_active)
    usage.create_user(plan, org.user_id)
    return org
