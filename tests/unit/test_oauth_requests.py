"""OAuth request parsing: client credentials token requests, introspection/revocation bodies, client auth.

Every refusal is asserted by its RFC 6749 §5.2 code and status, and the client secret is checked to appear
nowhere a log or a caller could see it: reprs, error descriptions, exception chains.
"""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote_plus, urlencode

import pytest

from fashionos.errors import (
    OAuthError,
    OAuthInvalidClient,
    OAuthInvalidRequest,
    OAuthInvalidScope,
    OAuthUnauthorizedClient,
    OAuthUnsupportedGrantType,
)
from fashionos.identity.oauth import (
    ClientCredentials,
    TokenRequest,
    TokenTypeRequest,
    oauth_error_response,
    parse_token_operation_request,
    parse_token_request,
    resolve_scopes,
    token_response,
)

CLIENT_ID = "cli_01HXYZ"
SECRET = "s3cr3t-Vq7pL2x9"
FORM = {"content-type": "application/x-www-form-urlencoded"}
JSON = {"content-type": "application/json"}
CHALLENGE = 'Basic realm="fashionos"'
DESCRIPTION = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]*")  # RFC 6749 §5.2 error_description


def basic(client_id: str = CLIENT_ID, secret: str = SECRET) -> str:
    """The RFC 6749 §2.3.1 header value: form-urlencode each part, then Basic."""
    pair = f"{quote_plus(client_id, safe='')}:{quote_plus(secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def form(**fields: str) -> bytes:
    return urlencode(fields).encode()


def as_json(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def refusal(error: type[OAuthError], headers: dict[str, str], body: bytes) -> OAuthError:
    with pytest.raises(error) as raised:
        parse_token_request(headers, body)
    return raised.value


def assert_safe(error: OAuthError) -> None:
    """Nothing secret in what a caller or a log sees, and a description inside the RFC's character set."""
    _, headers, body = oauth_error_response(error)
    seen = [str(error), repr(error), error.description, json.dumps(body), json.dumps(headers)]
    assert not any(SECRET in text for text in seen)
    assert error.__cause__ is None
    assert error.__suppress_context__ or error.__context__ is None
    assert DESCRIPTION.fullmatch(body["error_description"])


# Both body formats, both client authentication methods


@pytest.mark.parametrize("headers", [FORM, JSON], ids=["form", "json"])
def test_client_secret_post_is_accepted_in_either_body_format(headers: dict[str, str]) -> None:
    # given
    fields = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET}
    body = form(**fields) if headers is FORM else as_json(**fields, scope="products:read storefronts:read")
    # when
    request = parse_token_request(headers, body)
    # then
    assert request.grant_type == "client_credentials"
    assert request.credentials == ClientCredentials(CLIENT_ID, SECRET, "client_secret_post")
    expected = None if headers is FORM else frozenset({"products:read", "storefronts:read"})
    assert request.scope == expected


@pytest.mark.parametrize("headers", [FORM, JSON], ids=["form", "json"])
def test_client_secret_basic_is_accepted_in_either_body_format(headers: dict[str, str]) -> None:
    # given
    body = (
        form(grant_type="client_credentials") if headers is FORM else as_json(grant_type="client_credentials")
    )
    # when
    request = parse_token_request({**headers, "authorization": basic()}, body)
    # then
    assert request.credentials == ClientCredentials(CLIENT_ID, SECRET, "client_secret_basic")
    assert request.scope is None


def test_the_partner_documents_example_parses() -> None:
    body = (
        b'{"grant_type": "client_credentials", "client_id": "your_client_id", "client_secret": "your_secret"}'
    )
    request = parse_token_request(JSON, body)
    assert request.credentials.client_id == "your_client_id"
    assert request.credentials.method == "client_secret_post"


def test_content_type_ignores_case_and_parameters() -> None:
    headers = {"content-type": "Application/JSON; charset=utf-8"}
    request = parse_token_request(
        headers, as_json(grant_type="client_credentials", client_id="a", client_secret="b")
    )
    assert request.credentials.client_id == "a"


def test_basic_credentials_are_form_urldecoded() -> None:
    # given: an id and a secret with the characters that form-urlencoding must carry (RFC 6749 §2.3.1)
    client_id, secret = "cli:01 é", "p:a%s+s w/rd=&"
    header = basic(client_id, secret)
    assert "%25" in base64.b64decode(header.split()[1]).decode()  # really percent-encoded on the wire
    # when
    request = parse_token_request({**FORM, "authorization": header}, form(grant_type="client_credentials"))
    # then
    assert request.credentials == ClientCredentials(client_id, secret, "client_secret_basic")


def test_basic_follows_form_rules_so_a_raw_plus_is_a_space() -> None:
    raw = base64.b64encode(b"cli:a+b").decode()
    request = parse_token_request(
        {**FORM, "authorization": f"basic  {raw}"}, form(grant_type="client_credentials")
    )
    assert request.credentials.client_secret == "a b"


def test_basic_with_a_matching_client_id_in_the_body_is_one_method() -> None:
    headers = {**FORM, "authorization": basic()}
    request = parse_token_request(headers, form(grant_type="client_credentials", client_id=CLIENT_ID))
    assert request.credentials.method == "client_secret_basic"


# Client authentication refused


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic not*base64!",
        "Basic " + base64.b64encode(b"no-colon-here").decode(),
        "Basic " + base64.b64encode(b":" + SECRET.encode()).decode(),  # no client id
        "Basic " + base64.b64encode(CLIENT_ID.encode() + b":").decode(),  # no secret
        "Basic " + base64.b64encode(b"cli:\xff" + SECRET.encode()).decode(),  # not UTF-8
        "Basic " + base64.b64encode(f"cli:%ff{SECRET}".encode()).decode(),  # percent-encoded non-UTF-8
        "Basic",
        "Bearer " + base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode(),
        "Digest username=" + CLIENT_ID,
    ],
    ids=[
        "not-base64",
        "no-colon",
        "no-id",
        "no-secret",
        "not-utf8",
        "bad-percent",
        "empty",
        "bearer",
        "digest",
    ],
)
def test_malformed_or_foreign_authorization_is_invalid_client_with_a_challenge(authorization: str) -> None:
    error = refusal(
        OAuthInvalidClient, {**FORM, "authorization": authorization}, form(grant_type="client_credentials")
    )
    status, headers, body = oauth_error_response(error)
    assert status == 401
    assert headers["WWW-Authenticate"] == CHALLENGE
    assert body["error"] == "invalid_client"
    assert_safe(error)


@pytest.mark.parametrize("headers", [FORM, JSON], ids=["form", "json"])
def test_no_client_authentication_is_invalid_client_with_a_challenge(headers: dict[str, str]) -> None:
    body = (
        form(grant_type="client_credentials") if headers is FORM else as_json(grant_type="client_credentials")
    )
    status, response_headers, _ = oauth_error_response(refusal(OAuthInvalidClient, headers, body))
    assert status == 401
    assert response_headers["WWW-Authenticate"] == CHALLENGE


@pytest.mark.parametrize(
    "fields",
    [{"client_id": CLIENT_ID}, {"client_secret": SECRET}, {"client_id": CLIENT_ID, "client_secret": ""}],
    ids=["id-only", "secret-only", "empty-secret"],
)
def test_half_of_client_secret_post_is_invalid_client(fields: dict[str, str]) -> None:
    assert_safe(refusal(OAuthInvalidClient, FORM, form(grant_type="client_credentials", **fields)))


def test_basic_and_body_secret_together_are_invalid_request() -> None:
    # given: RFC 6749 §2.3: a client MUST NOT use more than one authentication method in a request
    headers = {**FORM, "authorization": basic()}
    body = form(grant_type="client_credentials", client_id=CLIENT_ID, client_secret=SECRET)
    # when
    error = refusal(OAuthInvalidRequest, headers, body)
    # then
    assert oauth_error_response(error)[0] == 400
    assert_safe(error)


def test_basic_with_a_different_client_id_in_the_body_is_invalid_request() -> None:
    headers = {**JSON, "authorization": basic()}
    assert_safe(
        refusal(OAuthInvalidRequest, headers, as_json(grant_type="client_credentials", client_id="other"))
    )


# Grant type


@pytest.mark.parametrize("grant", [None, ""], ids=["absent", "empty"])
def test_missing_grant_type_is_invalid_request(grant: str | None) -> None:
    fields = {"client_id": CLIENT_ID, "client_secret": SECRET} | (
        {} if grant is None else {"grant_type": grant}
    )
    error = refusal(OAuthInvalidRequest, FORM, form(**fields))
    assert "grant_type" in error.description


@pytest.mark.parametrize("grant", ["password", "authorization_code", "Client_Credentials", 'x"\\\n'])
def test_other_grant_types_are_unsupported(grant: str) -> None:
    body = as_json(grant_type=grant, client_id=CLIENT_ID, client_secret=SECRET)
    error = refusal(OAuthUnsupportedGrantType, JSON, body)
    status, _, response = oauth_error_response(error)
    assert (status, response["error"]) == (400, "unsupported_grant_type")
    assert_safe(error)


def test_unauthorized_client_is_a_400_for_the_caller_to_raise() -> None:
    status, headers, body = oauth_error_response(
        OAuthUnauthorizedClient("This client may not use this grant")
    )
    assert (status, body["error"]) == (400, "unauthorized_client")
    assert "WWW-Authenticate" not in headers


# Malformed bodies


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        (FORM, b"grant_type=client_credentials&client_id=a&client_secret=b&client_id=a"),
        (FORM, b"grant_type=&grant_type=client_credentials&client_id=a&client_secret=b"),
        (FORM, b"grant_type=client_credentials&client_id=a&client_secret=b&scope=x&scope=y"),
        (JSON, b'{"grant_type":"client_credentials","client_id":"a","client_secret":"b","client_id":"c"}'),
    ],
    ids=["form", "form-blank-first", "form-scope", "json"],
)
def test_a_repeated_parameter_is_invalid_request(headers: dict[str, str], body: bytes) -> None:
    error = refusal(OAuthInvalidRequest, headers, body)
    assert "repeated" in error.description


def test_unrecognised_parameters_are_ignored_even_repeated() -> None:
    # RFC 6749 §3.2 ignores unknown parameters; RFC 8707's `resource` may legitimately appear more than once.
    body = b"grant_type=client_credentials&client_id=a&client_secret=b&resource=x&resource=y&&"
    assert parse_token_request(FORM, body).credentials.client_id == "a"
    body = as_json(grant_type="client_credentials", client_id="a", client_secret="b", extra={"n": [1, True]})
    assert parse_token_request(JSON, body).credentials.client_id == "a"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        (JSON, b'["grant_type", "client_credentials"]'),
        (JSON, b'"client_credentials"'),
        (JSON, b'{"grant_type": "client_credentials",'),
        (JSON, b""),
        (JSON, b'{"grant_type": NaN}'),
        (JSON, b"[" * 100_000 + b"]" * 100_000),
        (JSON, b'{"grant_type": "client_credentials", "client_id": "\xff"}'),
        (JSON, as_json(grant_type="client_credentials", client_id=123, client_secret=SECRET)),
        (JSON, as_json(grant_type=["client_credentials"], client_id=CLIENT_ID, client_secret=SECRET)),
        (JSON, as_json(grant_type="client_credentials", client_id=CLIENT_ID, client_secret=True)),
        (FORM, b"grant_type=client_credentials&client_id=%FF&client_secret=b"),
        (FORM, b"&".join([b"x=1"] * 200)),
        ({"content-type": "text/plain"}, form(grant_type="client_credentials")),
        ({"content-type": "application/jsonx"}, as_json(grant_type="client_credentials")),
        ({}, form(grant_type="client_credentials")),
        (FORM, form(grant_type="client_credentials", client_id="a", client_secret="b", pad="x" * 16_384)),
    ],
    ids=[
        "json-array",
        "json-string",
        "json-truncated",
        "json-empty",
        "json-nan",
        "json-deep",
        "json-not-utf8",
        "json-number",
        "json-list",
        "json-bool-secret",
        "form-bad-percent",
        "form-too-many-fields",
        "text-plain",
        "jsonx",
        "no-content-type",
        "oversized",
    ],
)
def test_a_malformed_body_is_invalid_request(headers: dict[str, str], body: bytes) -> None:
    error = refusal(OAuthInvalidRequest, headers, body)
    assert oauth_error_response(error)[0] == 400
    assert_safe(error)


def test_json_null_and_empty_strings_count_as_absent() -> None:
    body = as_json(grant_type="client_credentials", client_id=CLIENT_ID, client_secret=SECRET, scope=None)
    assert parse_token_request(JSON, body).scope is None
    body = form(grant_type="client_credentials", client_id=CLIENT_ID, client_secret=SECRET, scope="")
    assert parse_token_request(FORM, body).scope is None


def test_a_body_of_exactly_16_kb_is_read() -> None:
    head = form(grant_type="client_credentials", client_id="a", client_secret="b") + b"&pad="
    body = head + b"x" * (16 * 1024 - len(head))
    assert parse_token_request(FORM, body).credentials.client_id == "a"


# Scope


def test_scope_is_parsed_into_a_set() -> None:
    body = form(grant_type="client_credentials", client_id="a", client_secret="b", scope="b a b")
    assert parse_token_request(FORM, body).scope == frozenset({"a", "b"})


@pytest.mark.parametrize("scope", ["a  b", " a", "a ", 'a "b"', "a\\b", "a\tb", "caf\u00e9"])
def test_a_malformed_scope_is_invalid_scope(scope: str) -> None:
    # RFC 6749 §5.2 names "malformed" among invalid_scope's causes, so syntax errors get it too.
    body = as_json(grant_type="client_credentials", client_id="a", client_secret="b", scope=scope)
    error = refusal(OAuthInvalidScope, JSON, body)
    assert oauth_error_response(error)[:1] == (400,)
    assert_safe(error)


GRANTED = frozenset({"products:read", "storefronts:read", "webhooks:write"})


def test_no_requested_scope_means_every_granted_scope() -> None:
    assert resolve_scopes(None, GRANTED) == GRANTED


def test_a_subset_of_the_granted_scopes_is_what_the_token_gets() -> None:
    assert resolve_scopes(frozenset({"products:read"}), GRANTED) == frozenset({"products:read"})


def test_a_scope_not_granted_is_invalid_scope_and_named() -> None:
    with pytest.raises(OAuthInvalidScope) as raised:
        resolve_scopes(frozenset({"products:read", "admin"}), GRANTED)
    assert "admin" in raised.value.description
    assert "products:read" not in raised.value.description


def test_a_client_with_no_scope_gets_invalid_scope_rather_than_a_useless_token() -> None:
    with pytest.raises(OAuthInvalidScope):
        resolve_scopes(None, frozenset())


# Introspection (RFC 7662) and revocation (RFC 7009)


@pytest.mark.parametrize("headers", [FORM, JSON], ids=["form", "json"])
def test_token_operation_requests_parse_with_either_auth_method(headers: dict[str, str]) -> None:
    encode = form if headers is FORM else as_json
    # client_secret_basic
    request = parse_token_operation_request(
        {**headers, "authorization": basic()}, encode(token="tok.en.value", token_type_hint="access_token")
    )
    assert request == TokenTypeRequest(
        "tok.en.value", "access_token", ClientCredentials(CLIENT_ID, SECRET, "client_secret_basic")
    )
    # client_secret_post, no hint
    request = parse_token_operation_request(
        headers, encode(token="t", client_id=CLIENT_ID, client_secret=SECRET)
    )
    assert request.token_type_hint is None
    assert request.credentials.method == "client_secret_post"


def test_token_operation_requests_refuse_what_the_token_endpoint_refuses() -> None:
    with pytest.raises(OAuthInvalidRequest):  # no token
        parse_token_operation_request(
            {**FORM, "authorization": basic()}, form(token_type_hint="access_token")
        )
    with pytest.raises(OAuthInvalidRequest):  # repeated token
        parse_token_operation_request({**FORM, "authorization": basic()}, b"token=a&token=b")
    with pytest.raises(OAuthInvalidRequest):  # two authentication methods
        parse_token_operation_request(
            {**FORM, "authorization": basic()}, form(token="a", client_secret=SECRET)
        )
    with pytest.raises(OAuthInvalidClient):  # no authentication
        parse_token_operation_request(FORM, form(token="a"))


# Nothing secret leaks; responses are never cached


def test_the_secret_and_the_token_stay_out_of_reprs() -> None:
    credentials = ClientCredentials(CLIENT_ID, SECRET, "client_secret_basic")
    token_request = TokenRequest("client_credentials", credentials, None)
    operation = TokenTypeRequest("eyJ.secret-token.sig", None, credentials)
    for value in (credentials, token_request, operation):
        assert SECRET not in repr(value)
        assert SECRET not in str(value)
        assert CLIENT_ID in repr(value)
    assert "secret-token" not in repr(operation)


def test_oauth_error_response_has_the_rfc_shape_and_no_store() -> None:
    status, headers, body = oauth_error_response(
        OAuthInvalidRequest("Missing required parameter: grant_type")
    )
    assert status == 400
    assert body == {"error": "invalid_request", "error_description": "Missing required parameter: grant_type"}
    assert headers["Cache-Control"] == "no-store"
    assert headers["Pragma"] == "no-cache"
    assert headers["Content-Type"] == "application/json"
    assert "WWW-Authenticate" not in headers


def test_oauth_error_response_keeps_descriptions_in_the_rfc_character_set() -> None:
    _, _, body = oauth_error_response(OAuthInvalidRequest('bad "value" \\ caf\u00e9\n'))
    assert DESCRIPTION.fullmatch(body["error_description"])


def test_token_response_is_bearer_with_scope_and_no_store() -> None:
    status, headers, body = token_response("eyJ.a.b", 3600, {"storefronts:read", "products:read"})
    assert status == 200
    assert body == {
        "access_token": "eyJ.a.b",
        "token_type": "Bearer",
        "expires_in": 3600,
        "scope": "products:read storefronts:read",
    }
    assert headers["Cache-Control"] == "no-store"
    assert headers["Pragma"] == "no-cache"
