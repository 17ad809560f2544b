"""The API's version (one place: ``fashionos.__version__``) and the deprecation registry's rules."""

from __future__ import annotations

import importlib.metadata
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

import fashionos
from apispec.build import documents
from devserver.template import LocalTemplate, load_template
from fashionos import deprecation
from fashionos.deprecation import DEPRECATIONS, MIN_NOTICE, Deprecation

ROOT = Path(__file__).resolve().parents[2]
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
TEMPLATE = load_template()


def test_the_version_is_major_minor_patch_and_the_package_reads_it_from_fashionos() -> None:
    assert SEMVER.match(fashionos.__version__)
    assert importlib.metadata.version("fashionos-api") == fashionos.__version__


def test_the_changelog_opens_with_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.MULTILINE)
    assert versions, "CHANGELOG.md has no '## [x.y.z]' sections"
    assert versions[0] == fashionos.__version__, "CHANGELOG.md: the newest section is not this version"
    assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))), reverse=True)


def test_the_template_s_api_version_can_only_be_the_package_s() -> None:
    parameter = TEMPLATE["Parameters"]["ApiVersion"]
    assert parameter["AllowedValues"] == [fashionos.__version__]
    assert parameter["Default"] == fashionos.__version__


def test_every_gateway_response_carries_api_version() -> None:
    apis = {name: r for name, r in TEMPLATE["Resources"].items() if r["Type"] == "AWS::Serverless::Api"}
    local = LocalTemplate(TEMPLATE, "unit")
    checked = 0
    for name, api in apis.items():
        for kind in api["Properties"].get("GatewayResponses", {}):
            _, headers, _ = local.gateway_response(name, kind, 400, "req-1")
            assert headers.get("API-Version") == fashionos.__version__, f"{name} {kind}"
            checked += 1
    assert checked >= 10


def test_the_documents_carry_the_version_and_its_header() -> None:
    for name, document in documents().items():
        assert document["info"]["version"] == fashionos.__version__, name
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                for status, response in operation["responses"].items():
                    assert "API-Version" in response["headers"], f"{name} {method} {path} {status}"


# --- the deprecation registry ----------------------------------------------------------------------


def test_a_sunset_less_than_ninety_days_after_the_deprecation_is_refused() -> None:
    start = date(2027, 1, 4)
    with pytest.raises(ValueError, match="at least 90 days"):
        Deprecation("GET /v1/me", start, start + MIN_NOTICE - timedelta(days=1), "GET /v1/profile")
    Deprecation("GET /v1/me", start, start + MIN_NOTICE, "GET /v1/profile")  # exactly 90 days: allowed
    assert timedelta(days=90) == MIN_NOTICE


@pytest.mark.parametrize("route", ["/v1/me", "GET v1/me", "FETCH /v1/me", "GET /v1/me extra"])
def test_a_route_is_method_and_path(route: str) -> None:
    with pytest.raises(ValueError, match="METHOD /path"):
        Deprecation(route, date(2027, 1, 4), date(2027, 6, 1), "GET /v1/profile")


def test_every_registered_deprecation_names_a_route_of_the_template() -> None:
    routes = {(r.method, r.path) for r in LocalTemplate(TEMPLATE, "unit").routes()}
    for entry in DEPRECATIONS:
        assert (entry.method, entry.path) in routes or ("ANY", entry.path) in routes, entry.name
        assert entry.sunset_on - entry.deprecated_on >= MIN_NOTICE, entry.name


def test_the_headers_follow_rfc_9745_and_rfc_8594() -> None:
    entry = Deprecation("GET /v1/me", date(2027, 1, 4), date(2027, 4, 5), "GET /v1/profile")
    headers = entry.headers()
    assert headers["Deprecation"] == "@1799020800"  # 2027-01-04T00:00:00Z
    assert headers["Sunset"] == "Mon, 05 Apr 2027 00:00:00 GMT"
    assert headers["Link"] == (
        '<https://docs.fashionos.dev/deprecations#get-v1-me>; rel="deprecation"; type="text/html"'
    )
    refusal = entry.refusal()
    assert refusal.code == "sunset"
    assert "GET /v1/profile" in refusal.message
    assert "2027-04-05" in refusal.message


def test_configured_deprecations_join_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    configured = [
        {
            "route": "GET /v1/orders",
            "field": "status",
            "deprecated_on": "2027-01-04",
            "sunset_on": "2027-04-05",
            "replacement": "the state parameter",
        }
    ]
    monkeypatch.setenv(deprecation.ENVIRONMENT, json.dumps(configured))
    deprecation.registry.cache_clear()
    try:
        (entry,) = deprecation.registry()[len(DEPRECATIONS) :]
        assert entry.name == "GET /v1/orders field status"
        configured[0]["sunset_on"] = "2027-02-01"  # 28 days: refused, as in code
        monkeypatch.setenv(deprecation.ENVIRONMENT, json.dumps(configured))
        deprecation.registry.cache_clear()
        with pytest.raises(ValueError, match="at least 90 days"):
            deprecation.registry()
    finally:
        monkeypatch.delenv(deprecation.ENVIRONMENT)
        deprecation.registry.cache_clear()


def test_the_documents_mark_a_deprecated_route_and_field(monkeypatch: pytest.MonkeyPatch) -> None:
    route = Deprecation("GET /v1/me", date(2027, 1, 4), date(2027, 4, 5), "GET /v1/profile")
    field = Deprecation(
        "GET /v1/orders", date(2027, 1, 4), date(2027, 4, 5), "the state parameter", field="status"
    )
    monkeypatch.setattr(deprecation, "registry", lambda: (route, field))
    partner = documents()["partner"]
    me = partner["paths"]["/v1/me"]["get"]
    assert me["deprecated"] is True
    assert "GET /v1/profile" in me["description"]
    assert "2027-04-05" in me["description"]
    assert set(me["responses"]["200"]["headers"]) >= {"Deprecation", "Sunset", "Link"}
    assert "410" in me["responses"]
    orders = partner["paths"]["/v1/orders"]["get"]
    assert "deprecated" not in orders
    (status,) = [p for p in orders["parameters"] if p["name"] == "status"]
    assert status["deprecated"] is True
    assert "410" in orders["responses"]
    assert "deprecated" not in partner["paths"]["/v1/storefronts"]["get"]
