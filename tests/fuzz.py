"""schemathesis against a local stack, over every operation of both APIs, with every check on.

``make test`` runs it bounded (tests/e2e/test_fuzz.py: a fixed seed, a few examples per operation);
``make fuzz`` runs ``python -m tests.fuzz --minutes 10`` on a stack of its own. Configuration (seed,
checks, phases) is ``schemathesis.toml``; credentials come from ``tests/schemathesis_hooks.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fashionos.identity.partner_models import KNOWN_SCOPES
from tests.e2e.conftest import ROOT, DevStack, running_stack

# The stack fuzzing runs on: the Integration API's per-address limit out of the way (every request comes
# from 127.0.0.1; the limiter is tested in tests/integration/test_rate_limit*.py).
FUZZ_PARAMETERS = {"RateLimitPerMinute": "10000000"}
DOCUMENTS = {"partner": "/openapi.json", "integration": "/api/v1/integration/openapi.json"}
FUZZ_TIER = "burst-5k"


@dataclass(frozen=True)
class Outcome:
    api: str
    returncode: int
    generated: int
    failures: int
    filtered: int  # failures the hooks' filter_failure dropped (the contract, not a bug)
    operations: int
    output: str

    def line(self) -> str:
        verdict = "0 failures" if self.returncode == 0 else f"FAILED (exit {self.returncode})"
        return (
            f"schemathesis {self.api}: {self.operations} operations, {self.generated} test cases generated, "
            f"{self.failures} failures ({self.filtered} dropped by filter_failure): {verdict}"
        )


def prepare(stack: DevStack, directory: Path) -> Path:
    """One OAuth client per scope in the demo org (a burst tier: fuzzing sends thousands of requests),
    written with the base URL and the handshake for the hooks; and the try-on routes' sessions, started on
    a listing of an org of their own, which the fuzzed clients cannot see (nor archive)."""
    org = stack.credentials["org_id"]
    clients = {}
    for scope in sorted(KNOWN_SCOPES):
        clients[scope] = _client(stack, org, scope)
    path = directory / "fuzz-credentials.json"
    path.write_text(
        json.dumps(
            {
                "base_url": stack.base_url,
                "handshake": stack.handshake,
                "clients": clients,
                "tryon": _tryon_listing(stack),
            }
        )
    )
    return path


def _client(stack: DevStack, org: str, *scopes: str) -> dict[str, str]:
    options = [arg for scope in scopes for arg in ("--scope", scope)]
    client = stack.admin("create-client", org, *options, "--rate-tier", FUZZ_TIER)
    return {"client_id": client["client_id"], "client_secret": client["client_secret"]}


def _tryon_listing(stack: DevStack) -> dict[str, object]:
    """An org approved for AR try-on, its client (``tryon:write``) and an active listing of its own."""
    import requests

    org = stack.admin("create-org", "--handle", "@fuzz_tryon", "--twin-active")["org_id"]
    stack.admin("set-tryon", org, "--type", "AR")
    client = _client(stack, org, "tryon:write", "storefronts:write", "products:write")
    token = requests.post(
        stack.url("/oauth/token"),
        data={"grant_type": "client_credentials"},
        auth=(client["client_id"], client["client_secret"]),
        timeout=30,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    storefront = {"handle": "@fuzz_tryon_shop", "name": "Try-on", "currency": "EUR", "visibility": "public"}
    sf = requests.post(stack.url("/v1/storefronts"), json=storefront, headers=headers, timeout=30).json()
    price = {"amount": 100, "currency": "EUR"}
    listing = {"sku": "FUZZ", "title": "Try me", "price": price, "status": "active"}
    product = requests.post(
        stack.url(f"/v1/storefronts/{sf['id']}/products"), json=listing, headers=headers, timeout=30
    ).json()
    return {"client": client, "product_id": product["id"]}


def run(
    stack: DevStack,
    api: str,
    credentials: Path,
    report_dir: Path,
    *,
    max_examples: int | None = None,
    max_time: int | None = None,
) -> Outcome:
    """``st run`` of one API's served document against the stack."""
    report = report_dir / f"{api}.json"
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        stack.url(DOCUMENTS[api]),
        "--url",
        stack.base_url,
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    if max_examples is not None:
        command += ["--max-examples", str(max_examples)]
    if max_time is not None:
        command += ["--max-time", str(max_time)]
    environment = {**os.environ, "FOS_FUZZ_CREDENTIALS": str(credentials), "NO_COLOR": "1"}
    done = subprocess.run(  # noqa: S603 - schemathesis of this virtualenv, fixed arguments
        command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    summary = json.loads(report.read_text()) if report.exists() else {}
    return Outcome(
        api=api,
        returncode=done.returncode,
        generated=int(summary.get("test_cases", {}).get("generated", 0)),
        failures=_failures(summary),
        filtered=int(summary.get("filtered", 0) or 0),
        operations=int(summary.get("operations", {}).get("selected", 0)),
        output=done.stdout + done.stderr,
    )


def _failures(summary: dict[str, object]) -> int:
    failures = summary.get("failures")
    if isinstance(failures, dict):
        return int(failures.get("total", 0))
    if isinstance(failures, list):
        return len(failures)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--minutes", type=float, default=10, help="time budget per API (default 10)")
    parser.add_argument("--max-examples", type=int, default=1000, help="examples per operation at most")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        state = Path(directory)
        with running_stack(state, FUZZ_PARAMETERS) as stack:
            credentials = prepare(stack, state)
            outcomes = []
            for api in DOCUMENTS:
                outcome = run(
                    stack,
                    api,
                    credentials,
                    state,
                    max_examples=args.max_examples,
                    max_time=int(args.minutes * 60),
                )
                print(outcome.output, flush=True)
                outcomes.append(outcome)
        for outcome in outcomes:
            print(outcome.line())
    return 0 if all(outcome.returncode == 0 for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
