"""``make bench``: cold start, throughput, warm-path and Design Vault figures, each against a baseline from
the same run.

The table goes to stdout and into README.md between ``<!-- bench:start -->`` and ``<!-- bench:end -->``;
progress goes to stderr. Budgets (DESIGN.md) are reported, never asserted: the exit code is 0 whenever the
benchmarks ran. ``--only SECTION`` (repeatable) runs some sections alone, e.g.
``python -m bench --only commerce``; README.md is then left alone (its table is the whole run's). Sections:
coldstart, tokens, stack, commerce, engagement, webhooks, vault.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from bench import ROOT, coldstart, commerce, engagement, throughput, tokens, vault, warmpath, webhooks
from bench.awscalls import Call, instrumented, replay
from bench.devstack import DevStack
from bench.report import Row, machine, markdown_section, text_table, today, verdict, write_readme
from bench.throughput import BotoCall, HttpPost, Rate, describe_failures

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PATH = "/api/v1/integration/increase-tryon-usage-count"
RAW_KEY = {"pk": {"S": "BENCH#raw"}, "sk": {"S": "BENCH"}}  # the raw baseline's own counter item
# The application's rate limiter allows 3,000 requests a minute per caller (template default); these caps
# keep every caller of this benchmark under it, so no request is refused with 429.
MAX_REQUESTS, MAX_SAMPLES = 2000, 400
# What --only can pick: "stack" is the throughput and warm-increment rows, "commerce" the upsert and order
# rows, "engagement" the try-on session start and affiliate redirect rows (all three on the local stack);
# "vault" the Design Vault's presign and upload-confirm rows (in this process, on a moto server of its own).
SECTIONS = ("coldstart", "tokens", "stack", "commerce", "engagement", "webhooks", "vault")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _ms(seconds: float, digits: int = 1) -> str:
    return f"{seconds * 1000:.{digits}f} ms"


def _ratio(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.2f}x" if baseline > 0 else "n/a"


def _cold_start_row(result: coldstart.ColdStart, floor: coldstart.ColdStart) -> Row:
    metric = f"Cold start: {result.name} (import + DynamoDB client)"
    budget = f"≤ {coldstart.BUDGET:.2f}x"
    if result.error is not None:
        return Row(metric, "import failed", _ms(floor.total, 0), "n/a", budget, "ERROR")
    return Row(
        metric,
        _ms(result.total, 0),
        _ms(floor.total, 0),
        _ratio(result.total, floor.total),
        budget,
        verdict(result.total <= coldstart.BUDGET * floor.total),
    )


def cold_start_rows(rounds: int, warnings: list[str]) -> tuple[list[Row], list[str]]:
    handlers = coldstart.handlers()
    _progress(f"cold start: floor and {len(handlers)} handlers, {rounds} rounds of fresh interpreters")
    floor, results = coldstart.measure(rounds, handlers)
    rows = [_cold_start_row(result, floor) for result in results]
    warnings += [f"cold start: importing {r.name} failed: {r.error}" for r in results if r.error]
    imports = ", ".join(
        f"{result.name} {_ms(result.imports, 0)} ({_ratio(result.imports, floor.imports)})"
        for result in results
        if result.error is None
    )
    notes = [
        "Cold start: every function of template.yaml, imported as the Lambda Python runtime imports it: "
        "each sample is a fresh `python -I -S` with awslambdaric's bootstrap imported first, then the "
        "function's CodeUri first on `sys.path`, the layer (`layers/` and its requirements only) next, "
        "the runtime's libraries after the standard library, and the function's environment from the "
        "template (no AWS credentials); it times itself with `perf_counter` from there (interpreter "
        "start-up and the bootstrap, the same for both, are left out). Floor = `import boto3` + "
        "`boto3.client('dynamodb', region_name='us-east-1')`; ours = `import <the Handler's module>` + "
        "the same client call: a handler creates its client lazily on its first request, so a cold start "
        "pays for it anyway, and creating it the same way on both sides keeps the comparison about "
        "imports (the Secrets Manager client of the first request is left out of both). "
        f"One discarded run per variant writes the bytecode caches; then medians of {rounds} interleaved "
        f"rounds. Import alone: floor `import boto3` {_ms(floor.imports, 0)}; {imports}.",
    ]
    return rows, notes


def _token_row(metric: str, result: tokens.Compared, samples: int, budget_ms: float) -> Row:
    return Row(
        f"{metric} ({result.aws_calls} key fetches in {samples} calls)",
        _ms(result.ours_p50, 3),
        _ms(result.raw_p50, 3),
        _ratio(result.ours_p50, result.raw_p50),
        f"< {budget_ms:g} ms, no key fetch",
        verdict(result.ours_p50 < budget_ms / 1000 and result.aws_calls == 0),
    )


def token_rows(samples: int) -> tuple[list[Row], list[str]]:
    _progress(f"tokens: {samples} issue/encode and {samples} verify/decode pairs, in process")
    issuance, verification = tokens.measure(samples)
    rows = [
        _token_row(
            "Token issuance p50: `TokenIssuer.issue` vs raw `jwt.encode`",
            issuance,
            samples,
            tokens.ISSUE_BUDGET_MS,
        ),
        _token_row(
            "Authorizer verification p50: `TokenVerifier.verify` vs raw `jwt.decode`",
            verification,
            samples,
            tokens.VERIFY_BUDGET_MS,
        ),
    ]
    notes = [
        "Tokens: in this process; the keys are loaded once by `SigningKeys.load` from an in-process moto "
        "Secrets Manager secret seeded with `initial_secret_value()` (one RSA-2048 key). Issuance: ours = "
        "`TokenIssuer.issue` (claims, a new `jti`, RS256 signature); raw = `jwt.encode` of the same claims "
        "and headers with the same loaded private key object. Verification: ours = `TokenVerifier.verify` "
        "(header checks, key by kid, decode, claim checks); raw = `jwt.decode(token, public key, "
        "algorithms=['RS256'], audience=..., issuer=...)` of the same token with the same public key "
        f"object. Ours and raw alternate, after a warm-up; medians of {samples} samples each; key fetches = "
        "AWS calls made while the samples ran.",
    ]
    return rows, notes


def webhook_rows(deliveries: int, warnings: list[str]) -> tuple[list[Row], list[str]]:
    _progress(
        f"webhooks: ~{deliveries} deliveries each through the delivery handler on moto, on in-memory "
        "stores, and as plain POSTs, to a receiver process"
    )
    result = webhooks.measure(deliveries)
    plain = result.plain.per_second
    for name, side in (
        ("delivery handler on moto", result.on_moto),
        ("delivery handler on in-memory stores", result.in_memory),
        ("plain POSTs", result.plain),
    ):
        if side.failed:
            warnings.append(
                f"webhooks: {name}: {side.failed} of {side.delivered + side.failed} not delivered"
            )
    if result.received != result.sent:
        warnings.append(f"webhooks: the receiver got {result.received} POSTs; {result.sent} were made")
    if 0 < result.threads < webhooks.BATCH:
        waves = -(-webhooks.BATCH // result.threads)
        warnings.append(
            f"webhooks: a batch of {webhooks.BATCH} records ran on {result.threads} threads, not one per "
            "record (`asyncio.to_thread` uses the event loop's default executor: min(32, CPUs + 4)); "
            f"{webhooks.BATCH} endpoints that each hit the {webhooks.SEND_TIMEOUT:g} s send timeout hold "
            f"one invocation {waves * webhooks.SEND_TIMEOUT:g} s"
        )
    calls = ", ".join(result.operations)
    label = "Webhook deliveries/s: delivery handler on {} vs plain POSTs ({} threads)"
    rows = [
        Row(
            label.format(f"moto DynamoDB ({len(result.operations)} calls each)", webhooks.WORKERS),
            f"{result.on_moto.per_second:.0f}/s",
            f"{plain:.0f}/s",
            _ratio(result.on_moto.per_second, plain),
            "— (informational)",
            "-",
        ),
        Row(
            label.format("in-memory stores (our code only)", webhooks.WORKERS),
            f"{result.in_memory.per_second:.0f}/s",
            f"{plain:.0f}/s",
            _ratio(result.in_memory.per_second, plain),
            "— (informational)",
            "-",
        ),
    ]

    def extra_ms(side: webhooks.Side) -> str:
        per_second = side.per_second
        return _ms(1 / per_second - 1 / plain, 2) if per_second > 0 and plain > 0 else "n/a"

    def slower(side: webhooks.Side) -> str:
        return _ratio(plain, side.per_second)

    notes = [
        "Webhook deliveries: a receiver process on 127.0.0.1 (`tests.receiver.Receiver`, no signature "
        "check, each answer written in one segment with TCP_NODELAY); in this process, with "
        "`WebhookDeliveryFunction`'s environment from the template and `WEBHOOK_ALLOW_LOOPBACK=true`, "
        f"`deliver.lambda_handler` on SQS events of {webhooks.BATCH} first-receive records, each a new "
        f"event ({result.body_bytes}-byte envelope), to an endpoint made by `WebhookService.create`. "
        f"On moto: the stores on the template's tables in in-process moto; each delivery makes {calls} "
        "and one signed POST. In-memory: the same handler and `DeliveryWorker` with its three stores "
        "replaced by dictionaries, so what it adds over a raw POST is our code (batch handling, URL "
        "check, signing, attempt bookkeeping). Baseline: the same bodies, with headers of the same size, "
        f"POSTed through one `urllib3.PoolManager` by a `ThreadPoolExecutor` of {webhooks.WORKERS}. "
        f"{result.on_moto.delivered + result.on_moto.failed} deliveries per side, in "
        f"{webhooks.ROUNDS} rotating rounds after a warm-up; rate = 2xx deliveries / the side's wall "
        f"time. Plain POSTs are {slower(result.in_memory)} as fast as the in-memory handler (our code: "
        f"{extra_ms(result.in_memory)} more of this process per delivery) and {slower(result.on_moto)} "
        f"as fast as the handler on moto ({extra_ms(result.on_moto)} more per delivery, nearly all of "
        "it the DynamoDB calls through boto3 to in-process moto: compare ratios, not rates, with AWS). "
        f"The handler's batch ran on {result.threads} threads (its own pool, one per record).",
    ]
    return rows, notes


def vault_rows(presigns: int, messages: int, warnings: list[str]) -> tuple[list[Row], list[str]]:
    _progress(
        f"vault: {presigns} upload_form/generate_presigned_post pairs in process; {messages} uploads "
        "confirmed by UploadConfirmer and as many by their raw calls, on a moto server of its own"
    )
    presign = vault.measure_presign(presigns)
    confirm = vault.measure_confirm(messages)
    others = {outcome: n for outcome, n in confirm.outcomes.items() if outcome != "available"}
    if others or confirm.outcomes["available"] != messages:
        warnings.append(
            f"vault: {messages} uploads confirmed, outcomes {dict(confirm.outcomes)} (all available?)"
        )
    warnings += [f"vault: not left available: {m}" for m in confirm.mismatches[:5]]
    if len(confirm.mismatches) > 5:
        warnings.append(f"vault: ... {len(confirm.mismatches)} assets in all not left available")
    if confirm.shapes > 1:
        warnings.append(f"vault: the confirms made {confirm.shapes} different sequences of AWS calls")
    ours, raw = confirm.ours_per_second, confirm.raw_per_second
    rows = [
        Row(
            "Presign p50: `VaultBucket.upload_form` vs raw `generate_presigned_post` (same fields, "
            f"conditions, client; {presign.samples} samples)",
            _ms(presign.ours_p50, 3),
            _ms(presign.raw_p50, 3),
            _ratio(presign.ours_p50, presign.raw_p50),
            f"≤ {vault.PRESIGN_BUDGET:.1f}x raw",
            verdict(presign.ours_p50 <= vault.PRESIGN_BUDGET * presign.raw_p50),
        ),
        Row(
            "Upload confirms/s on moto: `UploadConfirmer.confirm` vs its "
            f"{len(confirm.operations)} AWS calls raw (one message at a time)",
            f"{ours:.0f}/s",
            f"{raw:.0f}/s",
            _ratio(ours, raw),
            "— (informational)",
            "-",
        ),
        Row(
            "Our code per confirmed upload p50 (`new_objects` + `confirm` - its AWS calls)",
            _ms(confirm.code_p50, 3),
            f"{_ms(confirm.aws_p50, 2)} in AWS calls",
            _ratio(confirm.code_p50, confirm.aws_p50),
            f"< {warmpath.BUDGET_MS:g} ms",
            verdict(confirm.code_p50 < warmpath.BUDGET_MS / 1000),
        ),
    ]
    notes = [
        "Presign: in this process, no request sent (presigning is local); one S3 client (fake credentials, "
        "us-east-1, `Config(signature_version='s3v4')`, as `fashionos.aws.s3` makes it). Ours = "
        "`VaultBucket.upload_form` (the key's fields and conditions built, `generate_presigned_post`, an "
        "`UploadForm` of its answer); raw = `generate_presigned_post` of the same bucket, key, the same "
        f"fields and conditions (built once, checked to sign the same {presign.conditions} policy "
        f"conditions; {presign.fields} form fields each) and the same 15-minute expiry. After "
        f"{vault.WARMUP} warm-up pairs ours and raw alternate; medians of {presign.samples} samples each.",
        "Upload confirms: a moto server of its own (`devserver.moto_server.MotoServer`, its own process; "
        "no pollers, nothing else reads the upload queue) with template.yaml's resources "
        "(`create_resources`); in this process, "
        f"{vault.CONFIRM_WARMUP + messages} pending assets per side written with `AssetStore.put_asset` as "
        f"`AssetService.create` makes them, each one's file PUT ({len(vault.FILE):,}-byte PNG, its type, "
        "SHA-256 checksum and the pending tag); the queue's notifications of those PUTs are left unread and "
        "purged, and each message body is built in S3's form (one `ObjectCreated:Post` record with the "
        "version). Ours = `new_objects(body)` and `UploadConfirmer.confirm` of it, on an `AssetStore` and a "
        "`VaultBucket` built on the same boto3 clients as the raw side: every file accepted (`available`, "
        f"the longest path: {', '.join(confirm.operations)}). Raw = those {len(confirm.operations)} calls "
        "with the same parameters for an asset of its own (ids, key and version known beforehand: no "
        f"parsing, no checks). After {vault.CONFIRM_WARMUP} warm-up messages per side, ours and raw "
        f"alternate one message at a time, every botocore call of both timed; rate = {messages} messages / "
        "the side's summed wall time (p50 per message: "
        f"{_ms(confirm.ours_p50, 2)} ours, {_ms(confirm.raw_p50, 2)} raw); 'our code' = ours' wall time - "
        "its time in AWS calls (SDK calls, and the ranged GetObject's body read and close), per message "
        "(the warm-path budget, as for a handler). Every asset of both "
        f"sides is then checked `available` with its version ({len(confirm.mismatches)} not). moto-bound "
        "rates: compare the ratio, not the rates, with AWS.",
    ]
    return rows, notes


def tryon_total(client: DynamoDBClient, table: str, user_id: str) -> int:
    """The user's AR try-ons over every period (a month boundary mid-run cannot hide an increment)."""
    total = 0
    for page in client.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :usage)",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user_id}"}, ":usage": {"S": "USAGE#"}},
        ConsistentRead=True,
    ):
        total += sum(int(item["ar_tryons"]["N"]) for item in page["Items"] if "ar_tryons" in item)
    return total


def raw_total(client: DynamoDBClient, table: str) -> int:
    item = client.get_item(TableName=table, Key=RAW_KEY, ConsistentRead=True).get("Item", {})
    return int(item["n"]["N"]) if "n" in item else 0


def _check(name: str, rate: Rate, moved: int, warnings: list[str]) -> None:
    if rate.failed:
        warnings.append(
            f"{name}: {rate.failed} of {rate.failed + rate.succeeded} failed ({describe_failures(rate)})"
        )
    if moved != rate.succeeded:
        warnings.append(f"{name}: the counter moved by {moved}, but {rate.succeeded} calls succeeded")


def stack_rows(
    stack: DevStack, requests: int, workers: int, samples: int, warnings: list[str]
) -> tuple[list[Row], list[str]]:
    table = stack.outputs["IntegrationTableName"]
    user_id = str(stack.credentials["user_id"])
    body = json.dumps(
        {"handshake": stack.credentials["handshake"], "type": "AR", "count": 1, "user_id": user_id}
    ).encode()
    client: DynamoDBClient = boto3.client(
        "dynamodb",
        endpoint_url=stack.moto_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto
        config=Config(max_pool_connections=workers),
    )

    with warmpath.in_process_gateway(stack) as gateway:
        with instrumented():
            calls = warmpath.record_request(gateway, PATH, body, warmup=10)
        operations = [call.operation for call in calls]

        _progress(f"throughput: {requests} increments through the dev gateway, {workers} workers")
        warm_up = HttpPost(stack.base_url, PATH, body)
        try:
            for _ in range(5):
                warm_up()
        finally:
            warm_up.close()
        before = tryon_total(client, table, user_id)
        http_rate = throughput.run(lambda: HttpPost(stack.base_url, PATH, body), requests, workers)
        http_moved = tryon_total(client, table, user_id) - before
        _check("dev gateway", http_rate, http_moved, warnings)

        _progress(f"throughput: {requests} raw UpdateItem ADD, {workers} workers")

        def add() -> object:
            return client.update_item(
                TableName=table,
                Key=RAW_KEY,
                UpdateExpression="ADD n :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

        for _ in range(5):
            add()
        before = raw_total(client, table)
        add_rate = throughput.run(lambda: BotoCall(add), requests, workers)
        _check("raw UpdateItem ADD", add_rate, raw_total(client, table) - before, warnings)

        _progress(f"throughput: {requests} raw replays of one request's {len(calls)} DynamoDB calls")

        def sequence() -> None:
            replay(client, calls)

        sequence_rate = throughput.run(lambda: BotoCall(sequence), requests, workers)
        if sequence_rate.failed:
            warnings.append(f"raw replay: {sequence_rate.failed} failed ({describe_failures(sequence_rate)})")

        _progress(f"warm path: {samples} handler/replay pairs, then {samples} HTTP round trips")
        http = HttpPost(stack.base_url, PATH, body)
        try:
            with instrumented():
                warm = warmpath.measure(gateway, http, PATH, body, calls, samples)
        finally:
            http.close()

    stall = warm.http_p50 - warm.handler_p50
    if stall > 0.030:
        warnings.append(
            f"dev gateway: an HTTP round trip takes {_ms(stall)} more than the handler it runs; a gap near "
            "40 ms is the Nagle / delayed-ACK stall of a response written as two TCP segments (headers, then "
            "body) on a socket without TCP_NODELAY"
        )
    pool_warnings = len(re.findall("Connection pool is full", stack.log_tail(lines=100_000)))
    if pool_warnings:
        warnings.append(
            f"dev gateway: urllib3 discarded {pool_warnings} connections ('Connection pool is full'): the "
            f"handlers' one boto3 client (default pool of 10) is shared by {workers} request threads"
        )

    n_calls = f"{len(calls)} DynamoDB calls"
    rows = [
        Row(
            f"Increments/s through the dev gateway vs raw `UpdateItem ADD` ({workers} workers)",
            f"{http_rate.per_second:.0f}/s",
            f"{add_rate.per_second:.0f}/s",
            _ratio(http_rate.per_second, add_rate.per_second),
            "— (informational)",
            "-",
        ),
        Row(
            f"Increments/s through the dev gateway vs the same {n_calls} raw ({workers} workers)",
            f"{http_rate.per_second:.0f}/s",
            f"{sequence_rate.per_second:.0f}/s",
            _ratio(http_rate.per_second, sequence_rate.per_second),
            "— (informational)",
            "-",
        ),
        Row(
            f"Counter moved by {workers} concurrent workers' increments",
            f"+{http_moved}",
            f"{http_rate.succeeded} x 200",
            _ratio(http_moved, http_rate.succeeded),
            "exact (lose nothing)",
            verdict(http_moved == http_rate.succeeded and http_rate.failed == 0),
        ),
        Row(
            f"Warm increment p50: handler vs its {n_calls} replayed",
            _ms(warm.handler_p50, 2),
            _ms(warm.replay_p50, 2),
            _ratio(warm.handler_p50, warm.replay_p50),
            "— (next row)",
            "-",
        ),
        Row(
            "Our code per warm request p50 (handler - its AWS calls)",
            _ms(warm.overhead_p50, 2),
            f"{_ms(warm.handler_aws_p50, 2)} in AWS calls",
            _ratio(warm.overhead_p50, warm.handler_aws_p50),
            "< 1 ms",
            verdict(warm.overhead_p50 < warmpath.BUDGET_MS / 1000),
        ),
        Row(
            "Warm increment p50 over HTTP through the dev gateway",
            _ms(warm.http_p50, 2),
            _ms(warm.replay_p50, 2),
            _ratio(warm.http_p50, warm.replay_p50),
            "— (dev only)",
            "-",
        ),
    ]
    notes = [
        "Throughput: `python -m devserver --port 0` in its own process (moto server + dev gateway + demo "
        "data; the function in its Lambda containers, at most 8 at once, each a process of its own); "
        f"{requests} `increase-tryon-usage-count` POSTs (AR, count 1, demo `user_id`), {workers} "
        "threads with one kept-alive HTTP connection each, started together; rate = 200 responses / wall "
        f"time. Baselines on the same moto server and table, same {requests} operations and {workers} "
        f"threads, one boto3 client (`max_pool_connections={workers}`): raw `UpdateItem ADD n :one` on an "
        f"item of its own, and the {n_calls} one warm request makes ({', '.join(operations)}), recorded "
        "and replayed raw. moto serialises its work, so these are moto-bound rates: compare the ratios, not "
        "the absolute figures, with AWS.",
        "Counter check: the user's `ar_tryons` (all periods, strongly consistent read) before and after the "
        "concurrent run must move by exactly the number of 200 responses (and the raw counter by the number "
        "of successful raw ADDs).",
        "Warm path: the handlers in this process behind the dev gateway's routing (no HTTP), on the same "
        "moto server, with the template's function environment; every botocore call timed. Per request: "
        "handler wall time, and its time inside AWS SDK calls; the baseline replays the recorded calls of "
        "one warm request back to back through the handler's own client, alternating with the handler "
        "samples (HTTP samples are taken afterwards, on their own). "
        f"Medians of {warm.samples} samples each; 'our code' is handler - AWS-call time per request "
        f"(cross-check: p50 difference {_ms(warm.handler_p50 - warm.replay_p50, 2)}). The HTTP row adds the "
        "local HTTP server, which API Gateway replaces in production.",
    ]
    return rows, notes


def _change_rows(what: str, result: warmpath.WarmChange) -> list[Row]:
    return [
        Row(
            f"Warm {what} p50: handler vs its {len(result.calls)} DynamoDB calls replayed",
            _ms(result.handler_p50, 2),
            _ms(result.replay_p50, 2),
            _ratio(result.handler_p50, result.replay_p50),
            "— (next row)",
            "-",
        ),
        Row(
            f"Our code per {what} p50 (handler - its AWS calls)",
            _ms(result.overhead_p50, 2),
            f"{_ms(result.handler_aws_p50, 2)} in AWS calls",
            _ratio(result.overhead_p50, result.handler_aws_p50),
            "< 1 ms",
            verdict(result.overhead_p50 < warmpath.BUDGET_MS / 1000),
        ),
    ]


def _described(calls: list[Call]) -> str:
    """``GetItem, ..., TransactWriteItems (9 items)``."""
    return ", ".join(
        f"{call.operation} ({len(call.params['TransactItems'])} items)"
        if call.operation == "TransactWriteItems"
        else call.operation
        for call in calls
    )


def commerce_rows(stack: DevStack, samples: int, warnings: list[str]) -> tuple[list[Row], list[str]]:
    _progress(
        f"commerce: {samples} product upserts and {samples} 3-line orders through their handlers, each "
        "next to its own calls replayed raw on a twin storefront"
    )
    with warmpath.in_process_gateway(stack) as gateway, instrumented():
        result = commerce.measure(gateway, stack, samples)
    upsert, order = result.upsert, result.order
    for what, side in (("product upsert", upsert), ("order create", order)):
        if side.shapes > 1:
            warnings.append(
                f"commerce: the {what} requests made {side.shapes} different sequences of AWS calls (a "
                "write retried after a conflict?): the replays repeat each one's own"
            )
    warnings += [f"commerce: the twin storefront is not in lockstep: {m}" for m in result.mismatches]
    rows = _change_rows("product upsert (a changed title each time)", upsert) + _change_rows(
        f"{len(commerce.ORDER_SKUS)}-line order create", order
    )
    notes = [
        "Commerce warm paths: the handlers in this process behind the dev gateway's routing (no HTTP), on "
        "the local stack's moto server, with the template's function environment, every botocore call "
        f"timed; the caller is an OAuth client of the demo org on the `{commerce.RATE_TIER}` tier (a sandbox "
        "key's 100 requests a minute would refuse most of them), and the authorizer runs before each "
        f"request, outside the handler's time. Upsert: `POST /v1/storefronts/{{id}}/products` of one listing "
        f"(sku {commerce.UPSERT_SKU}, no variants), its title alternating, so each request replaces it (200, "
        f"a new version, `product.updated`): {_described(upsert.calls)}. Order: `POST /v1/orders` of "
        f"{len(commerce.ORDER_SKUS)} lines ({', '.join(commerce.ORDER_SKUS)}, quantity 1 each; "
        f"{commerce.STOCK:,} of each on hand first): {_described(order.calls)}. (The first UpdateItem of "
        "each is the rate limit's count.) A write of either succeeds once, so the baseline is each request's "
        "own recorded calls, replayed raw through the handler's client on a twin storefront set up through "
        "the API alike (same listings, stock, versions), with our ids swapped for the twin's and new ids for "
        "what the request creates (order, event, stock records): every condition holds and every write "
        "writes, as for the handler; the twin runs one request behind and is checked against ours at the "
        f"end ({'in lockstep' if not result.mismatches else 'NOT in lockstep'}). After "
        f"{warmpath.WARMUP} warm-up requests, handler and replay alternate; medians of {upsert.samples} "
        "samples each; 'our code' is handler - AWS-call time per request (cross-check: p50 difference "
        f"{_ms(upsert.handler_p50 - upsert.replay_p50, 2)} upsert, "
        f"{_ms(order.handler_p50 - order.replay_p50, 2)} order). What each request and each replay "
        "created, keyed by an id it made (order, stock records, event and its sequence item), is deleted "
        "after it, untimed, so that every sample meets the same tables. Those calls stay slow on moto: "
        "compare the 'our code' rows, not the milliseconds, with AWS.",
    ]
    return rows, notes


def engagement_rows(stack: DevStack, samples: int, warnings: list[str]) -> tuple[list[Row], list[str]]:
    _progress(
        f"engagement: {samples} try-on session starts and {samples} affiliate redirects through their "
        "handlers, each next to its own calls replayed raw on a twin org"
    )
    with warmpath.in_process_gateway(stack) as gateway, instrumented():
        result = engagement.measure(gateway, stack, samples)
    started, followed = result.tryon, result.redirect
    for what, side in (("try-on session start", started), ("redirect", followed)):
        if side.shapes > 1:
            warnings.append(
                f"engagement: the {what} requests made {side.shapes} different sequences of AWS calls (a "
                "write retried after a conflict, a new day's salt?): the replays repeat each one's own"
            )
    warnings += [f"engagement: the twin org is not in lockstep: {m}" for m in result.mismatches]
    lockstep = "in lockstep" if not result.mismatches else "NOT in lockstep"
    rows = _change_rows(f"try-on session create ({engagement.TRYON_TYPE}, no plan limit)", started)
    rows += _change_rows("affiliate redirect (GET /r/{code}, a new visitor each time)", followed)
    notes = [
        "Engagement warm paths: as the commerce ones (in this process behind the dev gateway's routing, on "
        "the local stack's moto server, the template's function environment, every botocore call timed; "
        "each request's own recorded calls replayed raw through the handler's client on a twin, here a "
        "second org set up alike, with our ids swapped for the twin's and new ids for what the request "
        "creates; what each created is deleted after it, untimed). Try-on: `POST /v1/tryon/sessions` "
        f"`{{product_id, type: {engagement.TRYON_TYPE}}}` (201) by an OAuth client of an org on the "
        f"`{commerce.RATE_TIER}` tier, whose Dashboard user's plan has no limit (so metering is a plain "
        f"ADD, not a compare-and-set), of an active listing of its storefront: {_described(started.calls)} "
        "(the rate count; the org; its storefronts and the listing; the user and plan; the session, counter, "
        "event and its sequence item); the RS256 session token is signed in the handler, in 'our code'; "
        "new per replay: the session and event ids. Redirect: `GET /r/{code}` (public; a browser's user "
        "agent; 302 with a click id, checked) of a link of the org, each request from a source address of "
        "its own (a new visitor: the per-address limit never refuses, and the visitor marker's conditional "
        f"put writes, for the handler and for the replay on the twin link): {_described(followed.calls)} "
        "(the address's rate count, the code, the visitor marker; the click, a counter shard's ADD, the "
        "event); the day's salt is read once and cached; new per replay: the click and event ids; the "
        "address's rate item and marker are deleted after each too. After "
        f"{warmpath.WARMUP} warm-up requests, handler and replay alternate; medians of {started.samples} "
        "samples each (cross-check: p50 difference "
        f"{_ms(started.handler_p50 - started.replay_p50, 2)} try-on, "
        f"{_ms(followed.handler_p50 - followed.replay_p50, 2)} redirect); the twin's AR counter and click "
        f"counts are checked against ours at the end ({lockstep}).",
    ]
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="cold-start rounds (fresh interpreters)")
    parser.add_argument("--requests", type=int, default=400, help="operations per throughput run")
    parser.add_argument("--workers", type=int, default=16, help="concurrent workers for throughput")
    parser.add_argument("--samples", type=int, default=150, help="warm-path samples")
    parser.add_argument("--token-samples", type=int, default=2000, help="token issue/verify samples")
    parser.add_argument("--deliveries", type=int, default=1000, help="webhook deliveries per side")
    parser.add_argument("--presigns", type=int, default=2000, help="vault: presign samples per side")
    parser.add_argument("--uploads", type=int, default=200, help="vault: uploads confirmed per side")
    parser.add_argument("--no-readme", action="store_true", help="print only; leave README.md alone")
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        metavar="SECTION",
        help=f"run only this section (repeatable; one of {', '.join(SECTIONS)}); implies --no-readme",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= 50:
        parser.error("--rounds must be 1-50")
    if not 1 <= args.workers <= 64 or not args.workers <= args.requests <= MAX_REQUESTS:
        parser.error(f"--workers must be 1-64 and --requests between --workers and {MAX_REQUESTS}")
    if not 1 <= args.samples <= MAX_SAMPLES:
        parser.error(f"--samples must be 1-{MAX_SAMPLES}")
    if not 1 <= args.token_samples <= 100_000:
        parser.error("--token-samples must be 1-100000")
    if not 40 <= args.deliveries <= 10_000:
        parser.error("--deliveries must be 40-10000")
    if not 1 <= args.presigns <= 100_000:
        parser.error("--presigns must be 1-100000")
    if not 1 <= args.uploads <= 5000:
        parser.error("--uploads must be 1-5000")

    sections = set(args.only or SECTIONS)
    started = time.monotonic()
    warnings: list[str] = []
    rows: list[Row] = []
    notes: list[str] = []
    if "coldstart" in sections:
        more_rows, more_notes = cold_start_rows(args.rounds, warnings)
        rows += more_rows
        notes += more_notes
    if "tokens" in sections:
        more_rows, more_notes = token_rows(args.token_samples)
        rows += more_rows
        notes += more_notes
    if sections & {"stack", "commerce", "engagement"}:
        _progress("starting the local stack (python -m devserver --port 0)")
        with (
            tempfile.TemporaryDirectory(prefix="fashionos-bench-") as state_dir,
            DevStack(Path(state_dir)) as stack,
        ):
            if "stack" in sections:
                more_rows, more_notes = stack_rows(stack, args.requests, args.workers, args.samples, warnings)
                rows += more_rows
                notes += more_notes
            if "commerce" in sections:
                more_rows, more_notes = commerce_rows(stack, args.samples, warnings)
                rows += more_rows
                notes += more_notes
            if "engagement" in sections:
                more_rows, more_notes = engagement_rows(stack, args.samples, warnings)
                rows += more_rows
                notes += more_notes
    if "webhooks" in sections:
        # In this process on in-process moto, after the local stack is gone (its CPU free, its clients
        # unused).
        more_rows, more_notes = webhook_rows(args.deliveries, warnings)
        rows += more_rows
        notes += more_notes
    if "vault" in sections:
        more_rows, more_notes = vault_rows(args.presigns, args.uploads, warnings)
        rows += more_rows
        notes += more_notes
    notes.append(
        'Budgets are DESIGN.md\'s "Performance budgets"; a verdict of OVER is reported, not a failure.'
    )

    when, where = today(), machine()
    print(f"\nBenchmarks — {when} — {where} — {time.monotonic() - started:.0f} s\n")
    print(text_table(rows))
    print()
    for note in notes:
        print(f"* {note}")
    for warning in warnings:
        print(f"WARNING: {warning}")
    if args.only:
        _progress("README.md left alone: --only runs part of the table")
    elif not args.no_readme:
        readme = ROOT / "README.md"
        section = markdown_section(rows, notes + [f"Warning: {w}" for w in warnings], when, where)
        if write_readme(readme, section):
            _progress(f"README.md: benchmarks section updated between the {_MARKERS}")
        else:
            _progress(f"README.md: no {_MARKERS} markers; the table was not written there")
    return 0


_MARKERS = "<!-- bench:start --> / <!-- bench:end -->"

if __name__ == "__main__":
    sys.exit(main())
