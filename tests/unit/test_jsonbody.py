"""The one strict JSON parser both APIs read bodies with."""

from typing import Annotated

import pytest
from pydantic import BaseModel, StringConstraints, ValidationError

from fashionos.commerce.requests import EMAIL_PATTERN
from fashionos.errors import InvalidRequest
from fashionos.jsonbody import describe_validation_error, parse_json


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b'{"emoji": "\\ud83d\\ude00"}', {"emoji": "\U0001f600"}),  # a surrogate pair is one character
        (b'{"path": "\\\\ud800"}', {"path": "\\ud800"}),  # an escaped backslash, then text: no surrogate
        (b'{"a": {"b": 1}, "c": {"b": 2}}', {"a": {"b": 1}, "c": {"b": 2}}),  # one key per object
        ('{"name": "Zoë"}'.encode(), {"name": "Zoë"}),
        (b'{"n": 1.5e3}', {"n": 1500.0}),
    ],
)
def test_strict_json_is_read(raw: bytes, value: object) -> None:
    assert parse_json(raw) == value


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (
            b'{"n": 1e400}',
            "not valid JSON",
        ),  # a double it cannot hold: infinity, which JSON cannot write back
        (b'{"n": -1e400}', "not valid JSON"),
        (b'{"n": NaN}', "not valid JSON"),
        (b'[{"a": 1, "a": 1}]', "repeated key in one object: a"),
        (b'{"\\ud800": 1}', "lone surrogate"),
        (b'[[["\\udfff"]]]', "lone surrogate"),
        (b"\xef\xbb\xbf{}", "byte order mark"),
        ("{}".encode("utf-16-le"), "UTF-8"),
        (b'{"a": "\xed\xa0\x80"}', "UTF-8"),  # a surrogate encoded as bytes is not UTF-8 either
    ],
)
def test_anything_else_is_refused_saying_why(raw: bytes, says: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        parse_json(raw)
    assert says in refused.value.message


class _Patterned(BaseModel):
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "DE"
    email: Annotated[str, StringConstraints(pattern=EMAIL_PATTERN)] = "a@b"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"country": "de"}, "Invalid field 'country': String should match pattern '^[A-Z]{2}$'"),
        # a long pattern is no help to a reader: not shown
        ({"email": "not-an-email"}, "Invalid field 'email': not of the form the API reference gives for it"),
    ],
)
def test_a_pattern_is_shown_when_it_is_short_enough_to_read(body: dict[str, str], says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _Patterned(**body)
    assert describe_validation_error(refused.value) == says
