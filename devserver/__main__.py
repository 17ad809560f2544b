"""``make dev``: the local stack with demo data, until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from devserver.demo import seed
from devserver.stack import DEV_DIR, LocalStack
from devserver.template import load_template


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devserver", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEV_PORT", "3000")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--state-dir", type=Path, default=DEV_DIR, help="where stack.json and credentials.json go"
    )
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a template parameter's value, as `sam deploy --parameter-overrides` sets it (repeatable)",
    )
    args = parser.parse_args(argv)
    parameters = dict(item.split("=", 1) for item in args.parameter if "=" in item)
    if len(parameters) != len(args.parameter):
        parser.error("--parameter takes NAME=VALUE")
    unknown = sorted(set(parameters) - set(load_template().get("Parameters", {})))
    if unknown:
        parser.error(f"the template has no parameter {unknown[0]}")

    stack = LocalStack(port=args.port, host=args.host, state_dir=args.state_dir, parameters=parameters)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C, or a polite kill
        signal.signal(signum, lambda *_: stopped.set())
    try:  # whatever happens from here on, the moto server process is stopped with us
        try:
            stack.start()
        except OSError as error:
            print(
                f"Could not start the dev gateway on {args.host}:{args.port}: {error} (set DEV_PORT)",
                file=sys.stderr,
            )
            return 1
        credentials = demo_credentials(stack)
        print(banner(stack, stack.write_credentials(credentials), credentials), flush=True)
        stopped.wait()
    finally:
        stack.stop()
    return 0


def demo_credentials(stack: LocalStack) -> dict[str, Any]:
    outputs = stack.describe()["outputs"]
    demo = seed(
        stack.client("dynamodb"),
        stack.client("secretsmanager"),
        outputs["IntegrationTableName"],
        outputs["HandshakeSecretArn"],
        outputs["PartnerTableName"],
        commerce_table=stack.local.physical["CommerceTable"],
        event_table=stack.local.physical["EventTable"],
    )
    return {"base_url": stack.base_url, **demo, "moto_endpoint_url": stack.moto.url}


def banner(stack: LocalStack, path: Path, credentials: dict[str, Any]) -> str:
    example = json.dumps(
        {"handshake": credentials["handshake"], "type": "AR", "count": 1, "api_key": credentials["api_key"]}
    )
    schedule = stack.local.parameters["WebhookRetrySchedule"]
    storefront = credentials["storefront_id"]
    failed = "".join(
        f"\n  !! {name} cannot load, as on Lambda (its requests answer 502): {error}"
        for name, error in stack.describe()["init_errors"].items()
    )
    return f"""{failed}
Fashion OS API — local stack
  Integration API  {stack.base_url}/api/v1/integration/...
  Partner API      {stack.base_url}/oauth/token, {stack.base_url}/v1/me, /.well-known/jwks.json,
                   {stack.base_url}/.well-known/oauth-authorization-server  (stage: {stack.stage})
  API reference    {stack.base_url}/docs, {stack.base_url}/openapi.json (Partner API);
                   {stack.base_url}/api/v1/integration/docs, .../openapi.json (Integration API)
  moto server      {stack.moto.url}
  demo data        {path}  (handshake, user_id, api_key, client_id, client_secret, ...)

Try it:
  curl -X POST {stack.base_url}/api/v1/integration/increase-tryon-usage-count \\
    -H "Content-Type: application/json" \\
    -d '{example}'

  .venv/bin/fashionos-admin usage {credentials["user_id"]}

  TOKEN=$(curl -s -u {credentials["client_id"]}:{credentials["client_secret"]} \\
    -d grant_type=client_credentials {stack.base_url}/oauth/token \\
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
  curl -H "Authorization: Bearer $TOKEN" {stack.base_url}/v1/me

  curl -H "X-Api-Key: {credentials["sandbox_api_key"]}" {stack.base_url}/v1/me   # sandbox key

Commerce (the demo storefront, two active listings, every sku in stock):
  curl -H "Authorization: Bearer $TOKEN" {stack.base_url}/v1/storefronts/{storefront}
  curl -H "Authorization: Bearer $TOKEN" "{stack.base_url}/v1/inventory?storefrontId={storefront}"

Try-on (the demo org is approved for AR and AI; each session counts on {credentials["user_id"]}):
  curl -X POST {stack.base_url}/v1/tryon/sessions -H "Authorization: Bearer $TOKEN" \\
    -H "Content-Type: application/json" -d '{{"product_id": "{credentials["product_id"]}", "type": "AR"}}'
  curl -H "Authorization: Bearer <session_token>" {stack.base_url}/tryon/v1/session

Affiliate links (to https://{credentials["affiliate_domain"]}/..., the demo org's registered domain):
  curl -X POST {stack.base_url}/v1/affiliates/links -H "Authorization: Bearer $TOKEN" \\
    -H "Content-Type: application/json" \\
    -d '{{"destination_url": "https://{credentials["affiliate_domain"]}/tee", "utm": {{"source": "ig"}}}}'
  curl -i {stack.base_url}/r/<code>            # 302 to the destination, the click counted

Design Vault (files go straight to the local S3, {stack.moto.url}; see README "Design Vault"):
  curl -X POST {stack.base_url}/v1/assets -H "Authorization: Bearer $TOKEN" \\
    -H "Content-Type: application/json" -o created.json -d '{{"filename": "look.png",
    "content_type": "image/png", "size": <bytes>, "sha256": "<hex>", "title": "Look 01", "rights":
    {{"owner": "@atelier", "license": "all-rights-reserved", "usage": ["display"], "territories": ["*"]}}}}'
  mapfile -t FORM < <(jq -r '.upload.fields | to_entries[] | "--form-string", "\\(.key)=\\(.value)"' \\
    created.json)
  curl "${{FORM[@]}}" -F file=@look.png "$(jq -r .upload.url created.json)"
  curl -H "Authorization: Bearer $TOKEN" {stack.base_url}/v1/assets/<id>       # "status": "available"

Webhooks (local receivers on http://127.0.0.1 too; attempts after {schedule} s):
  curl -X POST {stack.base_url}/v1/webhooks -H "X-Api-Key: {credentials["sandbox_api_key"]}" \\
    -H "Content-Type: application/json" \\
    -d '{{"url": "http://127.0.0.1:8080/hooks", "events": ["order.created"]}}'
  curl -X POST {stack.base_url}/v1/webhooks/<id>/test -H "X-Api-Key: {credentials["sandbox_api_key"]}"
  curl {stack.base_url}/v1/webhooks/<id>/deliveries -H "X-Api-Key: {credentials["sandbox_api_key"]}"

Ctrl-C stops everything.
"""


if __name__ == "__main__":
    sys.exit(main())
