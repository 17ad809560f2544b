"""The template is the one source of truth for deploys and the local stack: check what both rely on."""

import importlib
import json

import pytest

from devserver.template import ApiRoute, LocalTemplate, load_template
from fashionos import __version__

TEMPLATE = load_template()
LOCAL = LocalTemplate(TEMPLATE, "unit")


def test_short_form_tags_load_as_intrinsics() -> None:
    env = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert env["TABLE_NAME"] == {"Ref": "IntegrationTable"}


def test_every_function_is_python313_arm64_and_importable() -> None:
    globals_ = TEMPLATE["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.13"
    assert globals_["Architectures"] == ["arm64"]
    for function in LOCAL.functions().values():
        module = importlib.import_module(function.module)
        assert callable(getattr(module, function.handler))


FALLBACKS = {"PartnerMethodNotAllowedFunction", "IntegrationMethodNotAllowedFunction"}  # 405 + Allow
DOCS = {"IntegrationDocsFunction", "PartnerDocsFunction"}


def test_each_integration_endpoint_has_one_function_taking_every_method() -> None:
    routes = {
        r.path: r for r in LOCAL.routes() if r.api == "IntegrationApi" and r.function not in FALLBACKS | DOCS
    }
    assert set(routes) == {
        "/api/v1/integration/increase-tryon-usage-count",
        "/api/v1/integration/increase-api-key-usage-count",
        "/api/v1/integration/set-user-product-number",
    }
    assert {r.method for r in routes.values()} == {"ANY"}  # the code answers 405 and CORS preflight
    assert len({r.function for r in routes.values()}) == 3


INTEGRATION_GRANTS = {
    "dynamodb:GetItem": {"Fn::GetAtt": ["IntegrationTable", "Arn"]},
    "dynamodb:PutItem": {"Fn::GetAtt": ["IntegrationTable", "Arn"]},
    "dynamodb:UpdateItem": {"Fn::GetAtt": ["IntegrationTable", "Arn"]},
    "secretsmanager:GetSecretValue": {"Ref": "HandshakeSecret"},
}
SIGNING_KEYS = {"secretsmanager:GetSecretValue": {"Ref": "SigningKeySecret"}}
PARTNERS = {"Fn::GetAtt": ["PartnerTable", "Arn"]}
EVENTS = {"Fn::GetAtt": ["EventTable", "Arn"]}
QUEUE = {"Fn::GetAtt": ["WebhookDeliveryQueue", "Arn"]}
COMMERCE = {"Fn::GetAtt": ["CommerceTable", "Arn"]}
TRYON = {"Fn::GetAtt": ["TryOnTable", "Arn"]}
USAGE = {"Fn::GetAtt": ["IntegrationTable", "Arn"]}
AFFILIATES = {"Fn::GetAtt": ["AffiliateTable", "Arn"]}
ASSETS = {"Fn::GetAtt": ["AssetTable", "Arn"]}
ASSET_INDEX = {"Fn::Sub": "${AssetTable.Arn}/index/ByParent"}
OBJECTS = {"Fn::Sub": "${AssetBucket.Arn}/orgs/*"}
BUCKET = {"Fn::GetAtt": ["AssetBucket", "Arn"]}
UPLOADS = {"Fn::GetAtt": ["AssetUploadQueue", "Arn"]}
EXPORTS = {"Fn::Sub": "${AssetBucket.Arn}/exports/*"}
EXPORT_QUEUE = {"Fn::GetAtt": ["ExportQueue", "Arn"]}
READ_ASSET = {"dynamodb:UpdateItem": PARTNERS, "dynamodb:GetItem": ASSETS, "dynamodb:Query": ASSETS}
GRANT = {  # the partner org, the idempotency claim; the target and its grants; the grant and its events
    "dynamodb:GetItem": [PARTNERS, ASSETS, EVENTS],
    "dynamodb:PutItem": [PARTNERS, ASSETS, EVENTS],
    "dynamodb:UpdateItem": [PARTNERS, EVENTS],
    "dynamodb:Query": ASSETS,
}
REVOKE = {"dynamodb:UpdateItem": PARTNERS, "dynamodb:GetItem": ASSETS, "dynamodb:DeleteItem": ASSETS}
GRANTS = {
    # reads, counter updates, idempotency claims in a transaction, the handshake secret
    "IncreaseTryonUsageFunction": INTEGRATION_GRANTS,
    "IncreaseApiKeyUsageFunction": INTEGRATION_GRANTS,
    "SetUserProductNumberFunction": INTEGRATION_GRANTS,
    # the client (GetItem), the failure window (GetItem; UpdateItem ADD), the signing keys
    "TokenFunction": {
        "dynamodb:GetItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        "dynamodb:UpdateItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        **SIGNING_KEYS,
    },
    # as TokenFunction, plus the revocation record (GetItem)
    "IntrospectFunction": {
        "dynamodb:GetItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        "dynamodb:UpdateItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        **SIGNING_KEYS,
    },
    # as TokenFunction, plus writing the revocation record (PutItem)
    "RevokeFunction": {
        "dynamodb:GetItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        "dynamodb:UpdateItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        "dynamodb:PutItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        **SIGNING_KEYS,
    },
    "JwksFunction": SIGNING_KEYS,
    # the custom resource that makes a new stack's first key: reads the secret, writes the key
    "SigningKeysFunction": {
        "secretsmanager:GetSecretValue": {"Ref": "SigningKeySecret"},
        "secretsmanager:PutSecretValue": {"Ref": "SigningKeySecret"},
    },
    "AuthServerMetadataFunction": {},
    # the documents and the reference page ship in the layer; the 405s read the documents
    "PartnerDocsFunction": {},
    "IntegrationDocsFunction": {},
    "PartnerMethodNotAllowedFunction": {},
    "IntegrationMethodNotAllowedFunction": {},
    # the client, the revocation record or the sandbox key (GetItem); the keys verify tokens
    "PartnerAuthorizerFunction": {
        "dynamodb:GetItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        **SIGNING_KEYS,
    },
    # the org (GetItem) and the rate window (UpdateItem ADD); nothing secret
    "MeFunction": {
        "dynamodb:GetItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        "dynamodb:UpdateItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
    },
    # Webhooks and events: every /v1 route counts its caller's rate window (UpdateItem on the partner
    # table); none reads a secret of Secrets Manager. A POST that honours Idempotency-Key reads the key's
    # record (GetItem) and writes it with its change (PutItem in the transaction), on the partner table.
    "CreateWebhookFunction": {
        "dynamodb:GetItem": PARTNERS,
        "dynamodb:PutItem": PARTNERS,
        "dynamodb:UpdateItem": PARTNERS,
    },
    "ListWebhooksFunction": {"dynamodb:Query": PARTNERS, "dynamodb:UpdateItem": PARTNERS},
    "GetWebhookFunction": {"dynamodb:GetItem": PARTNERS, "dynamodb:UpdateItem": PARTNERS},
    # the fields it changes only, conditional on the version read (UpdateItem)
    "UpdateWebhookFunction": {"dynamodb:GetItem": PARTNERS, "dynamodb:UpdateItem": PARTNERS},
    "DeleteWebhookFunction": {
        "dynamodb:GetItem": PARTNERS,
        "dynamodb:DeleteItem": PARTNERS,
        "dynamodb:UpdateItem": PARTNERS,
    },
    "RotateWebhookSecretFunction": {
        "dynamodb:GetItem": PARTNERS,
        "dynamodb:PutItem": PARTNERS,
        "dynamodb:UpdateItem": PARTNERS,
    },
    # the ping goes through the outbox: its sequence (GetItem, UpdateItem) and the event (PutItem)
    "TestWebhookFunction": {
        "dynamodb:GetItem": [PARTNERS, EVENTS],
        "dynamodb:UpdateItem": [PARTNERS, EVENTS],
        "dynamodb:PutItem": [PARTNERS, EVENTS],
    },
    "ListWebhookDeliveriesFunction": {
        "dynamodb:GetItem": PARTNERS,
        "dynamodb:Query": PARTNERS,
        "dynamodb:UpdateItem": PARTNERS,
    },
    "RecoverWebhookFunction": {
        "dynamodb:GetItem": [PARTNERS, EVENTS],
        "dynamodb:Query": PARTNERS,
        "dynamodb:UpdateItem": PARTNERS,
        "sqs:SendMessage": QUEUE,
    },
    "ListEventsFunction": {"dynamodb:UpdateItem": PARTNERS, "dynamodb:Query": EVENTS},
    "GetEventFunction": {"dynamodb:UpdateItem": PARTNERS, "dynamodb:GetItem": EVENTS},
    "ReplayEventFunction": {
        "dynamodb:GetItem": [PARTNERS, EVENTS],
        "dynamodb:Query": PARTNERS,
        "dynamodb:UpdateItem": PARTNERS,
        "sqs:SendMessage": QUEUE,
    },
    # Commerce: reads by key (GetItem; BatchGetItem for an order's skus), lists (Query); writes in one
    # transaction each (PutItem/UpdateItem/DeleteItem/ConditionCheckItem per item), with the outbox's
    # event and sequence (EVENTS) and the Idempotency-Key record (PARTNERS) where the route has them.
    "CreateStorefrontFunction": {
        "dynamodb:GetItem": PARTNERS,
        "dynamodb:PutItem": [PARTNERS, COMMERCE],
        "dynamodb:UpdateItem": PARTNERS,
    },
    "ListStorefrontsFunction": {"dynamodb:Query": COMMERCE, "dynamodb:UpdateItem": PARTNERS},
    "GetStorefrontFunction": {"dynamodb:GetItem": COMMERCE, "dynamodb:UpdateItem": PARTNERS},
    "UpdateStorefrontFunction": {"dynamodb:GetItem": COMMERCE, "dynamodb:UpdateItem": [PARTNERS, COMMERCE]},
    "UpsertProductFunction": {
        "dynamodb:GetItem": [PARTNERS, COMMERCE, EVENTS],
        "dynamodb:PutItem": [PARTNERS, COMMERCE, EVENTS],
        "dynamodb:UpdateItem": [PARTNERS, COMMERCE, EVENTS],
        "dynamodb:DeleteItem": COMMERCE,
        "dynamodb:ConditionCheckItem": COMMERCE,
    },
    "ListProductsFunction": {
        "dynamodb:GetItem": COMMERCE,
        "dynamodb:Query": COMMERCE,
        "dynamodb:UpdateItem": PARTNERS,
    },
    "GetProductFunction": {"dynamodb:GetItem": COMMERCE, "dynamodb:UpdateItem": PARTNERS},
    "ArchiveProductFunction": {
        "dynamodb:GetItem": [COMMERCE, EVENTS],
        "dynamodb:PutItem": [COMMERCE, EVENTS],
        "dynamodb:UpdateItem": [PARTNERS, COMMERCE, EVENTS],
    },
    "ListInventoryFunction": {
        "dynamodb:GetItem": COMMERCE,
        "dynamodb:Query": COMMERCE,
        "dynamodb:UpdateItem": PARTNERS,
    },
    "SetInventoryFunction": {
        "dynamodb:GetItem": COMMERCE,
        "dynamodb:PutItem": COMMERCE,
        "dynamodb:UpdateItem": [PARTNERS, COMMERCE],
    },
    "AdjustInventoryFunction": {
        "dynamodb:GetItem": [PARTNERS, COMMERCE],
        "dynamodb:PutItem": [PARTNERS, COMMERCE],
        "dynamodb:UpdateItem": [PARTNERS, COMMERCE],
    },
    "ListInventoryAdjustmentsFunction": {
        "dynamodb:GetItem": COMMERCE,
        "dynamodb:Query": COMMERCE,
        "dynamodb:UpdateItem": PARTNERS,
    },
    # with an affiliate click: the click (GetItem), its conversion and a counter shard in the transaction
    "CreateOrderFunction": {
        "dynamodb:GetItem": [PARTNERS, COMMERCE, EVENTS, AFFILIATES],
        "dynamodb:BatchGetItem": COMMERCE,
        "dynamodb:PutItem": [PARTNERS, COMMERCE, EVENTS, AFFILIATES],
        "dynamodb:UpdateItem": [PARTNERS, COMMERCE, EVENTS, AFFILIATES],
        "dynamodb:ConditionCheckItem": COMMERCE,  # the storefront is still active
    },
    "FulfillOrderFunction": {
        "dynamodb:GetItem": [PARTNERS, COMMERCE, EVENTS],
        "dynamodb:PutItem": [PARTNERS, COMMERCE, EVENTS],
        "dynamodb:UpdateItem": [PARTNERS, COMMERCE, EVENTS],
    },
    "CancelOrderFunction": {
        "dynamodb:GetItem": [PARTNERS, COMMERCE, EVENTS],
        "dynamodb:PutItem": [PARTNERS, COMMERCE, EVENTS],
        "dynamodb:UpdateItem": [PARTNERS, COMMERCE, EVENTS],
    },
    "GetOrderFunction": {"dynamodb:GetItem": COMMERCE, "dynamodb:UpdateItem": PARTNERS},
    "ListOrdersFunction": {
        "dynamodb:GetItem": COMMERCE,
        "dynamodb:Query": COMMERCE,
        "dynamodb:UpdateItem": PARTNERS,
    },
    # the org, its domains, the idempotency claim; the listing; the Dashboard user's plan and counters;
    # the session with its count and event; the signing key
    "CreateTryOnSessionFunction": {
        "dynamodb:GetItem": [PARTNERS, USAGE],
        "dynamodb:Query": [PARTNERS, COMMERCE],
        "dynamodb:BatchGetItem": COMMERCE,
        "dynamodb:PutItem": [PARTNERS, TRYON, EVENTS],
        "dynamodb:UpdateItem": [PARTNERS, USAGE, EVENTS],
        **SIGNING_KEYS,
    },
    "ListTryOnSessionsFunction": {"dynamodb:Query": TRYON, "dynamodb:UpdateItem": PARTNERS},
    "GetTryOnSessionFunction": {"dynamodb:GetItem": TRYON, "dynamodb:UpdateItem": PARTNERS},
    "RevokeTryOnSessionFunction": {
        "dynamodb:GetItem": [PARTNERS, TRYON],
        "dynamodb:UpdateItem": [PARTNERS, TRYON],
    },
    # the session its token names (verified with the signing keys), its listing
    "LoadTryOnSessionFunction": {
        "dynamodb:GetItem": [TRYON, COMMERCE],
        "dynamodb:UpdateItem": PARTNERS,
        **SIGNING_KEYS,
    },
    "CompleteTryOnSessionFunction": {
        "dynamodb:GetItem": TRYON,
        "dynamodb:UpdateItem": [PARTNERS, TRYON],
        **SIGNING_KEYS,
    },
    # Affiliates: domains are the partner table's (PutItem, Query); links, clicks, conversions and counter
    # shards the affiliate table's; clicks and conversions emit one event each, with no sequence counter
    # (PutItem on the event table only).
    "AddAffiliateDomainFunction": {
        "dynamodb:GetItem": PARTNERS,  # an Idempotency-Key's record (a repeat changes nothing: none stored)
        "dynamodb:PutItem": PARTNERS,
        "dynamodb:UpdateItem": PARTNERS,
        "dynamodb:Query": PARTNERS,
    },
    "ListAffiliateDomainsFunction": {"dynamodb:UpdateItem": PARTNERS, "dynamodb:Query": PARTNERS},
    # the org's domains, its storefronts and the listing, the link and its code's record
    "CreateAffiliateLinkFunction": {
        "dynamodb:GetItem": PARTNERS,
        "dynamodb:PutItem": [PARTNERS, AFFILIATES],
        "dynamodb:UpdateItem": PARTNERS,
        "dynamodb:Query": [PARTNERS, COMMERCE],
        "dynamodb:BatchGetItem": COMMERCE,
    },
    "ListAffiliateLinksFunction": {"dynamodb:UpdateItem": PARTNERS, "dynamodb:Query": AFFILIATES},
    "GetAffiliateLinkFunction": {
        "dynamodb:UpdateItem": PARTNERS,
        "dynamodb:GetItem": AFFILIATES,
        "dynamodb:Query": AFFILIATES,
    },
    # the link (UpdateItem, versioned), its code's record made again (PutItem), its stats (Query)
    "UpdateAffiliateLinkFunction": {
        "dynamodb:UpdateItem": [PARTNERS, AFFILIATES],
        "dynamodb:GetItem": AFFILIATES,
        "dynamodb:PutItem": AFFILIATES,
        "dynamodb:Query": AFFILIATES,
    },
    "CreateAffiliateConversionFunction": {
        "dynamodb:GetItem": [PARTNERS, AFFILIATES],
        "dynamodb:PutItem": [PARTNERS, AFFILIATES, EVENTS],
        "dynamodb:UpdateItem": [PARTNERS, AFFILIATES],
    },
    # public: the per-IP window, the code's record, the day's salt, the visitor marker, the click with its
    # counter shard and its event; never the partner table
    "AffiliateRedirectFunction": {
        "dynamodb:GetItem": AFFILIATES,
        "dynamodb:PutItem": [AFFILIATES, EVENTS],
        "dynamodb:UpdateItem": AFFILIATES,
    },
    # Design Vault: the presigned POST and GET are signed with the role's PutObject(Tagging) / GetObject
    "CreateAssetFunction": {
        "dynamodb:GetItem": [PARTNERS, ASSETS],
        "dynamodb:PutItem": [PARTNERS, ASSETS],
        "dynamodb:UpdateItem": PARTNERS,
        "dynamodb:ConditionCheckItem": ASSETS,
        "s3:PutObject": OBJECTS,
        "s3:PutObjectTagging": OBJECTS,
    },
    "ListAssetsFunction": {
        "dynamodb:UpdateItem": PARTNERS,
        "dynamodb:Query": [ASSETS, ASSET_INDEX],
        "dynamodb:BatchGetItem": ASSETS,
    },
    "GetAssetFunction": {
        "dynamodb:UpdateItem": PARTNERS,
        "dynamodb:GetItem": ASSETS,
        "dynamodb:Query": ASSET_INDEX,
    },
    "UpdateAssetFunction": {
        "dynamodb:UpdateItem": [PARTNERS, ASSETS],
        "dynamodb:GetItem": ASSETS,
        "dynamodb:PutItem": ASSETS,
        "dynamodb:ConditionCheckItem": ASSETS,
    },
    "DeleteAssetFunction": {
        **READ_ASSET,
        "dynamodb:DeleteItem": ASSETS,
        "dynamodb:BatchWriteItem": ASSETS,
        "s3:ListBucketVersions": BUCKET,
        "s3:DeleteObjectVersion": OBJECTS,
    },
    "ListAssetHistoryFunction": READ_ASSET,
    "CreateAssetGrantFunction": GRANT,
    "ListAssetGrantsFunction": READ_ASSET,
    "RevokeAssetGrantFunction": REVOKE,
    "PublishAssetFunction": {
        "dynamodb:GetItem": [PARTNERS, ASSETS, EVENTS],
        "dynamodb:UpdateItem": [PARTNERS, ASSETS, EVENTS],
        "dynamodb:Query": ASSETS,
        "dynamodb:PutItem": EVENTS,
    },
    "DownloadAssetFunction": {
        "dynamodb:GetItem": [PARTNERS, ASSETS],
        "dynamodb:UpdateItem": PARTNERS,
        "dynamodb:PutItem": ASSETS,
        "dynamodb:Query": ASSET_INDEX,
        "s3:GetObject": OBJECTS,
        "s3:GetObjectVersion": OBJECTS,
    },
    "ListAssetDownloadsFunction": READ_ASSET,
    "CreateCollectionFunction": {
        "dynamodb:GetItem": PARTNERS,
        "dynamodb:PutItem": [PARTNERS, ASSETS],
        "dynamodb:UpdateItem": PARTNERS,
    },
    "ListCollectionsFunction": {"dynamodb:UpdateItem": PARTNERS, "dynamodb:Query": ASSETS},
    "GetCollectionFunction": {
        "dynamodb:UpdateItem": PARTNERS,
        "dynamodb:GetItem": ASSETS,
        "dynamodb:Query": ASSET_INDEX,
    },
    "CreateCollectionGrantFunction": {**GRANT, "dynamodb:Query": [ASSETS, ASSET_INDEX]},
    "ListCollectionGrantsFunction": READ_ASSET,
    "RevokeCollectionGrantFunction": REVOKE,
    # the asset and its status; the object's head and first bytes, its pending tag removed or the object
    # deleted; a malformed message to the dead-letter queue at once (reading the queue: SAM's role)
    "ConfirmAssetUploadFunction": {
        "dynamodb:GetItem": ASSETS,
        "dynamodb:UpdateItem": ASSETS,
        "s3:GetObject": OBJECTS,
        "s3:GetObjectVersion": OBJECTS,
        "s3:DeleteObjectVersion": OBJECTS,
        "s3:DeleteObjectVersionTagging": OBJECTS,
        "sqs:ChangeMessageVisibility": UPLOADS,
    },
    # the idempotency claim, the export and the org's running export; the export queued
    "CreateExportFunction": {
        "dynamodb:GetItem": PARTNERS,
        "dynamodb:PutItem": PARTNERS,
        "dynamodb:UpdateItem": PARTNERS,
        "sqs:SendMessage": EXPORT_QUEUE,
    },
    # the export; its download link signed with GetObjectVersion
    "GetExportFunction": {
        "dynamodb:GetItem": PARTNERS,
        "dynamodb:UpdateItem": PARTNERS,
        "s3:GetObjectVersion": EXPORTS,
    },
    # the export and the org's running export (a transaction); every record of the org (its clicks by a
    # Scan); the asset files; the zip (reading the queue: SAM's managed role)
    "RunExportFunction": {
        "dynamodb:GetItem": PARTNERS,
        "dynamodb:PutItem": PARTNERS,
        "dynamodb:DeleteItem": PARTNERS,
        "dynamodb:BatchGetItem": PARTNERS,
        "dynamodb:Query": [PARTNERS, [COMMERCE, TRYON, ASSETS, EVENTS], AFFILIATES],
        "dynamodb:Scan": AFFILIATES,
        "s3:GetObjectVersion": OBJECTS,
        "s3:PutObject": EXPORTS,
    },
    # the org's orders and order events rewritten without the shopper, and the stored responses that replay
    # those orders; the request's own Idempotency-Key response
    "EraseCustomerFunction": {
        "dynamodb:GetItem": PARTNERS,
        "dynamodb:PutItem": PARTNERS,
        "dynamodb:UpdateItem": [PARTNERS, [COMMERCE, EVENTS]],
        "dynamodb:Query": [[COMMERCE, EVENTS]],
    },
    # the org's subscriptions; the queue (reading the stream: SAM's managed role)
    "WebhookFanoutFunction": {"dynamodb:Query": PARTNERS, "sqs:SendMessage": QUEUE},
    # the subscription and its health, the attempt log and delivery states; the event's failed
    # endpoints; the next attempt's delay (reading the queue: SAM's managed role)
    "WebhookDeliveryFunction": {
        "dynamodb:GetItem": PARTNERS,
        "dynamodb:PutItem": PARTNERS,
        "dynamodb:UpdateItem": [PARTNERS, EVENTS],
        "sqs:ChangeMessageVisibility": QUEUE,
    },
}


def test_every_function_has_its_expected_grants_listed() -> None:
    assert set(GRANTS) == set(LOCAL.functions())


@pytest.mark.parametrize("name", sorted(LOCAL.functions()))
def test_functions_get_least_privilege(name: str) -> None:
    """Exactly the calls the code makes, each on its one resource."""
    statements = [s for p in TEMPLATE["Resources"][name]["Properties"]["Policies"] for s in p["Statement"]]
    granted: dict[str, list[object]] = {}
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            granted.setdefault(action, []).append(statement["Resource"])
    expected = {a: r if isinstance(r, list) else [r] for a, r in GRANTS[name].items()}
    assert granted == expected


@pytest.mark.parametrize(
    "table", ["IntegrationTable", "PartnerTable", "TryOnTable", "AffiliateTable", "AssetTable"]
)
def test_table_has_point_in_time_recovery_and_ttl(table: str) -> None:
    props = TEMPLATE["Resources"][table]["Properties"]
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["TimeToLiveSpecification"]["AttributeName"] == "expires_at"


def test_unknown_paths_answer_in_the_integration_error_format() -> None:
    status, headers, body = LOCAL.gateway_response(
        "IntegrationApi", "MISSING_AUTHENTICATION_TOKEN", 403, "r-1"
    )
    assert status == 404
    assert headers == {"Content-Type": "application/json", "X-Request-Id": "r-1", "API-Version": __version__}
    assert body.replace(" ", "") == '{"success":false,"error":"Notfound"}'


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/v1/things/abc", {"id": "abc"}), ("/v1/things/abc/more", None), ("/v1/things/", None)],
)
def test_route_matching_with_path_parameters(path: str, expected: dict[str, str] | None) -> None:
    assert ApiRoute("Api", "/v1/things/{id}", "GET", "F").matches(path) == expected


def test_greedy_path_parameters() -> None:
    assert ApiRoute("Api", "/files/{proxy+}", "ANY", "F").matches("/files/a/b") == {"proxy": "a/b"}


def test_api_gateway_throttling_answers_429_with_retry_after_in_the_error_format() -> None:
    status, headers, body = LOCAL.gateway_response("IntegrationApi", "THROTTLED", 429, "r-2")
    assert (status, headers["Retry-After"], headers["X-Request-Id"]) == (429, "1", "r-2")
    assert body.replace(" ", "") == '{"success":false,"error":"Toomanyrequests"}'


def test_a_failing_function_keeps_api_gateways_status() -> None:
    status, _, body = LOCAL.gateway_response("IntegrationApi", "DEFAULT_5XX", 502, "r-3")
    assert status == 502
    assert '"success": false' in body


def test_partner_endpoints_their_methods_and_authorizers() -> None:
    routes = {
        (r.path, r.method, r.function, r.authorizer)
        for r in LOCAL.routes()
        if r.api == "PartnerApi" and r.function not in FALLBACKS
    }
    assert routes == {
        ("/openapi.json", "GET", "PartnerDocsFunction", None),
        ("/docs", "GET", "PartnerDocsFunction", None),
        ("/docs/{asset}", "GET", "PartnerDocsFunction", None),
        ("/oauth/token", "ANY", "TokenFunction", None),  # the code answers 405 and OPTIONS
        ("/oauth/introspect", "ANY", "IntrospectFunction", None),
        ("/oauth/revoke", "ANY", "RevokeFunction", None),
        ("/.well-known/jwks.json", "GET", "JwksFunction", None),
        ("/.well-known/oauth-authorization-server", "GET", "AuthServerMetadataFunction", None),
        ("/v1/me", "GET", "MeFunction", "sandbox"),  # the default Stage
        ("/v1/webhooks", "POST", "CreateWebhookFunction", "sandbox"),
        ("/v1/webhooks", "GET", "ListWebhooksFunction", "sandbox"),
        ("/v1/webhooks/{webhook_id}", "GET", "GetWebhookFunction", "sandbox"),
        ("/v1/webhooks/{webhook_id}", "PATCH", "UpdateWebhookFunction", "sandbox"),
        ("/v1/webhooks/{webhook_id}", "DELETE", "DeleteWebhookFunction", "sandbox"),
        ("/v1/webhooks/{webhook_id}/rotate-secret", "POST", "RotateWebhookSecretFunction", "sandbox"),
        ("/v1/webhooks/{webhook_id}/test", "POST", "TestWebhookFunction", "sandbox"),
        ("/v1/webhooks/{webhook_id}/deliveries", "GET", "ListWebhookDeliveriesFunction", "sandbox"),
        ("/v1/webhooks/{webhook_id}/recover", "POST", "RecoverWebhookFunction", "sandbox"),
        ("/v1/events", "GET", "ListEventsFunction", "sandbox"),
        ("/v1/events/{event_id}", "GET", "GetEventFunction", "sandbox"),
        ("/v1/events/{event_id}/replay", "POST", "ReplayEventFunction", "sandbox"),
        ("/v1/storefronts", "POST", "CreateStorefrontFunction", "sandbox"),
        ("/v1/storefronts", "GET", "ListStorefrontsFunction", "sandbox"),
        ("/v1/storefronts/{storefront_id}", "GET", "GetStorefrontFunction", "sandbox"),
        ("/v1/storefronts/{storefront_id}", "PATCH", "UpdateStorefrontFunction", "sandbox"),
        ("/v1/storefronts/{storefront_id}/products", "POST", "UpsertProductFunction", "sandbox"),
        ("/v1/storefronts/{storefront_id}/products", "GET", "ListProductsFunction", "sandbox"),
        ("/v1/storefronts/{storefront_id}/products/{product_id}", "GET", "GetProductFunction", "sandbox"),
        (
            "/v1/storefronts/{storefront_id}/products/{product_id}",
            "DELETE",
            "ArchiveProductFunction",
            "sandbox",
        ),
        ("/v1/inventory", "GET", "ListInventoryFunction", "sandbox"),
        ("/v1/inventory/{storefront_id}/{sku}", "PUT", "SetInventoryFunction", "sandbox"),
        ("/v1/inventory/{storefront_id}/{sku}/adjustments", "POST", "AdjustInventoryFunction", "sandbox"),
        (
            "/v1/inventory/{storefront_id}/{sku}/adjustments",
            "GET",
            "ListInventoryAdjustmentsFunction",
            "sandbox",
        ),
        ("/v1/orders", "POST", "CreateOrderFunction", "sandbox"),
        ("/v1/orders", "GET", "ListOrdersFunction", "sandbox"),
        ("/v1/orders/{order_id}", "GET", "GetOrderFunction", "sandbox"),
        ("/v1/orders/{order_id}/fulfill", "POST", "FulfillOrderFunction", "sandbox"),
        ("/v1/orders/{order_id}/cancel", "POST", "CancelOrderFunction", "sandbox"),
        ("/v1/tryon/sessions", "POST", "CreateTryOnSessionFunction", "sandbox"),
        ("/v1/tryon/sessions", "GET", "ListTryOnSessionsFunction", "sandbox"),
        ("/v1/tryon/sessions/{session_id}", "GET", "GetTryOnSessionFunction", "sandbox"),
        ("/v1/tryon/sessions/{session_id}/revoke", "POST", "RevokeTryOnSessionFunction", "sandbox"),
        ("/tryon/v1/session", "GET", "LoadTryOnSessionFunction", None),
        ("/tryon/v1/session/complete", "POST", "CompleteTryOnSessionFunction", None),
        ("/v1/affiliates/domains", "POST", "AddAffiliateDomainFunction", "sandbox"),
        ("/v1/affiliates/domains", "GET", "ListAffiliateDomainsFunction", "sandbox"),
        ("/v1/affiliates/links", "POST", "CreateAffiliateLinkFunction", "sandbox"),
        ("/v1/affiliates/links", "GET", "ListAffiliateLinksFunction", "sandbox"),
        ("/v1/affiliates/links/{link_id}", "GET", "GetAffiliateLinkFunction", "sandbox"),
        ("/v1/affiliates/links/{link_id}", "PATCH", "UpdateAffiliateLinkFunction", "sandbox"),
        ("/v1/affiliates/conversions", "POST", "CreateAffiliateConversionFunction", "sandbox"),
        ("/r/{code}", "GET", "AffiliateRedirectFunction", None),  # public, as API Gateway maps HEAD:
        ("/r/{code}", "HEAD", "AffiliateRedirectFunction", None),  # to a HEAD (or ANY) method only
        ("/v1/assets", "POST", "CreateAssetFunction", "sandbox"),
        ("/v1/assets", "GET", "ListAssetsFunction", "sandbox"),
        ("/v1/assets/{asset_id}", "GET", "GetAssetFunction", "sandbox"),
        ("/v1/assets/{asset_id}", "PATCH", "UpdateAssetFunction", "sandbox"),
        ("/v1/assets/{asset_id}", "DELETE", "DeleteAssetFunction", "sandbox"),
        ("/v1/assets/{asset_id}/history", "GET", "ListAssetHistoryFunction", "sandbox"),
        ("/v1/assets/{asset_id}/grants", "POST", "CreateAssetGrantFunction", "sandbox"),
        ("/v1/assets/{asset_id}/grants", "GET", "ListAssetGrantsFunction", "sandbox"),
        ("/v1/assets/{asset_id}/grants/{grant_id}", "DELETE", "RevokeAssetGrantFunction", "sandbox"),
        ("/v1/assets/{asset_id}/publish", "POST", "PublishAssetFunction", "sandbox"),
        ("/v1/assets/{asset_id}/download", "POST", "DownloadAssetFunction", "sandbox"),
        ("/v1/assets/{asset_id}/downloads", "GET", "ListAssetDownloadsFunction", "sandbox"),
        ("/v1/exports", "POST", "CreateExportFunction", "sandbox"),
        ("/v1/exports/{export_id}", "GET", "GetExportFunction", "sandbox"),
        ("/v1/customers/erase", "POST", "EraseCustomerFunction", "sandbox"),
        ("/v1/collections", "POST", "CreateCollectionFunction", "sandbox"),
        ("/v1/collections", "GET", "ListCollectionsFunction", "sandbox"),
        ("/v1/collections/{collection_id}", "GET", "GetCollectionFunction", "sandbox"),
        ("/v1/collections/{collection_id}/grants", "POST", "CreateCollectionGrantFunction", "sandbox"),
        ("/v1/collections/{collection_id}/grants", "GET", "ListCollectionGrantsFunction", "sandbox"),
        (
            "/v1/collections/{collection_id}/grants/{grant_id}",
            "DELETE",
            "RevokeCollectionGrantFunction",
            "sandbox",
        ),
    }


@pytest.mark.parametrize("stage", ["sandbox", "prod"])
def test_every_v1_route_is_behind_the_authorizer_of_its_stage(stage: str) -> None:
    local = LocalTemplate(TEMPLATE, "unit", {"Stage": stage})
    v1 = [
        route for route in local.routes() if route.path.startswith("/v1/") and route.function not in FALLBACKS
    ]
    assert v1
    assert {route.authorizer for route in v1} == {stage}
    assert {local.authorizer("PartnerApi", stage).function} == {"PartnerAuthorizerFunction"}
    keys = local.functions()["PartnerAuthorizerFunction"].environment["SANDBOX_KEYS"]
    assert keys == ("enabled" if stage == "sandbox" else "disabled")


def test_prod_caches_authorizer_decisions_by_the_authorization_header_only() -> None:
    prod = LOCAL.authorizer("PartnerApi", "prod")
    assert (prod.identity_headers, prod.ttl_seconds) == (("Authorization",), 60)
    sandbox = LOCAL.authorizer("PartnerApi", "sandbox")
    assert (sandbox.identity_headers, sandbox.ttl_seconds) == ((), 0)  # Bearer or X-Api-Key


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("MISSING_AUTHENTICATION_TOKEN", 404),
        ("UNAUTHORIZED", 401),
        ("ACCESS_DENIED", 403),
        ("THROTTLED", 429),
    ],
)
def test_partner_gateway_responses_are_problem_documents(kind: str, status: int) -> None:
    code, headers, body = LOCAL.gateway_response("PartnerApi", kind, 403, "r-4")
    assert code == status
    assert (headers["Content-Type"], headers["X-Request-Id"]) == ("application/problem+json", "r-4")
    document = json.loads(body)
    assert (document["type"], document["status"], document["request_id"]) == ("about:blank", status, "r-4")


def test_a_new_stack_makes_its_first_signing_key_before_its_partner_api_exists() -> None:
    resources = TEMPLATE["Resources"]
    assert json.loads(resources["SigningKeySecret"]["Properties"]["SecretString"]) == {
        "current": None,
        "previous": None,
    }
    keys = resources["SigningKeys"]
    assert keys["Type"] == "Custom::SigningKeys"
    assert keys["Properties"] == {
        "ServiceToken": {"Fn::GetAtt": ["SigningKeysFunction", "Arn"]},
        "ServiceTimeout": 120,  # a function that never answers fails the deploy quickly, not in an hour
        "SecretId": {"Ref": "SigningKeySecret"},
    }
    assert resources["PartnerApi"]["DependsOn"] == "SigningKeys"


def test_the_delivery_queue_gives_each_retry_of_the_schedule_one_receive() -> None:
    from fashionos.settings import DEFAULT_RETRY_SCHEDULE

    queue = TEMPLATE["Resources"]["WebhookDeliveryQueue"]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == len(DEFAULT_RETRY_SCHEDULE)
    default = TEMPLATE["Parameters"]["WebhookRetrySchedule"]["Default"]
    assert tuple(int(s) for s in default.split()) == DEFAULT_RETRY_SCHEDULE
    # a function that runs longer than the queue's visibility would see its batch delivered twice
    function = TEMPLATE["Resources"]["WebhookDeliveryFunction"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]


def test_a_delivery_batch_runs_all_at_once() -> None:
    from functions.partner.webhooks.deliver import handler as deliver

    events = TEMPLATE["Resources"]["WebhookDeliveryFunction"]["Properties"]["Events"]
    assert events["Deliveries"]["Properties"]["BatchSize"] == deliver.BATCH_SIZE
    assert deliver.threads._max_workers == deliver.BATCH_SIZE
