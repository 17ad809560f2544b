"""The post-deploy smoke test (pipeline/smoke.py) against the local stack, as CI runs it after a deploy:
``stack.json`` stands in for the stack's CloudFormation outputs, the moto server for Secrets Manager."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e.conftest import E2E, ROOT, DevStack

pytestmark = E2E


def smoke(stack: DevStack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "pipeline.smoke", *args, "--local-state", str(stack.state_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_provisioned_stack_passes_the_smoke_test_and_its_call_is_metered(stack: DevStack) -> None:
    provisioned = smoke(stack, "provision")
    assert provisioned.returncode == 0, provisioned.stderr
    made = json.loads(provisioned.stdout)
    assert made["client_id"].startswith("cli_")
    assert made["user_id"].startswith("usr_")
    assert "client_secret" not in provisioned.stdout  # the secret holds it, the output never does
    secret = json.loads(
        stack.client("secretsmanager").get_secret_value(SecretId="fashionos-local/smoke-test")["SecretString"]
    )
    assert secret["client_id"] == made["client_id"]
    assert secret["handshake"] == stack.handshake

    done = smoke(stack)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines if line.startswith(("ok", "FAIL"))] == [
        "ok    oauth token (client credentials)",
        "ok    GET /v1/me",
        "ok    metered Integration API call",
        "ok    Partner API docs page",
        "ok    Integration API docs page",
    ]
    assert lines[-1] == "smoke test of fashionos-local: passed"
    for value in (secret["client_secret"], secret["api_key"], secret["handshake"]):
        assert value not in done.stdout + done.stderr
    # The metered call really counted: one API call for the smoke-test user and its key.
    usage = stack.usage(made["user_id"])
    assert usage["period_totals"]["api_calls"] == 1
    assert [key["api_calls"] for key in usage["keys"]] == [1]

    again = smoke(stack, "provision")
    assert again.returncode == 1
    assert "exists already" in again.stderr


def test_a_failing_smoke_test_exits_non_zero(stack: DevStack) -> None:
    wrong = {
        "client_id": "cli_notaclient",
        "client_secret": "wrong-secret-value",
        "api_key": "fos_wrong",
        "user_id": "usr_nobody",
        "handshake": "wrong-handshake",
    }
    stack.client("secretsmanager").create_secret(
        Name="fashionos-local/smoke-test-wrong", SecretString=json.dumps(wrong)
    )
    failed = smoke(stack, "--secret-id", "fashionos-local/smoke-test-wrong", "--attempts", "1")
    assert failed.returncode == 1
    assert "FAIL  oauth token (client credentials): POST /oauth/token: HTTP 401" in failed.stdout
    assert "FAIL  GET /v1/me: skipped: no access token" in failed.stdout
    metered = "FAIL  metered Integration API call: POST /api/v1/integration/increase-api-key-usage-count"
    assert f"{metered}: HTTP 401" in failed.stdout
    assert failed.stdout.splitlines()[-1] == "smoke test of fashionos-local: FAILED"
    assert "wrong-secret-value" not in failed.stdout + failed.stderr


def test_a_stack_without_its_smoke_secret_fails_and_says_how_to_provision(stack: DevStack) -> None:
    missing = smoke(stack, "--secret-id", "fashionos-local/no-such-secret", "--attempts", "1")
    assert missing.returncode == 1
    assert "ResourceNotFoundException" in missing.stderr
    assert "pipeline.smoke provision" in missing.stderr
