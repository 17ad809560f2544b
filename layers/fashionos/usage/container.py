"""What a usage (Dashboard Integration API) function creates once per container, lazily: its service, on the
table its settings name."""

from __future__ import annotations

from fashionos import aws
from fashionos.percontainer import per_container
from fashionos.settings import settings
from fashionos.usage.service import UsageService
from fashionos.usage.store import UsageStore


@per_container
def usage_service() -> UsageService:
    return UsageService(UsageStore(aws.dynamodb(), settings().table_name))
