"""The Postman collections (``postman/``, ``make postman``) run by newman against the local stack: every
request runs, answers a status its operation documents and no 5xx (each request's own test script); and the
committed collections are what the OpenAPI documents give now."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from apispec.postman import APIS, OUTPUT_DIR, collections, output_path
from tests.e2e.conftest import E2E, ROOT, DevStack

NEWMAN = ROOT / "node_modules" / ".bin" / "newman"
pytestmark = [
    *E2E,
    pytest.mark.skipif(not NEWMAN.exists(), reason="node_modules/.bin/newman is missing: run `make postman`"),
]
RUN_SECONDS = 300
REQUEST_MILLISECONDS = 30_000
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def _requests(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for item in items:
        found += _requests(item["item"]) if "item" in item else [item]
    return found


def _variables(stack: DevStack, api: str) -> dict[str, str]:
    """What the collection leaves empty, from the stack's credentials.json."""
    credentials = stack.credentials
    if api == "partner":
        return {
            "baseUrl": stack.base_url,
            "clientId": credentials["client_id"],
            "clientSecret": credentials["client_secret"],
            "storefrontId": credentials["storefront_id"],
            "productId": credentials["product_id"],
            "sku": credentials["sku"],
        }
    return {
        "baseUrl": stack.base_url,
        "handshake": stack.handshake,  # the current one: a rotation test may have moved it
        "userId": credentials["user_id"],
        "apiKey": credentials["api_key"],
    }


def _body(execution: dict[str, Any]) -> str:
    data = execution.get("response", {}).get("stream", {}).get("data", [])
    return bytes(data).decode(errors="replace")[:2000]


def _failed(executions: list[dict[str, Any]]) -> str:
    """Each request with a failed assertion: method, path, status, the assertions and the body."""
    lines = []
    for execution in executions:
        errors = [a["error"]["message"] for a in execution.get("assertions", []) if a.get("error")]
        if errors:
            request = execution["request"]
            path = "/" + "/".join(request["url"]["path"])
            status = execution.get("response", {}).get("code")
            lines.append(f"{request['method']} {path} -> {status}: {'; '.join(errors)}\n  {_body(execution)}")
    return "\n".join(lines)


def _newman(collection: Path, variables: dict[str, str], report: Path) -> subprocess.CompletedProcess[str]:
    command = [
        str(NEWMAN),
        "run",
        str(collection),
        "--reporters",
        "cli,json",
        "--reporter-json-export",
        str(report),
        "--timeout-request",
        str(REQUEST_MILLISECONDS),
        "--color",
        "off",
        "--disable-unicode",
    ]
    for name, value in variables.items():
        command += ["--env-var", f"{name}={value}"]
    # the stack is on 127.0.0.1: never through a proxy from the environment
    environment = {name: value for name, value in os.environ.items() if name.lower() not in PROXY_VARIABLES}
    return subprocess.run(  # noqa: S603 - the pinned newman in node_modules, fixed arguments
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=RUN_SECONDS, check=False
    )


@pytest.mark.parametrize("api", APIS)
def test_every_request_of_the_collection_answers_a_documented_status(
    stack: DevStack, api: str, tmp_path: Path
) -> None:
    # given
    path = output_path(OUTPUT_DIR, api)
    expected = [item["id"] for item in _requests(json.loads(path.read_text())["item"])]
    report = tmp_path / "newman.json"
    # when
    done = _newman(path, _variables(stack, api), report)
    # then
    assert report.exists(), f"newman wrote no report (exit {done.returncode}):\n{done.stdout}{done.stderr}"
    run = json.loads(report.read_text())["run"]
    # the report lists a request twice when its pre-request script sent one (the token): one per cursor
    executions = list({e["cursor"]["position"]: e for e in run["executions"]}.values())
    assert done.returncode == 0, f"{_failed(executions)}\n\n{done.stdout[-20000:]}{done.stderr}"
    assert run["stats"]["items"] == {"total": len(expected), "pending": 0, "failed": 0}
    assert [e["item"]["id"] for e in executions] == expected, "every request ran, once, in order"
    assert all("code" in e.get("response", {}) for e in executions), "every request got a response"
    if api == "partner":  # the collection's token script worked: the API was reached, not just refused
        me = next(e for e in executions if e["request"]["url"]["path"] == ["v1", "me"])
        assert me["response"]["code"] == 200, _body(me)


def test_the_committed_collections_are_what_the_documents_give() -> None:
    generated = collections()
    for api, text in generated.items():
        path = output_path(OUTPUT_DIR, api)
        assert path.exists(), f"{path} is missing: run `make postman`"
        assert path.read_text() == text, f"{path} is out of date: run `make postman`"
