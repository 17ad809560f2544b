"""API keys: shown once, stored as a hash, compared in constant time, checked for owner and state."""

from dataclasses import replace
from typing import Any

import pytest

from fashionos.errors import ApiKeyInactive, ApiKeyNotFound
from fashionos.ids import sha256_hex
from fashionos.usage.models import ApiKey, Plan, PlanLimits, User
from fashionos.usage.service import UsageService


class FakeStore:
    """Just enough of UsageStore for key handling."""

    def __init__(self) -> None:
        self.keys: dict[str, ApiKey] = {}

    def get_plan(self, name: str) -> Plan | None:
        return Plan(name, PlanLimits())

    def get_user(self, user_id: str) -> User | None:
        return User(user_id, "starter", "2026-01-01T00:00:00Z")

    def create_api_key(self, key: ApiKey) -> None:
        self.keys[key.key_id] = key

    def get_api_key(self, key_id: str) -> ApiKey | None:
        return self.keys.get(key_id)


@pytest.fixture
def service() -> tuple[UsageService, FakeStore]:
    store = FakeStore()
    return UsageService(store), store  # type: ignore[arg-type]


def test_a_new_key_is_returned_once_and_only_its_hash_is_stored(service: Any) -> None:
    usage, store = service
    record, api_key = usage.create_api_key("usr_1")
    assert api_key.startswith("footwear_")
    assert len(api_key) == len("footwear_") + 44
    assert store.keys[record.key_id].key_hash == sha256_hex(api_key)
    assert api_key not in repr(store.keys)
    assert usage.authenticate_key(api_key).user_id == "usr_1"


def test_a_wrong_secret_for_a_real_key_id_is_not_found(service: Any) -> None:
    usage, _ = service
    _, api_key = usage.create_api_key("usr_1")
    with pytest.raises(ApiKeyNotFound):
        usage.authenticate_key(api_key[:-1] + ("A" if api_key[-1] != "A" else "B"))


@pytest.mark.parametrize("api_key", ["", "footwear_", "footwear_short", "x" * 53, "other_" + "a" * 47])
def test_malformed_keys_are_not_found(service: Any, api_key: str) -> None:
    with pytest.raises(ApiKeyNotFound):
        service[0].authenticate_key(api_key)


def test_an_inactive_key_is_refused(service: Any) -> None:
    usage, store = service
    record, api_key = usage.create_api_key("usr_1")
    store.keys[record.key_id] = replace(record, active=False)
    with pytest.raises(ApiKeyInactive):
        usage.authenticate_key(api_key)
