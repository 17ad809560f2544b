"""``python -m apispec.postman``: a Postman collection (v2.1) per OpenAPI document, in ``postman/``.

``openapi-to-postmanv2`` (``node_modules``, ``make postman`` installs it) converts each document: folders by
tag, request values from the schemas' examples where there are some, otherwise faked from the schemas (with
a fixed seed, so the same document gives the same collection). The result is then made deterministic and
ready to run:

- ids are hashes of what they name (the API, a request's method and path): no random uuids, no timestamps,
  no saved example responses (faked bodies that would only bloat the files);
- collection variables: ``baseUrl`` (http://127.0.0.1:3000, ``make dev``'s stack), and, empty (fill them
  in from the stack's ``credentials.json``), the demo objects path and query parameters name
  (``storefrontId``, ``productId``, ``sku``) and each API's credentials;
- Partner API: ``clientId`` and ``clientSecret`` (also in the ``/oauth/*`` forms); a collection-level
  pre-request script gets a client-credentials token from ``{{baseUrl}}/oauth/token`` once and caches it in
  ``accessToken`` until it expires, the collection's auth is Bearer ``{{accessToken}}``, and the operations
  the document marks public (``/oauth/*``, the documents) are ``noauth``; ``storefront_id`` in a JSON body
  is ``{{storefrontId}}``;
- Integration API: ``handshake`` in every JSON body's ``handshake`` field, ``userId`` and ``apiKey`` in its
  ``user_id`` and ``api_key``;
- every request tests that its status is one the document lists for that operation, and not a 5xx.

``--check``: exit 1 if a committed collection differs from what the documents give now.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from apispec import write_or_check

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS_DIR = ROOT / "layers" / "fashionos" / "apidocs"
OUTPUT_DIR = ROOT / "postman"
CONVERTER = ROOT / "node_modules" / ".bin" / "openapi2postmanv2"
APIS = ("partner", "integration")
DEFAULT_BASE_URL = "http://127.0.0.1:3000"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

CONVERTER_OPTIONS = {
    "folderStrategy": "Tags",
    "parametersResolution": "Example",  # a schema's example where it has one, else a value faked from it
    "enableOptionalParameters": "false",  # optional parameters are there, unticked
}
# The converter fakes values with Math.random: seeded, the same document gives the same values.
SEED = 20240601
SEEDED_RANDOM = f"""\
let state = {SEED};
Math.random = function () {{  // mulberry32
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}};
"""
# uuid5 namespace of every id in the collections
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:fashionos:apispec.postman")

# Parameters (path or query) that name one of the stack's demo objects -> the variable holding its id.
DEMO_PARAMETERS = {
    "storefront_id": "storefrontId",
    "storefrontId": "storefrontId",
    "product_id": "productId",
    "sku": "sku",
}
# Top-level body fields filled from a variable, per API (the sku of a product or an order line is left
# faked: the demo product's sku would replace the demo listing).
BODY_VARIABLES = {
    "partner": {"storefront_id": "storefrontId", "client_id": "clientId", "client_secret": "clientSecret"},
    "integration": {"handshake": "handshake", "user_id": "userId", "api_key": "apiKey"},
}
# Form fields per operation that take a variable (the token introspected is the cached one; the one
# revoked stays a faked value: revoking the cached token would fail every request after it).
OPERATION_FIELDS = {("POST", "/oauth/introspect"): {"token": "accessToken"}}
# Variables a collection has besides those its requests name (``{{...}}``): its scripts' own.
SCRIPT_VARIABLES = {
    "partner": ["clientId", "clientSecret", "accessToken", "accessTokenExpiresAt"],
    "integration": [],
}
# Every variable, in the collections' order.
VARIABLE_DESCRIPTIONS = {
    "baseUrl": "The stack's base URL (`make dev`: http://127.0.0.1:3000)",
    "clientId": "An OAuth client's id (the stack's credentials.json: client_id)",
    "clientSecret": "That client's secret (credentials.json: client_secret)",
    "accessToken": "Set by the collection's pre-request script: the cached client-credentials token",
    "accessTokenExpiresAt": "Set by the collection's pre-request script: when accessToken expires (epoch ms)",
    "storefrontId": "A storefront of the client's org (credentials.json: storefront_id)",
    "productId": "A product of that storefront (credentials.json: product_id)",
    "sku": "A sellable sku of that storefront (credentials.json: sku)",
    "handshake": "The shared handshake token (credentials.json: handshake)",
    "userId": "A Dashboard user's id (credentials.json: user_id)",
    "apiKey": "That user's API key (credentials.json: api_key)",
}

AUTHORIZE_SCRIPT = """\
// A client-credentials access token from {{baseUrl}}/oauth/token (HTTP Basic with clientId and
// clientSecret), fetched once and cached in the collection variable accessToken until it expires.
const clientId = pm.variables.get('clientId');
const clientSecret = pm.variables.get('clientSecret');
const cached = pm.collectionVariables.get('accessToken');
const expiresAt = Number(pm.collectionVariables.get('accessTokenExpiresAt') || 0);
if (clientId && clientSecret && !(cached && Date.now() < expiresAt)) {
  const basic = require('btoa')(encodeURIComponent(clientId) + ':' + encodeURIComponent(clientSecret));
  pm.sendRequest({
    url: pm.variables.replaceIn('{{baseUrl}}/oauth/token'),
    method: 'POST',
    header: [
      { key: 'Authorization', value: 'Basic ' + basic },
      { key: 'Accept', value: 'application/json' }
    ],
    body: { mode: 'urlencoded', urlencoded: [{ key: 'grant_type', value: 'client_credentials' }] }
  }, function (error, response) {
    pm.test('POST /oauth/token gives the client an access token', function () {
      pm.expect(error, String(error)).to.equal(null);
      pm.expect(response.code, response.text()).to.equal(200);
    });
    if (error || response.code !== 200) {
      return;
    }
    const token = response.json();
    pm.collectionVariables.set('accessToken', token.access_token);
    // a minute early: a token that expires while a request is on its way is refused
    pm.collectionVariables.set('accessTokenExpiresAt', String(Date.now() + (token.expires_in - 60) * 1000));
  });
}
"""


def status_script(method: str, path: str, responses: dict[str, Any]) -> list[str]:
    """The test script of one operation: its status is one the document lists, and not a 5xx."""
    codes = sorted(int(code) for code in responses if code.isdigit())
    ranges = sorted(code.upper() for code in responses if len(code) == 3 and code[1:].upper() == "XX")
    operation = f"{method} {path}"
    lines = [
        f"// The statuses the OpenAPI document lists for {operation}.",
        f"const documented = {json.dumps(codes)};",
    ]
    if "default" in responses:  # every status is documented
        check = "true"
    elif ranges:
        lines.append(f"const ranges = {json.dumps(ranges)};")
        check = "documented.includes(code) || ranges.includes(Math.floor(code / 100) + 'XX')"
    else:
        check = "documented.includes(code)"
    listed = ", ".join([*map(str, codes), *ranges] + (["default"] if "default" in responses else []))
    lines += [
        f"pm.test({json.dumps(f'{operation} answers a documented status ({listed})')}, function () {{",
        "  const code = pm.response.code;",
        f"  pm.expect({check}, 'status ' + code + ' is not documented').to.be.true;",
        "});",
        f"pm.test({json.dumps(f'{operation} answers no server error')}, function () {{",
        "  pm.expect(pm.response.code, 'a server error').to.be.below(500);",
        "});",
    ]
    return lines


def _stable_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\n".join(parts)))


def _event(listen: str, script: list[str]) -> dict[str, Any]:
    return {"listen": listen, "script": {"type": "text/javascript", "exec": script}}


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def _sample(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A value for a required field the converter left out (it does with ``anyOf`` beside ``properties``)."""
    schema = _resolve(document, schema)
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if "examples" in schema:
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "integer" or kind == "number":
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return "string"


def _variables_for(api: str, method: str, path: str, schema: dict[str, Any]) -> dict[str, str]:
    properties = schema.get("properties", {})
    fields = {name: var for name, var in BODY_VARIABLES[api].items() if name in properties}
    return fields | OPERATION_FIELDS.get((method, path), {})


def _fix_json_body(
    document: dict[str, Any], schema: dict[str, Any], variables: dict[str, str], body: dict[str, Any]
) -> None:
    value = json.loads(body["raw"])
    if not isinstance(value, dict):
        return
    properties = schema.get("properties", {})
    fixed: dict[str, Any] = {}
    for name, field in properties.items():  # the document's order of fields
        if "const" in field and name in value:
            fixed[name] = field["const"]  # the faker does not know const
        elif name in value:
            fixed[name] = value[name]
        elif name in schema.get("required", []):
            fixed[name] = _sample(document, field)
    fixed |= {name: item for name, item in value.items() if name not in fixed}
    for name, variable in variables.items():
        fixed[name] = "{{" + variable + "}}"
    body["raw"] = json.dumps(fixed, indent=2, ensure_ascii=False)


def _fix_form_body(schema: dict[str, Any], variables: dict[str, str], body: dict[str, Any]) -> None:
    properties = schema.get("properties", {})
    for field in body["urlencoded"]:
        name = field["key"]
        if "const" in properties.get(name, {}):
            field["value"] = properties[name]["const"]
        if name in variables:
            field["value"] = "{{" + variables[name] + "}}"
            field["disabled"] = False


def _fix_body(api: str, document: dict[str, Any], method: str, path: str, request: dict[str, Any]) -> None:
    """The body's fields filled from variables, and the required ones the converter left out added."""
    body = request.get("body") or {}
    mode = str(body.get("mode"))
    media_type = {"raw": "application/json", "urlencoded": "application/x-www-form-urlencoded"}.get(mode)
    content = document["paths"][path][method.lower()].get("requestBody", {}).get("content", {})
    if media_type is None or media_type not in content:
        return
    schema = _resolve(document, content[media_type].get("schema", {}))
    variables = _variables_for(api, method, path, schema)
    if mode == "raw":
        _fix_json_body(document, schema, variables, body)
    else:
        _fix_form_body(schema, variables, body)


def _fix_parameters(url: dict[str, Any]) -> None:
    for parameter in [*url.get("variable", []), *url.get("query", [])]:
        variable = DEMO_PARAMETERS.get(parameter["key"])
        if variable is not None:
            parameter["value"] = "{{" + variable + "}}"


def _path(url: dict[str, Any]) -> str:
    return "/" + "/".join("{" + part[1:] + "}" if part.startswith(":") else part for part in url["path"])


def _requests(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        if "item" in item:
            yield from _requests(item["item"])
        else:
            yield item


def postprocess(api: str, document: dict[str, Any], converted: dict[str, Any]) -> dict[str, Any]:
    """The converter's collection made deterministic and ready to run (see the module's docstring)."""
    collection = copy.deepcopy(converted)
    operations = {
        (method.upper(), path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if method in METHODS
    }
    seen = set()
    for item in _requests(collection["item"]):
        request = item["request"]
        method, path = request["method"], _path(request["url"])
        operation = operations[method, path]  # KeyError: the converter named a path the document has not
        seen.add((method, path))
        item["id"] = _stable_id(api, method, path)
        item["response"] = []  # no saved examples: faked bodies
        _fix_parameters(request["url"])
        _fix_body(api, document, method, path, request)
        if operation.get("security", document.get("security")) == []:
            request["auth"] = {"type": "noauth"}
        else:
            request.pop("auth", None)  # the collection's
        item["event"] = [_event("test", status_script(method, path, operation["responses"]))]
    missing = sorted(set(operations) - seen)
    if missing:
        raise ValueError(f"the converter left out operations of the {api} document: {missing}")

    collection["info"]["_postman_id"] = _stable_id(api)
    named = set(re.findall(r"\{\{(\w+)\}\}", json.dumps(collection["item"])))
    names = sorted({"baseUrl", *named, *SCRIPT_VARIABLES[api]}, key=list(VARIABLE_DESCRIPTIONS).index)
    collection["variable"] = [
        {
            "key": name,
            "value": DEFAULT_BASE_URL if name == "baseUrl" else "",
            "type": "string",
            "description": VARIABLE_DESCRIPTIONS[name],
        }
        for name in names
    ]
    if api == "partner":
        collection["auth"] = {
            "type": "bearer",
            "bearer": [{"key": "token", "value": "{{accessToken}}", "type": "string"}],
        }
        collection["event"] = [_event("prerequest", AUTHORIZE_SCRIPT.splitlines())]
    else:
        collection["auth"] = {"type": "noauth"}
        collection["event"] = []
    return collection


def convert(document_path: Path, workdir: Path) -> dict[str, Any]:
    """``openapi2postmanv2`` on one document, its faker seeded."""
    if not CONVERTER.exists():
        raise SystemExit(f"{CONVERTER.relative_to(ROOT)} is missing: run `make postman`")
    preload = workdir / "seeded-random.js"
    preload.write_text(SEEDED_RANDOM)
    output = workdir / f"{document_path.stem}.collection.json"
    options = ",".join(f"{key}={value}" for key, value in CONVERTER_OPTIONS.items())
    environment = {**os.environ, "NODE_OPTIONS": f"--require {json.dumps(str(preload))}"}
    done = subprocess.run(  # noqa: S603 - the pinned converter in node_modules, fixed arguments
        [str(CONVERTER), "-s", str(document_path), "-o", str(output), "-O", options],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not output.exists():
        raise SystemExit(f"openapi2postmanv2 failed on {document_path}:\n{done.stdout}{done.stderr}")
    converted: dict[str, Any] = json.loads(output.read_text())
    return converted


def collections() -> dict[str, str]:
    """Each API's collection, rendered: ``{"partner": text, "integration": text}``."""
    rendered = {}
    with tempfile.TemporaryDirectory() as directory:
        for api in APIS:
            path = DOCUMENTS_DIR / f"{api}.json"
            document = json.loads(path.read_text())
            collection = postprocess(api, document, convert(path, Path(directory)))
            rendered[api] = json.dumps(collection, indent=2, ensure_ascii=False) + "\n"
    return rendered


def output_path(directory: Path, api: str) -> Path:
    return directory / f"{api}.postman_collection.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apispec.postman", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR, help="where the collections go")
    args = parser.parse_args(argv)
    files = {
        output_path(args.output_dir, api): (
            text,
            f"{sum(1 for _ in _requests(json.loads(text)['item']))} requests",
        )
        for api, text in collections().items()
    }
    return write_or_check(files, check=args.check, remake="make postman")


if __name__ == "__main__":
    sys.exit(main())
