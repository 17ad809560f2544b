"""Access tokens: ``TokenIssuer.issue`` and ``TokenVerifier.verify`` vs raw PyJWT with the very same key.

The keys come the way a container gets them: ``SigningKeys.load`` from a Secrets Manager secret (in-process
moto, seeded with ``initial_secret_value()``: one RSA-2048 key), once. Then, in this process:

- issuance: ours = ``TokenIssuer.issue`` (claims built, a new ``jti``, signed); raw = ``jwt.encode`` of the
  claims and headers of a token ours issued, with the same loaded private key object;
- verification: ours = ``TokenVerifier.verify`` (header checks, key lookup by kid, decode, claim checks);
  raw = ``jwt.decode`` of the same token with the same public key object, audience and issuer.

Ours and raw alternate (o r, r o, ...), after a warm-up; every AWS call made while they run is counted (the
budget allows none: keys are fetched once, not per call).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import boto3
import jwt
from moto import mock_aws

from bench.awscalls import capture, instrumented
from fashionos.identity.signing_keys import SigningKeys, initial_secret_value
from fashionos.identity.tokens import TokenIssuer, TokenVerifier

ISSUE_BUDGET_MS = 2.0  # DESIGN.md: token issuance < 2 ms p50 (signing key loaded once)
VERIFY_BUDGET_MS = 0.3  # DESIGN.md: authorizer verification < 0.3 ms p50, no key fetch per call
ISSUER = "https://partners.example.com/sandbox"
AUDIENCE = "fashionos-partner-api"  # the template's TokenAudience default
WARMUP = 50


@dataclass(frozen=True, slots=True)
class Compared:
    ours_p50: float  # seconds
    raw_p50: float  # seconds
    aws_calls: int  # made while the samples ran (key fetches)


def _compare(ours: Callable[[], object], raw: Callable[[], object], samples: int) -> Compared:
    for _ in range(WARMUP):
        ours()
        raw()
    seconds: tuple[list[float], list[float]] = ([], [])
    with capture() as calls:
        for sample in range(samples):
            for side in (0, 1) if sample % 2 == 0 else (1, 0):
                start = time.perf_counter()
                (ours, raw)[side]()
                seconds[side].append(time.perf_counter() - start)
    return Compared(statistics.median(seconds[0]), statistics.median(seconds[1]), len(calls))


def measure(samples: int) -> tuple[Compared, Compared]:
    """Issuance and verification, each ``samples`` pairs of ours and raw PyJWT."""
    with mock_aws(), instrumented():
        client = boto3.client(
            "secretsmanager",
            region_name="us-east-1",
            endpoint_url="https://secretsmanager.us-east-1.amazonaws.com",  # moto's, whatever the env says
            aws_access_key_id="bench",
            aws_secret_access_key="bench",  # noqa: S106 - moto
        )
        secret = client.create_secret(Name="bench/signing-keys", SecretString=initial_secret_value())
        keys = SigningKeys()
        keys.load(client, secret["ARN"])
        issuer = TokenIssuer(ISSUER, keys)

        def issue() -> str:
            token, _ = issuer.issue(
                client_id="cl_bench",
                org_id="org_bench",
                subject="cl_bench",
                scopes=["products:read"],
                audience=AUDIENCE,
            )
            return token

        token = issue()
        claims = jwt.decode(token, options={"verify_signature": False})
        headers = {k: v for k, v in jwt.get_unverified_header(token).items() if k != "alg"}
        private_key, public_key = keys.current.private_key, keys.public_keys[keys.current.kid]
        issuance = _compare(
            issue, lambda: jwt.encode(claims, private_key, algorithm="RS256", headers=headers), samples
        )
        verifier = TokenVerifier(ISSUER, AUDIENCE, keys)
        verification = _compare(
            lambda: verifier.verify(token),
            lambda: jwt.decode(token, public_key, algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER),
            samples,
        )
    return issuance, verification
