from typing import Any

import pytest
from pydantic import ValidationError

from fashionos.jsonbody import describe_validation_error
from fashionos.usage.models import ApiKeyUsageIncrease, ProductNumberSet, TryOnUsageIncrease


def message(model: type[Any], body: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return describe_validation_error(caught.value)


def test_a_valid_tryon_increase() -> None:
    request = TryOnUsageIncrease.model_validate(
        {"handshake": "h", "type": "AI", "count": 3, "user_id": "usr_abc123"}
    )
    assert (request.type, request.count, request.user_id, request.api_key) == ("AI", 3, "usr_abc123", None)


def test_an_integral_number_is_an_integer_as_json_schema_says() -> None:
    body = {"handshake": "h", "api_key": "k", "count": 2.0}
    assert ApiKeyUsageIncrease.model_validate(body).count == 2


@pytest.mark.parametrize("count", [True, False, 1.5, 2.000001, "5", 0, -3, 0.0, 1_000_001])
def test_count_is_strictly_an_integer_in_range(count: object) -> None:
    assert message(ApiKeyUsageIncrease, {"handshake": "h", "api_key": "k", "count": count}).startswith(
        "Invalid field 'count'"
    )


def test_messages_name_the_field() -> None:
    assert message(ProductNumberSet, {"handshake": "h", "value": 1}) == "Missing required field: user_id"
    assert (
        message(ProductNumberSet, {"handshake": "h", "user_id": "u", "value": 1, "x": 2})
        == "Unknown field: x"
    )
    assert message(TryOnUsageIncrease, {"handshake": "h", "type": "AR", "count": 1}) == (
        "at least one of user_id or api_key is required"
    )


def test_unknown_fields_are_reported_before_other_problems() -> None:
    assert message(TryOnUsageIncrease, {"handshake": "h", "extra": 1}) == "Unknown field: extra"


def test_explicit_null_user_id_with_an_api_key_is_fine() -> None:
    request = TryOnUsageIncrease.model_validate(
        {"handshake": "h", "type": "AR", "count": 1, "user_id": None, "api_key": "footwear_x"}
    )
    assert request.user_id is None
