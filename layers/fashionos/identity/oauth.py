"""OAuth 2.0 request parsing for ``/oauth/token`` (client credentials) and token introspection/revocation.

Pure logic, no I/O: the handler passes lower-cased header names and the raw body, gets a typed request or an
``OAuthError``, and turns either into a response with the helpers below.

- Bodies: ``application/x-www-form-urlencoded`` (RFC 6749, RFC 7662, RFC 7009) or ``application/json`` (the
  Partner API document's example), at most 16 KB. Unrecognised parameters are ignored (RFC 6749 §3.2);
  a recognised one sent twice is refused (§3.2), and an empty value counts as absent (§3.1).
- Client authentication: ``client_secret_basic`` (RFC 6749 §2.3.1: Basic over form-urlencoded id and secret)
  or ``client_secret_post``, never both (§2.3). Whether the secret is right is the caller's check.
- Secrets and tokens never reach a ``repr``, an error description or an exception chain.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Literal, NotRequired, TypedDict, TypeIs, get_args
from urllib.parse import parse_qsl, unquote_plus

from fashionos.contract import SchemaKeywords
from fashionos.errors import (
    DomainError,
    InvalidRequest,
    OAuthError,
    OAuthInvalidClient,
    OAuthInvalidRequest,
    OAuthInvalidScope,
    OAuthTooManyAttempts,
    OAuthUnsupportedGrantType,
    kind_of,
)
from fashionos.identity.views import AuthMethod, TokenResponse
from fashionos.jsonbody import MAX_BODY_BYTES, parse_json

GRANT_TYPE: Literal["client_credentials"] = "client_credentials"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1

SCOPE_PATTERN = r"[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*"  # RFC 6749 §3.3
_SCOPE = re.compile(SCOPE_PATTERN)
_DESCRIPTION_UNSAFE = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")  # RFC 6749 §5.2 error_description
_MAX_FORM_FIELDS = 100


# The forms, as the OpenAPI documents show them: exactly the parameters ``_parameters`` recognises (any
# other is ignored, so the objects stay open). An empty value counts as omitted (RFC 6749 §3.1).
_CLIENT_ID = SchemaKeywords(
    {
        "description": "The client's id (client_secret_post). With HTTP Basic it may be repeated here, "
        "and must then be the Basic one"
    }
)
_CLIENT_SECRET = SchemaKeywords(
    {"description": "The client's secret (client_secret_post): never together with HTTP Basic"}
)
# At most _MAX_FORM_FIELDS parameters, the unknown ones included.
_FORM_LIMITS = {"json_schema_extra": {"maxProperties": _MAX_FORM_FIELDS}}


class TokenForm(TypedDict):
    """A client credentials token request (RFC 6749 §4.4.2). The client authenticates with HTTP Basic
    (client_secret_basic: ``Authorization: Basic base64(urlencode(id) ":" urlencode(secret))``) or with
    client_id and client_secret in the form (client_secret_post), never both. A parameter sent twice is
    refused; unknown ones are ignored."""

    grant_type: Annotated[Literal["client_credentials"], SchemaKeywords({"description": "The grant type"})]
    scope: NotRequired[
        Annotated[
            str,
            SchemaKeywords(
                {
                    "pattern": f"^(?:{SCOPE_PATTERN})?$",
                    "description": "The space-separated scopes the token is to carry, each granted to the "
                    "client; all the client's scopes when omitted (or empty)",
                }
            ),
        ]
    ]
    client_id: NotRequired[Annotated[str, _CLIENT_ID]]
    client_secret: NotRequired[Annotated[str, _CLIENT_SECRET]]


class TokenOperationForm(TypedDict):
    """A token introspection (RFC 7662 §2.1) or revocation (RFC 7009 §2.1) request; the client
    authenticates as it does for a token (HTTP Basic, or client_id and client_secret in the form, never
    both). A parameter sent twice is refused; unknown ones are ignored."""

    token: Annotated[str, SchemaKeywords({"minLength": 1, "description": "The access token"})]
    token_type_hint: NotRequired[
        Annotated[
            str,
            SchemaKeywords(
                {"description": "What the token is (advisory, ignored: access tokens are the only kind)"}
            ),
        ]
    ]
    client_id: NotRequired[Annotated[str, _CLIENT_ID]]
    client_secret: NotRequired[Annotated[str, _CLIENT_SECRET]]


# pydantic reads a TypedDict's config from this attribute (a TypedDict's body can hold only fields).
setattr(TokenForm, "__pydantic_config__", _FORM_LIMITS)  # noqa: B010
setattr(TokenOperationForm, "__pydantic_config__", _FORM_LIMITS)  # noqa: B010

TOKEN_PARAMETERS = TokenForm.__required_keys__ | TokenForm.__optional_keys__
TOKEN_OPERATION_PARAMETERS = TokenOperationForm.__required_keys__ | TokenOperationForm.__optional_keys__


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """Who the client says it is; the secret is unverified and stays out of ``repr``."""

    client_id: str
    client_secret: str = field(repr=False)
    method: AuthMethod


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """A well-formed client credentials request; ``scope`` is None when the client asked for none."""

    grant_type: Literal["client_credentials"]
    credentials: ClientCredentials
    scope: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class TokenTypeRequest:
    """An introspection (RFC 7662) or revocation (RFC 7009) request; the hint is advisory, passed as sent."""

    token: str = field(repr=False)
    token_type_hint: str | None
    credentials: ClientCredentials


def parse_token_request(headers: Mapping[str, str], body: bytes) -> TokenRequest:
    """Parse ``POST /oauth/token``: body, then client authentication, then grant type, then scope."""
    parameters = _parameters(headers, body, TOKEN_PARAMETERS)
    credentials = _client_credentials(headers.get("authorization"), parameters)
    grant_type = parameters.get("grant_type")
    if grant_type is None:
        raise OAuthInvalidRequest("Missing required parameter: grant_type")
    if grant_type != GRANT_TYPE:
        raise OAuthUnsupportedGrantType("Only the client_credentials grant type is supported")
    return TokenRequest(grant_type=GRANT_TYPE, credentials=credentials, scope=_scope(parameters.get("scope")))


def parse_token_operation_request(headers: Mapping[str, str], body: bytes) -> TokenTypeRequest:
    """Parse an introspection or revocation request: ``token``, optional ``token_type_hint``, client auth."""
    parameters = _parameters(headers, body, TOKEN_OPERATION_PARAMETERS)
    credentials = _client_credentials(headers.get("authorization"), parameters)
    token = parameters.get("token")
    if token is None:
        raise OAuthInvalidRequest("Missing required parameter: token")
    return TokenTypeRequest(
        token=token, token_type_hint=parameters.get("token_type_hint"), credentials=credentials
    )


def resolve_scopes(requested: frozenset[str] | None, granted: frozenset[str]) -> frozenset[str]:
    """The scopes to put in the token: all granted ones when none were asked for, else the ones asked for.

    A client with no scope at all gets ``invalid_scope`` rather than a token that can do nothing (RFC 6749
    §3.3 lets a server fail a request without scope instead of applying a default).
    """
    if not requested:
        if not granted:
            raise OAuthInvalidScope("No scope is granted to this client")
        return granted
    missing = requested - granted
    if missing:
        shown = sorted(missing)
        more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
        # Safe to echo: requested scopes passed the scope-token syntax, which excludes '"' and '\'.
        raise OAuthInvalidScope(f"Scope not granted to this client: {' '.join(shown[:5])}{more}")
    return requested


# RFC 6749 §5.2 errors on the wire: 400 unless listed. ``invalid_client`` is 401 with a Basic challenge:
# RFC 6749 requires it when the client used Basic and allows it otherwise; RFC 9110 §15.5.2 requires one
# on every 401, and it tells a client that sent nothing which scheme we accept.
STATUS: dict[type[DomainError], int] = {OAuthError: 400, OAuthInvalidClient: 401, OAuthTooManyAttempts: 429}
BASIC_CHALLENGE = 'Basic realm="fashionos"'

# The RFC 6749 §5.2 codes the OAuth endpoints answer: the ``OAuthError`` classes' (``temporarily_unavailable``
# is ``OAuthTooManyAttempts``'), and ``fashionos.partner.http``'s for a dependency that is down (503,
# ``temporarily_unavailable``) and an unexpected failure (500, ``server_error``).
OAuthErrorCode = Literal[
    "invalid_request",
    "invalid_client",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "temporarily_unavailable",
    "server_error",
]
_ERROR_CODES: frozenset[str] = frozenset(get_args(OAuthErrorCode))


class OAuthErrorBody(TypedDict):
    """An OAuth 2.0 error (RFC 6749 §5.2): its code, and what was wrong in a sentence (printable ASCII)."""

    error: OAuthErrorCode
    error_description: str


def oauth_error_status(error: OAuthError | type[OAuthError]) -> int:
    """The HTTP status of an OAuth error (or of its class)."""
    return kind_of(error, STATUS) or 400


def oauth_error_body(code: OAuthErrorCode, description: str) -> OAuthErrorBody:
    # Our descriptions are already in the RFC's character set; this holds the line if one ever is not.
    return {"error": code, "error_description": _DESCRIPTION_UNSAFE.sub("?", description)}


def _is_code(error: str) -> TypeIs[OAuthErrorCode]:
    return error in _ERROR_CODES


def oauth_error_response(error: OAuthError) -> tuple[int, dict[str, str], OAuthErrorBody]:
    """Status, headers and body of an RFC 6749 §5.2 error (the body is for ``json.dumps``)."""
    headers = {"Content-Type": JSON, **NO_STORE}
    if isinstance(error, OAuthInvalidClient):
        headers["WWW-Authenticate"] = BASIC_CHALLENGE
    if isinstance(error, OAuthTooManyAttempts):
        headers["Retry-After"] = str(error.retry_after)
    # Every OAuthError class names one of the codes; a new one that does not is its base's invalid_request.
    code = error.error if _is_code(error.error) else "invalid_request"
    return oauth_error_status(error), headers, oauth_error_body(code, error.description)


def token_response(
    access_token: str, expires_in: int, scopes: Iterable[str]
) -> tuple[int, dict[str, str], TokenResponse]:
    """Status, headers and body of a successful token response (RFC 6749 §5.1), with the granted ``scope``."""
    body: TokenResponse = {"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in}
    scope = " ".join(sorted(set(scopes)))
    if scope:
        body["scope"] = scope
    return 200, {"Content-Type": JSON, **NO_STORE}, body


# Bodies


def _parameters(headers: Mapping[str, str], body: bytes, recognised: frozenset[str]) -> dict[str, str]:
    """The recognised, non-empty string parameters of a form or JSON body."""
    if len(body) > MAX_BODY_BYTES:
        raise OAuthInvalidRequest("Request body must not exceed 16 KB")
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in (FORM, JSON):
        raise OAuthInvalidRequest(f"Content-Type must be {FORM} or {JSON}")
    pairs = _form_pairs(body) if content_type == FORM else _json_pairs(body)
    parameters: dict[str, str] = {}
    seen: set[str] = set()
    for name, value in pairs:
        if name not in recognised:
            continue  # RFC 6749 §3.2: unrecognised parameters are ignored (RFC 8707 `resource` may repeat)
        if name in seen:
            raise OAuthInvalidRequest(f"Parameter must not be repeated: {name}")
        seen.add(name)
        if value is None:  # JSON null: what SDKs send for an unset optional field
            continue
        if not isinstance(value, str):
            raise OAuthInvalidRequest(f"Parameter must be a string: {name}")
        if value:  # RFC 6749 §3.1: a parameter sent without a value is treated as omitted
            parameters[name] = value
    return parameters


def _form_pairs(body: bytes) -> Sequence[tuple[str, object]]:
    # keep_blank_values: "a=&a=x" is a repeat too. Not strict: like browsers (WHATWG URL), skip empty
    # "&&" segments and read a bare "name" as an empty value. Strict UTF-8, raw or percent-encoded: a
    # surrogate is refused either way.
    try:
        return parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, errors="strict", max_num_fields=_MAX_FORM_FIELDS
        )
    except UnicodeDecodeError:
        raise OAuthInvalidRequest("Request body is not UTF-8 form data") from None
    except ValueError:  # more than _MAX_FORM_FIELDS fields
        raise OAuthInvalidRequest("Request body has too many parameters") from None


def _json_pairs(body: bytes) -> Sequence[tuple[str, object]]:
    """The members of a strict JSON object (``fashionos.jsonbody``: a key twice is refused there)."""
    try:
        parsed = parse_json(body)
    except InvalidRequest as error:
        raise OAuthInvalidRequest(error.message) from None
    if not isinstance(parsed, dict):
        raise OAuthInvalidRequest("Request body must be a JSON object")
    return list(parsed.items())


# Client authentication


def _client_credentials(authorization: str | None, parameters: Mapping[str, str]) -> ClientCredentials:
    body_id, body_secret = parameters.get("client_id"), parameters.get("client_secret")
    if authorization is not None and authorization.strip():
        basic = _basic_credentials(authorization)
        if body_secret is not None:
            raise OAuthInvalidRequest("Use one client authentication method: HTTP Basic or client_secret")
        # A client_id alone authenticates nothing; some clients repeat it beside Basic. It must agree.
        if body_id is not None and body_id != basic.client_id:
            raise OAuthInvalidRequest("client_id in the body does not match the HTTP Basic client")
        return basic
    if body_id is None and body_secret is None:
        raise OAuthInvalidClient("Client authentication is required (HTTP Basic or client_id/client_secret)")
    if body_id is None or body_secret is None:
        raise OAuthInvalidClient("client_secret_post needs both client_id and client_secret")
    return ClientCredentials(body_id, body_secret, "client_secret_post")


def _basic_credentials(authorization: str) -> ClientCredentials:
    """RFC 6749 §2.3.1: base64 of ``urlencode(id) ":" urlencode(secret)``; ``+`` decodes to a space."""
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        raise OAuthInvalidClient("Unsupported authentication scheme; use HTTP Basic")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        raise OAuthInvalidClient("Malformed HTTP Basic credentials") from None
    raw_id, colon, raw_secret = decoded.partition(":")
    if not colon:
        raise OAuthInvalidClient("Malformed HTTP Basic credentials")
    try:
        client_id = unquote_plus(raw_id, errors="strict")
        client_secret = unquote_plus(raw_secret, errors="strict")
    except UnicodeDecodeError:
        raise OAuthInvalidClient("Malformed HTTP Basic credentials") from None
    if not client_id or not client_secret:
        raise OAuthInvalidClient("HTTP Basic credentials need a client id and a secret")
    return ClientCredentials(client_id, client_secret, "client_secret_basic")


def _scope(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    if not _SCOPE.fullmatch(value):
        # RFC 6749 §5.2: a malformed scope is invalid_scope (not invalid_request).
        raise OAuthInvalidScope("Malformed scope: space-separated scope tokens expected")
    return frozenset(value.split(" "))
