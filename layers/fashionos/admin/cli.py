"""``fashionos-admin``: provisioning for the Dashboard Integration API and the Partner API, local or deployed.

    fashionos-admin set-plan starter --ar-tryons 1000 --ai-tryons 200 --api-calls 50000 --products 500
    fashionos-admin create-user --plan starter [--user-id usr_abc123]
    fashionos-admin create-api-key usr_abc123          # prints the key once; only its hash is stored
    fashionos-admin deactivate-api-key KEY_ID
    fashionos-admin usage usr_abc123 [--period 2026-11]
    fashionos-admin rotate-handshake [--finish]
    fashionos-admin deprecated-usage                    # who still calls deprecated routes or fields
    fashionos-admin create-org --handle @yourbrand [--plan starter | --user usr_abc123] \
        [--display-name NAME] [--twin-active]           # with its Dashboard user: new on --plan, or linked
    fashionos-admin set-tryon ORG_ID --type AR --type AI  # approve try-on types (none: --type none)
    fashionos-admin add-domain ORG_ID shop.example       # a domain links and try-on sessions may send to
    fashionos-admin remove-domain ORG_ID shop.example
    fashionos-admin create-client ORG_ID --scope profile:read --scope products:write [--rate-tier default]
    fashionos-admin rotate-client-secret CLIENT_ID [--grace-seconds 86400]
    fashionos-admin revoke-client CLIENT_ID
    fashionos-admin set-rate-tier CLIENT_ID burst-1k
    fashionos-admin create-sandbox-key ORG_ID --scope profile:read
    fashionos-admin rotate-signing-key                  # once after the first deploy, then to rotate
    fashionos-admin create-storefront --org ORG_ID --handle @yourbrand_shop --name NAME --currency EUR \
        [--visibility public] [--description TEXT]
    fashionos-admin export-org ORG_ID --output export.zip # everything stored about the org (GDPR)
    fashionos-admin erase-org ORG_ID --yes              # every record and file of the org, for good
    fashionos-admin erase-customer ORG_ID EMAIL          # a shopper's personal data, from the org's orders

Without ``--stack`` it talks to the local stack of ``make dev`` (``.dev/stack.json``); with
``--stack fashionos-dev`` to a deployed stack, found through its CloudFormation outputs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, get_args

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from fashionos import deprecation
from fashionos.admin.provisioning import DEFAULT_PLAN, provision_org
from fashionos.admin.stack import Stack, StackNotFound, deployed_stack, local_stack
from fashionos.commerce.requests import StorefrontCreate
from fashionos.commerce.store import CommerceStore
from fashionos.commerce.storefronts import StorefrontService
from fashionos.commerce.views import Visibility
from fashionos.errors import DomainError
from fashionos.exports.requests import CustomerErase
from fashionos.identity.partner_models import (
    DEFAULT_RATE_TIER,
    KNOWN_SCOPES,
    RATE_TIERS,
    TRYON_TYPES,
    Client,
    Org,
)
from fashionos.identity.partner_store import PartnerStore
from fashionos.identity.partners import PartnerService
from fashionos.identity.signing_keys import rotate_signing_key
from fashionos.integration.handshake import retire_previous_handshake, rotate_handshake
from fashionos.usage.models import PlanLimits
from fashionos.usage.service import UsageService
from fashionos.usage.store import UsageStore


def _limit(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("a limit is a non-negative integer")
    return value


def _period(text: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError("a period is a month, YYYY-MM")
    return text


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="fashionos-admin", description=__doc__.split("\n\n")[0])
    root.add_argument("--stack", help="deployed stack name (default: the local stack of `make dev`)")
    root.add_argument("--region", help="AWS region of the deployed stack")
    root.add_argument("--profile", help="AWS profile for the deployed stack")
    root.add_argument(
        "--local-state",
        type=Path,
        default=Path(".dev"),
        help="the local stack's state directory (default .dev)",
    )
    commands = root.add_subparsers(dest="command", required=True)

    plan = commands.add_parser("set-plan", help="create a plan or set its per-period limits")
    plan.add_argument("name")
    for name in ("ar-tryons", "ai-tryons", "api-calls", "products"):
        plan.add_argument(f"--{name}", type=_limit, help="limit per period (omit for unlimited)")

    user = commands.add_parser("create-user", help="create a user on a plan")
    user.add_argument("--plan", required=True)
    user.add_argument("--user-id", help="an existing id to use (default: a new usr_... id)")

    user_plan = commands.add_parser("set-user-plan", help="move a user to another plan")
    user_plan.add_argument("user_id")
    user_plan.add_argument("plan")

    key = commands.add_parser("create-api-key", help="create an active API key (printed once)")
    key.add_argument("user_id")

    deactivate = commands.add_parser("deactivate-api-key", help="deactivate an API key")
    deactivate.add_argument("key_id", help="the key id printed at creation (or the key itself)")

    usage = commands.add_parser(
        "usage", help="a user's (or a partner org's) usage for a period, and lifetime"
    )
    usage.add_argument("user_id", help="a Dashboard user id, or a partner org's id (org_...)")
    usage.add_argument("--period", type=_period, help="YYYY-MM, UTC (default: the current month)")

    rotate = commands.add_parser(
        "rotate-handshake", help="issue a new handshake token; the old one stays valid"
    )
    rotate.add_argument("--finish", action="store_true", help="stop accepting the previous token")
    commands.add_parser(
        "deprecated-usage", help="calls of deprecated routes and fields, per client (the partners to warn)"
    )

    org = commands.add_parser("create-org", help="create a partner org (Partner API)")
    org.add_argument("--handle", required=True, help="@ followed by 2-30 of a-z 0-9 _")
    org.add_argument("--display-name")
    org.add_argument("--twin-active", action="store_true", help="the org's digital twin is active")
    account = org.add_mutually_exclusive_group()
    account.add_argument("--plan", help=f"the new Dashboard user's plan (default {DEFAULT_PLAN})")
    account.add_argument("--user", dest="user_id", help="link an existing Dashboard user instead")

    tryon = commands.add_parser("set-tryon", help="approve a partner org for try-on types (AR, AI)")
    tryon.add_argument("org_id")
    tryon.add_argument(
        "--type", action="append", required=True, choices=[*sorted(TRYON_TYPES), "none"], dest="types"
    )

    for name, text in (("add-domain", "register"), ("remove-domain", "unregister")):
        domain = commands.add_parser(name, help=f"{text} a web domain of a partner org")
        domain.add_argument("org_id")
        domain.add_argument("domain")

    scopes = sorted(KNOWN_SCOPES)
    client = commands.add_parser("create-client", help="create an OAuth client (its secret is printed once)")
    client.add_argument("org_id")
    client.add_argument("--scope", action="append", required=True, choices=scopes, dest="scopes")
    client.add_argument("--rate-tier", default=DEFAULT_RATE_TIER, choices=sorted(RATE_TIERS))

    secret = commands.add_parser("rotate-client-secret", help="a new client secret (printed once)")
    secret.add_argument("client_id")
    secret.add_argument(
        "--grace-seconds", type=_limit, default=0, help="how long the old secret keeps working (default 0)"
    )

    revoke = commands.add_parser("revoke-client", help="revoke an OAuth client (no new tokens)")
    revoke.add_argument("client_id")

    tier = commands.add_parser("set-rate-tier", help="move an OAuth client to another rate tier")
    tier.add_argument("client_id")
    tier.add_argument("tier", choices=sorted(RATE_TIERS))

    sandbox = commands.add_parser("create-sandbox-key", help="create a sandbox API key (printed once)")
    sandbox.add_argument("org_id")
    sandbox.add_argument("--scope", action="append", required=True, choices=scopes, dest="scopes")

    commands.add_parser(
        "rotate-signing-key", help="a new JWT signing key; the old one keeps verifying as 'previous'"
    )

    storefront = commands.add_parser("create-storefront", help="create a storefront of a partner org")
    storefront.add_argument("--org", required=True, dest="org_id", help="the org's id (org_...)")
    storefront.add_argument("--handle", required=True, help="@ followed by 3-30 of A-Z a-z 0-9 _ .")
    storefront.add_argument("--name", required=True)
    storefront.add_argument("--currency", required=True, help="ISO 4217 code, e.g. EUR (fixed for good)")
    storefront.add_argument("--visibility", default="public", choices=get_args(Visibility))
    storefront.add_argument("--description")

    export = commands.add_parser("export-org", help="write everything stored about a partner org to a zip")
    export.add_argument("org_id")
    export.add_argument("--output", type=Path, required=True, help="the zip to write (FILE.zip)")
    erase = commands.add_parser(
        "erase-org", help="erase a partner org: every record and file, for good (its orders anonymised)"
    )
    erase.add_argument("org_id")
    erase.add_argument("--yes", action="store_true", help="yes, erase it (refused without)")
    customer = commands.add_parser("erase-customer", help="erase a shopper's personal data from an org")
    customer.add_argument("org_id")
    customer.add_argument("email")
    return root


class BadArguments(Exception):
    """Arguments that parse but are not valid (exit code 2, as argparse's own usage errors)."""


def _client(client: Client) -> dict[str, Any]:
    """What an operator may see of a client: never a secret hash."""
    return {
        "client_id": client.client_id,
        "org_id": client.org_id,
        "scopes": sorted(client.scopes),
        "status": client.status,
        "rate_tier": client.rate_tier,
        "created_at": client.created_at,
    }


def _org(org: Org) -> dict[str, Any]:
    return {**asdict(org), "tryon_types": sorted(org.tryon_types)}


def run_partner(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    if args.command == "rotate-signing-key":
        kid = rotate_signing_key(stack.secretsmanager(), stack.signing_key_secret)
        return {
            "kid": kid,
            "note": "Running containers sign with it and publish it in the JWKS within "
            "SECRET_CACHE_SECONDS (300 s). Tokens signed with the previous key keep verifying; rotate "
            "again only after they expire (1 h + 300 s), or they stop verifying.",
        }
    service = PartnerService(PartnerStore(stack.dynamodb(), stack.partner_table))
    match args.command:
        case "create-org":
            usage = UsageService(UsageStore(stack.dynamodb(), stack.table))
            org = provision_org(
                service,
                usage,
                args.handle,
                display_name=args.display_name,
                twin_active=args.twin_active,
                plan=args.plan,
                user_id=args.user_id,
            )
            return _org(org)
        case "set-tryon":
            return _org(service.set_tryon_types(args.org_id, [t for t in args.types if t != "none"]))
        case "add-domain":
            domain, added = service.add_domain(service.get_org(args.org_id).org_id, args.domain)
            return {**asdict(domain), "added": added}
        case "remove-domain":
            service.remove_domain(args.org_id, args.domain)
            return {"org_id": args.org_id, "domain": args.domain, "removed": True}
        case "create-client":
            record, client_secret = service.create_client(args.org_id, args.scopes, args.rate_tier)
            return {
                **_client(record),
                "client_secret": client_secret,
                "note": "Store this secret now: it is not shown again.",
            }
        case "rotate-client-secret":
            record, client_secret = service.rotate_secret(args.client_id, args.grace_seconds)
            return {
                **_client(record),
                "client_secret": client_secret,
                "previous_secret_expires_at": record.previous_secret_expires_at,
                "note": "Store this secret now: it is not shown again.",
            }
        case "revoke-client":
            service.revoke_client(args.client_id)
            return {"client_id": args.client_id, "status": "revoked"}
        case "set-rate-tier":
            service.set_rate_tier(args.client_id, args.tier)
            return {"client_id": args.client_id, "rate_tier": args.tier}
        case "create-sandbox-key":
            key, api_key = service.create_sandbox_key(args.org_id, args.scopes)
            return {
                "key_id": key.key_id,
                "org_id": key.org_id,
                "scopes": sorted(key.scopes),
                "api_key": api_key,
                "note": "Store this key now: it is not shown again.",
            }
    raise AssertionError(args.command)


def _storefront_request(args: argparse.Namespace) -> StorefrontCreate:
    """The storefront as ``POST /v1/storefronts`` takes it, validated by the same model; a mistake names
    its option."""
    fields = {
        "handle": args.handle,
        "name": args.name,
        "currency": args.currency,
        "visibility": args.visibility,
        **({"description": args.description} if args.description is not None else {}),
    }
    try:
        return StorefrontCreate.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        option = "--" + "-".join(str(part) for part in first["loc"])
        raise BadArguments(f"{option}: {str(first['msg']).removeprefix('Value error, ')}") from None


def run_commerce(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    request = _storefront_request(args)
    dynamodb = stack.dynamodb()
    org = PartnerService(PartnerStore(dynamodb, stack.partner_table)).get_org(args.org_id)
    storefronts = StorefrontService(CommerceStore(dynamodb, stack.commerce_table))
    return dict(storefronts.create(org.org_id, request).public())


def run_privacy(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    from fashionos.privacy.erase import erase_customer, erase_org
    from fashionos.privacy.export import write_export
    from fashionos.privacy.stores import Stores

    if args.command == "erase-org" and not args.yes:
        raise BadArguments(f"erase-org deletes every record and file of {args.org_id} for good: add --yes")
    stores = Stores.of(stack.privacy(), stack.dynamodb(), stack.s3)
    match args.command:
        case "export-org":
            try:
                with args.output.open("wb") as out:
                    files = write_export(args.org_id, out, stores)
            except BaseException:
                args.output.unlink(missing_ok=True)  # no half-written zip
                raise
            return {"org_id": args.org_id, "output": str(args.output), "files": files}
        case "erase-org":
            counts = erase_org(args.org_id, stores)
            if not any(counts.values()):  # a rerun after a full erasure, or a typo: say which it may be
                return {"org_id": args.org_id, "erased": counts, "note": NOTHING_FOUND}
            return {"org_id": args.org_id, "erased": counts}
        case "erase-customer":
            PartnerService(PartnerStore(stack.dynamodb(), stack.partner_table)).get_org(args.org_id)
            try:
                email = CustomerErase.model_validate({"email": args.email}).email
            except ValidationError:
                raise BadArguments(f"not an email address: {args.email!r}") from None
            return {"org_id": args.org_id, "orders_erased": erase_customer(args.org_id, email, stores)}
    raise AssertionError(args.command)


COMMERCE_COMMANDS = frozenset({"create-storefront"})
PRIVACY_COMMANDS = frozenset({"export-org", "erase-org", "erase-customer"})
NOTHING_FOUND = "Nothing of this org was found: it was erased already, or there is no such org"
PARTNER_COMMANDS = frozenset(
    {
        "create-org",
        "set-tryon",
        "add-domain",
        "remove-domain",
        "create-client",
        "rotate-client-secret",
        "revoke-client",
        "set-rate-tier",
        "create-sandbox-key",
        "rotate-signing-key",
    }
)


def run(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    if args.command in PARTNER_COMMANDS:
        return run_partner(args, stack)
    if args.command in COMMERCE_COMMANDS:
        return run_commerce(args, stack)
    if args.command in PRIVACY_COMMANDS:
        return run_privacy(args, stack)
    service = UsageService(UsageStore(stack.dynamodb(), stack.table))
    match args.command:
        case "set-plan":
            limits = PlanLimits(args.ar_tryons, args.ai_tryons, args.api_calls, args.products)
            return asdict(service.set_plan(args.name, limits))
        case "create-user":
            return asdict(service.create_user(args.plan, args.user_id))
        case "set-user-plan":
            service.set_user_plan(args.user_id, args.plan)
            return {"user_id": args.user_id, "plan": args.plan}
        case "create-api-key":
            record, api_key = service.create_api_key(args.user_id)
            return {
                "key_id": record.key_id,
                "user_id": record.user_id,
                "api_key": api_key,
                "note": "Store this key now: it is not shown again.",
            }
        case "deactivate-api-key":
            service.deactivate_api_key(args.key_id)
            return {"key_id": args.key_id, "active": False}
        case "usage":
            user_id = args.user_id
            if user_id.startswith("org_"):
                partners = PartnerService(PartnerStore(stack.dynamodb(), stack.partner_table))
                user_id = partners.get_org(user_id).user_id
            return asdict(service.usage_report(user_id, args.period))
        case "rotate-handshake":
            if args.finish:
                retire_previous_handshake(stack.secretsmanager(), stack.handshake_secret)
                return {
                    "previous": "retired",
                    "note": "Functions stop accepting the previous token within SECRET_CACHE_SECONDS (300 s)",
                }
            token = rotate_handshake(stack.secretsmanager(), stack.handshake_secret)
            return {
                "handshake": token,
                "note": "Accepted at once; the previous token stays valid until rotate-handshake --finish.",
            }
        case "deprecated-usage":  # the Partner API's calls (per client) and the Integration API's
            tables = (stack.partner_table, stack.table)
            calls = [row for table in tables for row in deprecation.usage(stack.dynamodb(), table)]
            return {"calls": sorted(calls, key=lambda row: (row["deprecation"], -row["calls"]))}
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        stack = (
            deployed_stack(args.stack, args.region, args.profile)
            if args.stack
            else local_stack(args.local_state / "stack.json")
        )
        result = run(args, stack)
    except BadArguments as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (DomainError, StackNotFound) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as error:
        print(f"error: AWS call failed: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
