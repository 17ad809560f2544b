"""Access tokens: what we issue (RFC 9068), and every forged or stale token the verifier must refuse.

Attack tokens are built by hand (base64url + our own RSA/HMAC signing) so that each one is refused by the
protection it targets: the tests assert the reason, and a hand-built honest token verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from fashionos.errors import InvalidToken
from fashionos.identity.signing_keys import (
    SigningKeys,
    generate_signing_key,
    initial_secret_value,
    load_private_key,
    rotate_signing_key,
    thumbprint,
)
from fashionos.identity.tokens import AccessToken, TokenIssuer, TokenVerifier, bearer_token
from tests.helpers import b64, segment, sign

ISSUER = "https://api.fashionos.example"
AUDIENCE = "https://api.fashionos.example/v1"
NOW = 1_800_000_000
SECRET_ID = "fashionos/jwt-signing-keys"


class FakeSecrets:
    """Just enough of a Secrets Manager client: one secret, and a count of reads."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.reads = 0

    def get_secret_value(self, *, SecretId: str) -> dict[str, str]:
        self.reads += 1
        return {"SecretString": self.value}

    def put_secret_value(self, *, SecretId: str, SecretString: str) -> None:
        self.value = SecretString


def loaded(secrets: FakeSecrets) -> SigningKeys:
    keys = SigningKeys()
    keys.load(secrets, SECRET_ID)  # type: ignore[arg-type]
    return keys


@pytest.fixture(scope="module")
def secrets() -> FakeSecrets:
    return FakeSecrets(initial_secret_value())


@pytest.fixture(scope="module")
def keys(secrets: FakeSecrets) -> SigningKeys:
    return loaded(secrets)


@pytest.fixture
def issuer(keys: SigningKeys) -> TokenIssuer:
    return TokenIssuer(ISSUER, keys)


@pytest.fixture
def verifier(keys: SigningKeys) -> TokenVerifier:
    return TokenVerifier(ISSUER, AUDIENCE, keys)


def good_header(keys: SigningKeys, **changes: Any) -> dict[str, Any]:
    header = {"alg": "RS256", "typ": "at+jwt", "kid": keys.current.kid, **changes}
    return {name: value for name, value in header.items() if value is not None}


def good_claims(**changes: Any) -> dict[str, Any]:
    claims = {
        "iss": ISSUER,
        "sub": "client_abc",
        "aud": AUDIENCE,
        "client_id": "client_abc",
        "org_id": "org_01HX",
        "scope": "products:read storefronts:read",
        "iat": NOW,
        "exp": NOW + 3600,
        "jti": "01HXJTI",
        **changes,
    }
    return {name: value for name, value in claims.items() if value is not None}


def refused(verifier: TokenVerifier, token: Any, at: float = NOW) -> str:
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(token, now=at)
    return caught.value.reason


# --- what we issue ----------------------------------------------------------------------------------------
def test_an_issued_token_verifies_to_its_claims(issuer: TokenIssuer, verifier: TokenVerifier) -> None:
    # given
    token, expires_in = issuer.issue(
        client_id="client_abc",
        org_id="org_01HX",
        subject="client_abc",
        scopes=["products:read", "storefronts:read", "products:read"],
        audience=AUDIENCE,
        now=NOW,
    )
    # when
    verified = verifier.verify(token, now=NOW + 10)
    # then
    assert expires_in == 3600
    assert verified == AccessToken(
        sub="client_abc",
        client_id="client_abc",
        org_id="org_01HX",
        scopes=frozenset({"products:read", "storefronts:read"}),
        jti=verified.jti,
        exp=NOW + 3600,
        iat=NOW,
    )


def test_an_issued_token_follows_rfc_9068(issuer: TokenIssuer, keys: SigningKeys) -> None:
    token, _ = issuer.issue(
        client_id="c1", org_id="org_1", subject="c1", scopes=["b", "a"], audience=AUDIENCE, now=NOW
    )
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header == {"alg": "RS256", "typ": "at+jwt", "kid": keys.current.kid}
    assert set(claims) == {"iss", "sub", "aud", "client_id", "org_id", "scope", "iat", "exp", "jti"}
    assert (claims["iss"], claims["aud"], claims["scope"]) == (ISSUER, AUDIENCE, "a b")
    assert claims["exp"] - claims["iat"] == 3600
    other, _ = issuer.issue(client_id="c1", org_id="org_1", subject="c1", scopes=[], audience=AUDIENCE)
    assert jwt.decode(other, options={"verify_signature": False})["jti"] != claims["jti"]


def test_scopes_that_would_change_meaning_are_refused_at_issuance(issuer: TokenIssuer) -> None:
    for scopes in (["a b"], [""], ['say"hi']):
        with pytest.raises(ValueError, match="scope-tokens"):
            issuer.issue(client_id="c", org_id="o", subject="c", scopes=scopes, audience=AUDIENCE)


def test_a_hand_built_honest_token_verifies(keys: SigningKeys, verifier: TokenVerifier) -> None:
    # The attack tests below use this builder: an honest token made with it must pass.
    token = sign(good_header(keys), good_claims(nbf=NOW), keys.current.private_key)
    assert verifier.verify(token, now=NOW).org_id == "org_01HX"


@pytest.mark.parametrize("typ", ["at+jwt", "AT+JWT", "application/at+jwt", "Application/At+JWT"])
def test_typ_is_compared_without_case_and_may_carry_the_application_prefix(
    keys: SigningKeys, verifier: TokenVerifier, typ: str
) -> None:
    token = sign(good_header(keys, typ=typ), good_claims(), keys.current.private_key)
    assert verifier.verify(token, now=NOW).client_id == "client_abc"


def test_the_jwks_holds_public_keys_that_verify_our_tokens(issuer: TokenIssuer, keys: SigningKeys) -> None:
    # given
    token, _ = issuer.issue(client_id="c", org_id="o", subject="c", scopes=["x"], audience=AUDIENCE)
    # when
    jwks = keys.jwks()
    # then
    [jwk] = jwks["keys"]
    assert set(jwk) == {"kty", "use", "alg", "kid", "n", "e"}  # no private parameters
    assert (jwk["kty"], jwk["use"], jwk["alg"], jwk["kid"]) == ("RSA", "sig", "RS256", keys.current.kid)
    claims = jwt.decode(token, key=jwt.PyJWK(jwk), algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER)
    assert claims["org_id"] == "o"


def test_kids_are_rfc_7638_thumbprints() -> None:
    # The example key and thumbprint of RFC 7638 §3.1.
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3"
        "oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZ"
        "Hzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEg"
        "U8awapJzKnqDKgw"
    )
    public_key = rsa.RSAPublicNumbers(
        65537, int.from_bytes(base64.urlsafe_b64decode(n + "=="), "big")
    ).public_key()
    assert thumbprint(public_key) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_previous_key_tokens_verify_after_one_rotation_but_not_after_two() -> None:
    # given
    secrets = FakeSecrets(initial_secret_value())
    first_keys = loaded(secrets)
    old_token, _ = TokenIssuer(ISSUER, first_keys).issue(
        client_id="c", org_id="o", subject="c", scopes=[], audience=AUDIENCE, now=NOW
    )
    # when
    rotate_signing_key(secrets, SECRET_ID)  # type: ignore[arg-type]
    after_one = loaded(secrets)
    # then
    assert list(after_one.public_keys) == [after_one.current.kid, first_keys.current.kid]
    assert TokenVerifier(ISSUER, AUDIENCE, after_one).verify(old_token, now=NOW).client_id == "c"
    # when
    rotate_signing_key(secrets, SECRET_ID)  # type: ignore[arg-type]
    after_two = loaded(secrets)
    # then
    assert first_keys.current.kid not in after_two.public_keys
    assert refused(TokenVerifier(ISSUER, AUDIENCE, after_two), old_token) == "Unknown key id"


def test_a_refresh_reuses_keys_it_already_parsed(secrets: FakeSecrets) -> None:
    keys = SigningKeys(ttl_seconds=0)
    keys.load(secrets, SECRET_ID)  # type: ignore[arg-type]
    first = keys.current.private_key
    assert keys.current.private_key is first  # refetched (TTL 0), but the PEM was not parsed again


# --- what we refuse -------------------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ["none", "None", "NONE", ""])
def test_alg_none_is_refused(keys: SigningKeys, verifier: TokenVerifier, alg: str) -> None:
    token = f"{segment(good_header(keys, alg=alg))}.{segment(good_claims())}."
    assert refused(verifier, token) == "Unsupported algorithm"


def test_hs256_keyed_with_our_public_key_is_refused(keys: SigningKeys, verifier: TokenVerifier) -> None:
    # The classic key-confusion forgery: the attacker knows the public PEM and uses it as an HMAC secret.
    public_pem = keys.public_keys[keys.current.kid].public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{segment(good_header(keys, alg='HS256'))}.{segment(good_claims(scope='admin'))}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    assert refused(verifier, f"{signing_input}.{b64(signature)}") == "Unsupported algorithm"


@pytest.mark.parametrize("alg", ["RS512", "PS256", "ES256", "rs256"])
def test_other_algorithms_are_refused_even_with_a_good_signature(
    keys: SigningKeys, verifier: TokenVerifier, alg: str
) -> None:
    token = sign(good_header(keys, alg=alg), good_claims(), keys.current.private_key)
    assert refused(verifier, token) == "Unsupported algorithm"


@pytest.mark.parametrize(
    "kid", ["../../etc/passwd", "", "a" * 65, "kid\n", "kid with space", "k/1", "%2e%2e"]
)
def test_path_like_or_odd_kids_are_refused_before_any_lookup(
    secrets: FakeSecrets, keys: SigningKeys, verifier: TokenVerifier, kid: str
) -> None:
    reads = secrets.reads
    token = sign(good_header(keys, kid=kid), good_claims(), keys.current.private_key)
    assert refused(verifier, token) == "Invalid key id"
    assert secrets.reads == reads  # no refresh for a kid that cannot be ours


@pytest.mark.parametrize("kid", [123, ["k"], {"k": 1}, True])
def test_non_string_kids_are_refused(keys: SigningKeys, verifier: TokenVerifier, kid: Any) -> None:
    token = sign(good_header(keys, kid=kid), good_claims(), keys.current.private_key)
    assert refused(verifier, token) in {"Invalid key id", "Malformed token"}


def test_a_missing_kid_is_refused(keys: SigningKeys, verifier: TokenVerifier) -> None:
    header = {"alg": "RS256", "typ": "at+jwt"}
    assert refused(verifier, sign(header, good_claims(), keys.current.private_key)) == "Invalid key id"


def test_an_unknown_kid_is_refused_after_one_refresh(secrets: FakeSecrets, keys: SigningKeys) -> None:
    # given: a well-formed kid that is not ours, signed by its own key
    stranger = generate_signing_key()
    token = sign(
        good_header(keys, kid=stranger["kid"]), good_claims(), load_private_key(stranger["private_pem"])
    )
    verifier = TokenVerifier(ISSUER, AUDIENCE, keys)
    reads = secrets.reads
    # when / then
    assert refused(verifier, token) == "Unknown key id"
    assert refused(verifier, token) == "Unknown key id"
    assert secrets.reads - reads <= 1  # at most one refresh a second


@pytest.mark.parametrize("name", ["jku", "x5u", "jwk", "x5c", "x5t", "crit", "b64", "cty"])
def test_headers_that_name_keys_or_extensions_are_refused_at_all(
    keys: SigningKeys, verifier: TokenVerifier, name: str
) -> None:
    # Signed by our own key, so only the header check stands between this token and acceptance.
    extra = {
        # A crit that PyJWT itself accepts, so that ours is the check that fires.
        "crit": {"crit": ["b64"], "b64": True},
        "b64": {"b64": True},
        "x5c": {"x5c": ["MIIB"]},
        "jwk": {"jwk": {"kty": "RSA"}},
    }.get(name, {name: "https://evil.example/keys"})
    token = sign(good_header(keys, **extra), good_claims(), keys.current.private_key)
    assert refused(verifier, token) == "Unexpected header parameter"


def test_an_embedded_attacker_jwk_is_refused(keys: SigningKeys, verifier: TokenVerifier) -> None:
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(attacker.public_key(), as_dict=True)
    header = good_header(keys, jwk=jwk)
    assert refused(verifier, sign(header, good_claims(), attacker)) == "Unexpected header parameter"


def test_expiry_allows_the_leeway_and_no_more(issuer: TokenIssuer, verifier: TokenVerifier) -> None:
    token, _ = issuer.issue(client_id="c", org_id="o", subject="c", scopes=[], audience=AUDIENCE, now=NOW)
    assert verifier.verify(token, now=NOW + 3600 + 29).client_id == "c"
    assert refused(verifier, token, at=NOW + 3600 + 30) == "Token expired"
    assert refused(verifier, token, at=NOW + 86_400) == "Token expired"


def test_without_now_the_wall_clock_is_used(issuer: TokenIssuer, verifier: TokenVerifier) -> None:
    stale, _ = issuer.issue(
        client_id="c", org_id="o", subject="c", scopes=[], audience=AUDIENCE, now=time.time() - 3700
    )
    assert refused_now(verifier, stale) == "Token expired"
    fresh, _ = issuer.issue(client_id="c", org_id="o", subject="c", scopes=[], audience=AUDIENCE)
    assert verifier.verify(fresh).client_id == "c"


def refused_now(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(token)
    return caught.value.reason


@pytest.mark.parametrize(
    "claims",
    [good_claims(nbf=NOW + 31), good_claims(iat=NOW + 31, exp=NOW + 3631)],
    ids=["nbf", "iat"],
)
def test_tokens_from_the_future_are_refused(
    keys: SigningKeys, verifier: TokenVerifier, claims: dict[str, Any]
) -> None:
    token = sign(good_header(keys), claims, keys.current.private_key)
    assert refused(verifier, token) == "Token not yet valid"
    assert verifier.verify(token, now=NOW + 1).client_id == "client_abc"  # within the 30 s leeway


def test_a_wrong_audience_is_refused(issuer: TokenIssuer, keys: SigningKeys) -> None:
    token, _ = issuer.issue(
        client_id="c", org_id="o", subject="c", scopes=[], audience="https://other", now=NOW
    )
    assert refused(TokenVerifier(ISSUER, AUDIENCE, keys), token) == "Wrong audience"
    listed = sign(good_header(keys), good_claims(aud=["https://other", AUDIENCE]), keys.current.private_key)
    assert refused(TokenVerifier(ISSUER, AUDIENCE, keys), listed) == "Wrong audience"  # one audience, exactly


def test_a_wrong_issuer_is_refused(keys: SigningKeys, verifier: TokenVerifier) -> None:
    token, _ = TokenIssuer("https://evil.example", keys).issue(
        client_id="c", org_id="o", subject="c", scopes=[], audience=AUDIENCE, now=NOW
    )
    assert refused(verifier, token) == "Wrong issuer"


def test_a_tampered_payload_is_refused(issuer: TokenIssuer, verifier: TokenVerifier) -> None:
    # given: a genuine token whose claims are re-encoded with a raised scope, old signature kept
    token, _ = issuer.issue(
        client_id="c", org_id="o", subject="c", scopes=["read"], audience=AUDIENCE, now=NOW
    )
    header, _, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = f"{header}.{segment({**claims, 'scope': 'read admin', 'org_id': 'org_victim'})}.{signature}"
    # then
    assert refused(verifier, forged) == "Invalid signature"


@pytest.mark.parametrize("typ", [None, "JWT", "jwt", "at+jwt; charset=x", "application/jwt", 1])
def test_a_token_that_is_not_an_access_token_is_refused(
    keys: SigningKeys, verifier: TokenVerifier, typ: Any
) -> None:
    header = {"alg": "RS256", "kid": keys.current.kid} | ({} if typ is None else {"typ": typ})
    token = sign(header, good_claims(), keys.current.private_key)
    assert refused(verifier, token) == "Wrong token type (typ)"


@pytest.mark.parametrize("name", ["iss", "sub", "aud", "client_id", "org_id", "scope", "iat", "exp", "jti"])
def test_a_missing_required_claim_is_refused(keys: SigningKeys, verifier: TokenVerifier, name: str) -> None:
    claims = {key: value for key, value in good_claims().items() if key != name}
    assert (
        refused(verifier, sign(good_header(keys), claims, keys.current.private_key))
        == f"Missing claim: {name}"
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"exp": str(NOW + 3600)}, "Malformed time claims"),  # PyJWT alone would take "1800003600"
        ({"exp": True}, "Malformed time claims"),
        ({"iat": float(NOW)}, "Malformed time claims"),
        ({"nbf": "0"}, "Malformed time claims"),
        ({"client_id": 7}, "Malformed claims"),
        ({"org_id": ""}, "Malformed claims"),
        ({"scope": ["admin"]}, "Malformed claims"),
        ({"sub": 42}, "Malformed token"),
        ({"iss": [ISSUER]}, "Wrong issuer"),
    ],
)
def test_claims_of_the_wrong_type_are_refused(
    keys: SigningKeys, verifier: TokenVerifier, changes: dict[str, Any], reason: str
) -> None:
    token = sign(good_header(keys), good_claims(**changes), keys.current.private_key)
    assert refused(verifier, token) == reason


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c", "x" * 9000, b"a.b.c", None, "..."])
def test_malformed_tokens_are_refused(verifier: TokenVerifier, token: Any) -> None:
    assert refused(verifier, token) == "Malformed token"


# --- the Authorization header ---------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "token"), [("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer x", "x")])
def test_a_bearer_token_is_taken_from_the_header(value: str, token: str) -> None:
    assert bearer_token(value) == token


@pytest.mark.parametrize(
    "value", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer a b", "Bearer  a", "abc"]
)
def test_anything_else_in_the_header_is_refused(value: str | None) -> None:
    with pytest.raises(InvalidToken):
        bearer_token(value)
