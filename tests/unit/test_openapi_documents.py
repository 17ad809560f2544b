"""The committed OpenAPI documents are what the code generates, and valid OpenAPI 3.1."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate

from apispec.build import DOCUMENTS_DIR, documents, render
from devserver.template import LocalTemplate, load_template

GENERATED = documents()


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_committed_document_is_what_the_code_generates(name: str) -> None:
    committed = (DOCUMENTS_DIR / f"{name}.json").read_text()
    assert committed == render(GENERATED[name]), f"{name}.json is out of date: run `make openapi`"


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_document_is_valid_openapi_3_1(name: str) -> None:
    document = json.loads((DOCUMENTS_DIR / f"{name}.json").read_text())
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_template_route_is_documented_once() -> None:
    local = LocalTemplate(load_template(), "openapi")
    apis = {"PartnerApi": GENERATED["partner"], "IntegrationApi": GENERATED["integration"]}
    fallbacks = {"PartnerMethodNotAllowedFunction", "IntegrationMethodNotAllowedFunction"}
    routes = [route for route in local.routes() if route.function not in fallbacks]
    for route in routes:
        methods = apis[route.api]["paths"][route.path]
        expected = "post" if route.method == "ANY" else route.method.lower()
        assert expected in methods, f"{route.method} {route.path}"
    documented = sum(len(paths) for doc in apis.values() for paths in doc["paths"].values())
    assert documented == len(routes)


def test_every_path_without_an_any_route_has_the_405_fallback() -> None:
    local = LocalTemplate(load_template(), "openapi")
    fallback = {
        "PartnerApi": "PartnerMethodNotAllowedFunction",
        "IntegrationApi": "IntegrationMethodNotAllowedFunction",
    }
    own: dict[tuple[str, str], set[str]] = {}
    guarded: set[tuple[str, str]] = set()
    for route in local.routes():
        if route.function == fallback[route.api]:
            assert route.method == "ANY"
            assert route.authorizer is None
            guarded.add((route.api, route.path))
        else:
            own.setdefault((route.api, route.path), set()).add(route.method)
    assert guarded == {path for path, methods in own.items() if "ANY" not in methods}


def test_every_v1_operation_names_its_scope_and_answers_problems() -> None:
    document = GENERATED["partner"]
    scopes = set(document["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"])
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if not path.startswith("/v1/"):
                client = [{"clientBasic": []}] if path.startswith("/oauth/") else []
                if path.startswith("/tryon/"):  # the try-on front end's: a session token
                    client = [{"sessionToken": []}]
                assert operation["security"] == client, f"{method} {path} is public"
                continue
            scopes = [operation["x-required-scope"]]
            assert operation["security"] == [{"oauth2": scopes}, {"bearerAuth": scopes}, {"sandboxKey": []}]
            assert operation["x-required-scope"] in scopes
            for status in ("401", "403", "429"):
                content = operation["responses"][status]["content"]
                assert content == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_every_example_is_valid_for_its_response_schema(name: str) -> None:
    document = GENERATED[name]
    checked = 0
    for methods in document["paths"].values():
        for operation in methods.values():
            for response in operation["responses"].values():
                for media in response.get("content", {}).values():
                    if "example" in media:
                        root = {**media["schema"], "components": document["components"]}
                        Draft202012Validator(root, format_checker=FormatChecker()).validate(media["example"])
                        checked += 1
    assert checked > 0, f"{name}.json has examples"
