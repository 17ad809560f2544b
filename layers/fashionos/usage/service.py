"""Usage metering rules: who a request counts for, what it counts, and which soft limits it passes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import MetricUnit

from fashionos.errors import (
    ApiKeyInactive,
    ApiKeyNotFound,
    InvalidRequest,
    OwnershipMismatch,
    PlanNotFound,
    UserNotFound,
)
from fashionos.idempotency import IdempotencyClaim
from fashionos.ids import hash_matches, new_prefixed_key, prefixed_id, prefixed_key_id, sha256_hex
from fashionos.observability import logger, metrics
from fashionos.times import rfc3339_now
from fashionos.usage.models import (
    COUNTERS,
    MAX_USER_ID_LENGTH,
    TRYON_COUNTER,
    USER_ID_PATTERN,
    ApiKey,
    ApiKeyUsageIncrease,
    Counter,
    KeyUsage,
    Plan,
    PlanLimits,
    ProductNumberSet,
    TryOnUsageIncrease,
    UsageReport,
    UsageResult,
    User,
    key_counter,
)
from fashionos.usage.store import UsageStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import UpdateTypeDef

USAGE_LIMIT_EXCEEDED = "Usage limit exceeded for this period"
PRODUCT_LIMIT_EXCEEDED = "Product limit exceeded for current plan"

# API keys look like the documentation's "footwear_xxxxxxxxxxxx": a public key id, then the secret part.
API_KEY_PREFIX = "footwear_"
KEY_ID_LENGTH = 12
KEY_SECRET_LENGTH = 32
_METRIC_NAMES: dict[Counter, str] = {
    "ar_tryons": "ArTryons",
    "ai_tryons": "AiTryons",
    "api_calls": "ApiKeyCalls",
}


@dataclass(frozen=True, slots=True)
class Metering:
    update: UpdateTypeDef
    warnings: list[str]


def current_period(now: datetime | None = None) -> str:
    """Usage periods are calendar months in UTC: ``2026-11``."""
    return (now or datetime.now(UTC)).strftime("%Y-%m")


class UsageService:
    def __init__(self, store: UsageStore) -> None:
        self._store = store

    # --- the Integration API ----------------------------------------------------------------------
    def increase_tryon(self, request: TryOnUsageIncrease, claim: IdempotencyClaim | None) -> UsageResult:
        user, key = self._caller(request.user_id, request.api_key)
        return self._count(user, key, TRYON_COUNTER[request.type], request.count, claim)

    def increase_api_key_usage(
        self, request: ApiKeyUsageIncrease, claim: IdempotencyClaim | None
    ) -> UsageResult:
        user, key = self._caller(request.user_id, request.api_key)
        return self._count(user, key, "api_calls", request.count, claim)

    def set_product_count(self, request: ProductNumberSet, claim: IdempotencyClaim | None) -> UsageResult:
        user = self._user(request.user_id)
        self._store.set_product_count(user.user_id, request.value, claim)
        if claim is None or not claim.applied:
            metrics.add_metric(name="ProductCountSets", unit=MetricUnit.Count, value=1)
        limit = self._limits(user).products
        exceeded = limit is not None and request.value > limit
        return UsageResult(warnings=[PRODUCT_LIMIT_EXCEEDED] if exceeded else [])

    def _count(
        self, user: User, key: ApiKey | None, counter: Counter, count: int, claim: IdempotencyClaim | None
    ) -> UsageResult:
        increments: dict[str, int] = {counter: count}
        if key is not None:
            increments[key_counter(key.key_id, counter)] = count
        totals = self._store.add_usage(user.user_id, current_period(), increments, claim)
        if claim is None or not claim.applied:
            metrics.add_metric(name=_METRIC_NAMES[counter], unit=MetricUnit.Count, value=count)
        limit = getattr(self._limits(user), counter)
        exceeded = limit is not None and totals.get(counter, 0) > limit
        logger.info(
            "Usage counted",
            user_id=user.user_id,
            key_id=key.key_id if key else None,
            counter=counter,
            count=count,
            period_total=totals.get(counter, 0),
            limit_exceeded=exceeded,
            replayed=bool(claim and claim.applied),
        )
        return UsageResult(warnings=[USAGE_LIMIT_EXCEEDED] if exceeded else [])

    # --- metering inside another area's transaction (try-on sessions) -----------------------------
    def meter(self, user_id: str, counter: Counter, count: int = 1) -> Metering:
        """What counting ``count`` on the user's ``counter`` writes (in the caller's transaction, with the
        change it meters) and the warnings it earns, exactly as ``increase-tryon-usage-count`` would. Under
        a limit not yet reached, the write is a compare-and-set on the counter as read (the caller retries
        on its condition failing), so the one request that crosses the limit, and each after it, warn."""
        user = self._user(user_id)
        period = current_period()
        limit = getattr(self._limits(user), counter)
        increments: dict[str, int] = {counter: count}
        if limit is None:
            return Metering(self._store.usage_update(user_id, period, increments), [])
        current = self._store.get_period_counters(user_id, period).get(counter, 0)
        if current >= limit:  # counters only grow: this one is over whatever happens meanwhile
            return Metering(self._store.usage_update(user_id, period, increments), [USAGE_LIMIT_EXCEEDED])
        update = self._store.usage_update(user_id, period, increments, expected={str(counter): current})
        return Metering(update, [USAGE_LIMIT_EXCEEDED] if current + count > limit else [])

    def _caller(self, user_id: str | None, api_key: str | None) -> tuple[User, ApiKey | None]:
        """The user a request counts for, and the key it names. A key decides the owner; a user_id given
        with it must be that owner (checked before anything else is looked at)."""
        key = None
        if api_key is not None:
            key = self.authenticate_key(api_key)
            if user_id is not None and user_id != key.user_id:
                raise OwnershipMismatch("API key does not belong to this user")
            user_id = key.user_id
        assert user_id is not None  # the request models require user_id or api_key
        return self._user(user_id), key

    def authenticate_key(self, api_key: str) -> ApiKey:
        key_id = prefixed_key_id(api_key, API_KEY_PREFIX, KEY_ID_LENGTH, KEY_SECRET_LENGTH)
        key = self._store.get_api_key(key_id) if key_id else None
        # Only hashes are stored; compare them in constant time.
        if key is None or not hash_matches(key.key_hash, api_key):
            raise ApiKeyNotFound("API key not found")
        if not key.active:
            raise ApiKeyInactive("API key is inactive")
        return key

    def _user(self, user_id: str) -> User:
        user = self._store.get_user(user_id)
        if user is None:
            raise UserNotFound("User not found")
        return user

    def _limits(self, user: User) -> PlanLimits:
        plan = self._store.get_plan(user.plan)
        if plan is None:
            logger.warning("User's plan does not exist; no limits apply", plan=user.plan)
            return PlanLimits()
        return plan.limits

    # --- provisioning (admin CLI, demo data) ------------------------------------------------------
    def set_plan(self, name: str, limits: PlanLimits) -> Plan:
        plan = Plan(name=name, limits=limits)
        self._store.put_plan(plan)
        return plan

    def create_user(self, plan: str, user_id: str | None = None) -> User:
        if user_id is not None and not re.fullmatch(USER_ID_PATTERN, user_id):
            raise InvalidRequest(f"A user id is 1-{MAX_USER_ID_LENGTH} of A-Z a-z 0-9 _ . : @ -")
        self._require_plan(plan)
        user = User(user_id=user_id or prefixed_id("usr"), plan=plan, created_at=rfc3339_now())
        self._store.create_user(user)
        return user

    def set_user_plan(self, user_id: str, plan: str) -> None:
        self._require_plan(plan)
        self._store.set_user_plan(user_id, plan)

    def require_user(self, user_id: str) -> None:
        self._user(user_id)

    def require_plan(self, plan: str) -> None:
        self._require_plan(plan)

    def _require_plan(self, plan: str) -> None:
        if self._store.get_plan(plan) is None:
            raise PlanNotFound(f"Plan {plan} does not exist; create it with set-plan first")

    def create_api_key(self, user_id: str) -> tuple[ApiKey, str]:
        """A new active key for ``user_id``: returns the record and the key itself (shown once)."""
        self._user(user_id)
        key_id, secret = new_prefixed_key(API_KEY_PREFIX, KEY_ID_LENGTH, KEY_SECRET_LENGTH)
        key = ApiKey(
            key_id=key_id, user_id=user_id, key_hash=sha256_hex(secret), active=True, created_at=rfc3339_now()
        )
        self._store.create_api_key(key)
        return key, secret

    def deactivate_api_key(self, key_id: str) -> None:
        self._store.deactivate_api_key(key_id.removeprefix(API_KEY_PREFIX)[:KEY_ID_LENGTH])

    def usage_report(self, user_id: str, period: str | None = None) -> UsageReport:
        user = self._user(user_id)
        period = period or current_period()
        periods = self._store.list_period_counters(user_id)
        lifetime: dict[str, int] = {}
        for counters in periods.values():
            for name, value in counters.items():
                lifetime[name] = lifetime.get(name, 0) + value
        this_period = periods.get(period, {})
        key_ids = sorted({name.split("_")[1] for name in lifetime if name.startswith("key_")})
        keys = [
            KeyUsage(key_id, *(this_period.get(key_counter(key_id, c), 0) for c in COUNTERS))
            for key_id in key_ids
        ]
        return UsageReport(
            user_id=user_id,
            plan=self._store.get_plan(user.plan),
            period=period,
            period_totals={c: this_period.get(c, 0) for c in COUNTERS},
            lifetime_totals={c: lifetime.get(c, 0) for c in COUNTERS},
            product_count=user.product_count,
            keys=keys,
        )
