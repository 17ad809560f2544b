"""DynamoDB access for partner provisioning: the only module of this feature that talks to boto3.

Items of the partner table (``pk``/``sk``, TTL attribute ``expires_at``):
- ``ORG#{org_id}`` / ``ORG``: user_id, handle, display_name, twin_active, created_at
- ``HANDLE#{handle}`` / ``HANDLE``: org_id; exists only to make handles unique (written in one transaction
  with the org, under ``attribute_not_exists``)
- ``DASHUSER#{user_id}`` / ``DASHUSER``: org_id; one Dashboard user is one org's (written with the org)
- ``ORG#{org_id}`` / ``DOMAIN#{domain}``: created_at; the org's registered web domains
- ``CLIENT#{client_id}`` / ``CLIENT``: org_id, secret_hash, previous_secret_hash and
  previous_secret_expires_at (epoch seconds) during a rotation's grace period, scopes, grant_types, status,
  rate_tier, created_at; one GetItem authenticates a client
- ``ORG#{org_id}`` / ``CLIENT#{client_id}``: created_at; lists an org's clients with one Query (no index)
- ``SANDBOXKEY#{key_id}`` / ``SANDBOXKEY``: org_id, SHA-256 of the key, scopes, active, created_at
- ``ORG#{org_id}`` / ``SANDBOXKEY#{key_id}``: created_at; lists an org's sandbox keys
- ``AUTHFAIL#{client_id}#{window_start}`` / ``AUTHFAIL``: failures (atomic ``ADD``), expires_at
- ``REVOKED#{jti}`` / ``REVOKED``: revoked_at, expires_at (the token's ``exp``: TTL removes it once the token
  would have expired anyway)

Other areas keep items of the org in its partition too (webhooks, exports): everything under ``ORG#{org_id}``
is the org's.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from fashionos.aws import batch_get, condition_failed, delete_keys, query_prefix
from fashionos.errors import AlreadyExists, ApiKeyNotFound, ClientNotFound, OrgNotFound
from fashionos.identity.partner_models import Client, ClientStatus, Domain, GrantType, Org, SandboxKey
from fashionos.times import rfc3339_now

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        UpdateItemInputTypeDef,
    )

Item = dict[str, Any]
Key = dict[str, "AttributeValueTypeDef"]


def _org_key(org_id: str) -> Key:
    return {"pk": {"S": f"ORG#{org_id}"}, "sk": {"S": "ORG"}}


def _handle_key(handle: str) -> Key:
    return {"pk": {"S": f"HANDLE#{handle}"}, "sk": {"S": "HANDLE"}}


def _client_key(client_id: str) -> Key:
    return {"pk": {"S": f"CLIENT#{client_id}"}, "sk": {"S": "CLIENT"}}


def _org_client_key(org_id: str, client_id: str) -> Key:
    return {"pk": {"S": f"ORG#{org_id}"}, "sk": {"S": f"CLIENT#{client_id}"}}


def _dashboard_user_key(user_id: str) -> Key:
    return {"pk": {"S": f"DASHUSER#{user_id}"}, "sk": {"S": "DASHUSER"}}


def _domain_key(org_id: str, domain: str) -> Key:
    return {"pk": {"S": f"ORG#{org_id}"}, "sk": {"S": f"DOMAIN#{domain}"}}


def _sandbox_key_key(key_id: str) -> Key:
    return {"pk": {"S": f"SANDBOXKEY#{key_id}"}, "sk": {"S": "SANDBOXKEY"}}


def _org_sandbox_key_key(org_id: str, key_id: str) -> Key:
    return {"pk": {"S": f"ORG#{org_id}"}, "sk": {"S": f"SANDBOXKEY#{key_id}"}}


def _failures_key(bucket: str, window_start: int) -> Key:
    return {"pk": {"S": f"AUTHFAIL#{bucket}#{window_start}"}, "sk": {"S": "AUTHFAIL"}}


def _revocation_key(jti: str) -> Key:
    return {"pk": {"S": f"REVOKED#{jti}"}, "sk": {"S": "REVOKED"}}


def _cancelled_by_condition(error: ClientError) -> list[bool]:
    """For a cancelled transaction, which of its actions failed their condition (by position)."""
    if error.response["Error"]["Code"] != "TransactionCanceledException":
        raise error
    reasons = cast(list[dict[str, Any]], error.response.get("CancellationReasons", []))
    return [reason.get("Code") == "ConditionalCheckFailed" for reason in reasons]


def _org(item: Item) -> Org:
    return Org(
        org_id=item["pk"]["S"].removeprefix("ORG#"),
        user_id=item["user_id"]["S"],
        handle=item["handle"]["S"],
        display_name=item["display_name"]["S"] if "display_name" in item else None,
        twin_active=item["twin_active"]["BOOL"],
        created_at=item["created_at"]["S"],
        tryon_types=frozenset(item["tryon_types"]["SS"]) if "tryon_types" in item else frozenset(),
    )


def _client(item: Item) -> Client:
    return Client(
        client_id=item["pk"]["S"].removeprefix("CLIENT#"),
        org_id=item["org_id"]["S"],
        scopes=frozenset(item["scopes"]["SS"]),
        grant_types=frozenset(cast(list[GrantType], item["grant_types"]["SS"])),
        status=cast(ClientStatus, item["status"]["S"]),
        rate_tier=item["rate_tier"]["S"],
        created_at=item["created_at"]["S"],
        secret_hash=item["secret_hash"]["S"],
        previous_secret_hash=item["previous_secret_hash"]["S"] if "previous_secret_hash" in item else None,
        previous_secret_expires_at=(
            int(item["previous_secret_expires_at"]["N"]) if "previous_secret_expires_at" in item else None
        ),
    )


def _sandbox_key(item: Item) -> SandboxKey:
    return SandboxKey(
        key_id=item["pk"]["S"].removeprefix("SANDBOXKEY#"),
        org_id=item["org_id"]["S"],
        scopes=frozenset(item["scopes"]["SS"]),
        key_hash=item["key_hash"]["S"],
        active=item["active"]["BOOL"],
        created_at=item["created_at"]["S"],
    )


class PartnerStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._db = client
        self._table = table

    def _get(self, key: Key, *, consistent: bool = False) -> Item | None:
        return self._db.get_item(TableName=self._table, Key=key, ConsistentRead=consistent).get("Item")

    # --- orgs --------------------------------------------------------------------------------------
    def create_org(self, org: Org) -> None:
        """The org, its handle's uniqueness item and its Dashboard user's link, all or none."""
        item: Item = {
            **_org_key(org.org_id),
            "user_id": {"S": org.user_id},
            "handle": {"S": org.handle},
            "twin_active": {"BOOL": org.twin_active},
            "created_at": {"S": org.created_at},
        }
        if org.display_name is not None:
            item["display_name"] = {"S": org.display_name}
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {**_handle_key(org.handle), "org_id": {"S": org.org_id}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {**_dashboard_user_key(org.user_id), "org_id": {"S": org.org_id}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except ClientError as error:
            failed = _cancelled_by_condition(error)
            if failed[:1] == [True]:
                raise AlreadyExists(f"Org {org.org_id} already exists") from error
            if failed[1:2] == [True]:
                raise AlreadyExists(f"Handle {org.handle} is taken") from error
            raise AlreadyExists(f"Dashboard user {org.user_id} is another org's already") from error

    def get_org(self, org_id: str) -> Org | None:
        item = self._get(_org_key(org_id))
        return None if item is None else _org(item)

    def get_org_id_by_handle(self, handle: str) -> str | None:
        item = self._get(_handle_key(handle))
        return None if item is None else str(item["org_id"]["S"])

    def set_twin_active(self, org_id: str, active: bool) -> None:
        try:
            self._db.update_item(
                TableName=self._table,
                Key=_org_key(org_id),
                UpdateExpression="SET twin_active = :active",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":active": {"BOOL": active}},
            )
        except ClientError as error:
            if condition_failed(error):
                raise OrgNotFound(f"Org {org_id} not found") from error
            raise

    def set_tryon_types(self, org_id: str, types: frozenset[str]) -> None:
        update = "SET tryon_types = :types" if types else "REMOVE tryon_types"
        values: Item = {":types": {"SS": sorted(types)}} if types else {}
        try:
            self._db.update_item(
                TableName=self._table,
                Key=_org_key(org_id),
                UpdateExpression=update,
                ConditionExpression="attribute_exists(pk)",
                **({"ExpressionAttributeValues": values} if values else {}),  # type: ignore[arg-type]
            )
        except ClientError as error:
            if condition_failed(error):
                raise OrgNotFound(f"Org {org_id} not found") from error
            raise

    # --- domains -----------------------------------------------------------------------------------
    def add_domain(self, domain: Domain) -> bool:
        """Register ``domain`` for its org; False when it already was (nothing changes)."""
        try:
            self._db.put_item(
                TableName=self._table,
                Item={**_domain_key(domain.org_id, domain.domain), "created_at": {"S": domain.created_at}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def remove_domain(self, org_id: str, domain: str) -> bool:
        """False when the org had no such domain."""
        try:
            self._db.delete_item(
                TableName=self._table,
                Key=_domain_key(org_id, domain),
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def domains(self, org_id: str) -> list[Domain]:
        """The org's domains, in alphabetical order."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": f"ORG#{org_id}"}, ":prefix": {"S": "DOMAIN#"}},
        )
        return [
            Domain(item["sk"]["S"].removeprefix("DOMAIN#"), org_id, item["created_at"]["S"])
            for page in pages
            for item in page.get("Items", [])
        ]

    # --- clients -----------------------------------------------------------------------------------
    def create_client(self, client: Client) -> None:
        """The client and its entry in the org's list, only if the org exists."""
        item: Item = {
            **_client_key(client.client_id),
            "org_id": {"S": client.org_id},
            "secret_hash": {"S": client.secret_hash},
            "scopes": {"SS": sorted(client.scopes)},
            "grant_types": {"SS": sorted(client.grant_types)},
            "status": {"S": client.status},
            "rate_tier": {"S": client.rate_tier},
            "created_at": {"S": client.created_at},
        }
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self._table,
                            "Key": _org_key(client.org_id),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {
                                **_org_client_key(client.org_id, client.client_id),
                                "created_at": {"S": client.created_at},
                            },
                        }
                    },
                ]
            )
        except ClientError as error:
            failed = _cancelled_by_condition(error)
            if failed[:1] == [True]:
                raise OrgNotFound(f"Org {client.org_id} not found") from error
            raise AlreadyExists(f"Client {client.client_id} already exists") from error

    def get_client(self, client_id: str) -> Client | None:
        # Strongly consistent: a revocation or rotation must take effect on the very next authentication.
        item = self._get(_client_key(client_id), consistent=True)
        return None if item is None else _client(item)

    def list_clients(self, org_id: str) -> list[Client]:
        listed = query_prefix(self._db, self._table, f"ORG#{org_id}", "CLIENT#")
        keys = [_client_key(item["sk"]["S"].removeprefix("CLIENT#")) for item in listed]
        clients = batch_get(self._db, self._table, keys, _client)
        return sorted(clients, key=lambda client: (client.created_at, client.client_id))

    def replace_secret(
        self,
        client_id: str,
        *,
        expected_hash: str,
        new_hash: str,
        previous_expires_at: int | None,
    ) -> bool:
        """Swap the secret hash if the client is still active with ``expected_hash``; keep the replaced hash
        until ``previous_expires_at`` (or drop it at once when ``None``). False when the condition failed."""
        values: dict[str, AttributeValueTypeDef] = {
            ":new": {"S": new_hash},
            ":expected": {"S": expected_hash},
            ":active": {"S": "active"},
            ":now": {"S": rfc3339_now()},
        }
        if previous_expires_at is None:
            update = "SET secret_hash = :new, rotated_at = :now "
            update += "REMOVE previous_secret_hash, previous_secret_expires_at"
        else:
            update = "SET secret_hash = :new, rotated_at = :now, previous_secret_hash = :expected, "
            update += "previous_secret_expires_at = :until"
            values[":until"] = {"N": str(previous_expires_at)}
        try:
            self._db.update_item(
                TableName=self._table,
                Key=_client_key(client_id),
                UpdateExpression=update,
                ConditionExpression="attribute_exists(pk) AND #status = :active AND secret_hash = :expected",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def revoke_client(self, client_id: str) -> None:
        """Revoked for good; a grace-period secret goes with it."""
        self._update_client(
            client_id,
            "SET #status = :revoked, revoked_at = :now "
            "REMOVE previous_secret_hash, previous_secret_expires_at",
            {":revoked": {"S": "revoked"}, ":now": {"S": rfc3339_now()}},
        )

    def set_rate_tier(self, client_id: str, tier: str) -> None:
        self._update_client(client_id, "SET rate_tier = :tier", {":tier": {"S": tier}})

    def _update_client(self, client_id: str, update: str, values: dict[str, AttributeValueTypeDef]) -> None:
        request: UpdateItemInputTypeDef = {
            "TableName": self._table,
            "Key": _client_key(client_id),
            "UpdateExpression": update,
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": values,
        }
        if "#status" in update:  # DynamoDB refuses names an expression does not use
            request["ExpressionAttributeNames"] = {"#status": "status"}
        try:
            self._db.update_item(**request)
        except ClientError as error:
            if condition_failed(error):
                raise ClientNotFound(f"Client {client_id} not found") from error
            raise

    def delete_client(self, client_id: str, org_id: str) -> None:
        """The client and its entry in its org's list, both or neither."""
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": _client_key(client_id),
                            "ConditionExpression": "org_id = :org",
                            "ExpressionAttributeValues": {":org": {"S": org_id}},
                        }
                    },
                    {"Delete": {"TableName": self._table, "Key": _org_client_key(org_id, client_id)}},
                ]
            )
        except ClientError as error:
            _cancelled_by_condition(error)
            raise ClientNotFound(f"Client {client_id} not found") from error

    # --- an org's erasure ----------------------------------------------------------------------------
    def _listed(self, org_id: str, prefix: str) -> list[str]:
        """The ids the org's list of ``prefix`` (``CLIENT#``, ``SANDBOXKEY#``) holds."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": f"ORG#{org_id}"}, ":prefix": {"S": prefix}},
            ConsistentRead=True,
        )
        return [item["sk"]["S"].removeprefix(prefix) for page in pages for item in page.get("Items", [])]

    def credential_ids(self, org_id: str) -> tuple[list[str], list[str]]:
        """The ids of the org's clients and of its sandbox keys."""
        return self._listed(org_id, "CLIENT#"), self._listed(org_id, "SANDBOXKEY#")

    def delete_credentials(self, client_ids: Collection[str], key_ids: Collection[str]) -> int:
        """The clients and sandbox keys, deleted: no token is issued to them again, and the authorizer
        refuses those already issued (their client is gone); how many."""
        keys = [_client_key(c) for c in client_ids] + [_sandbox_key_key(k) for k in key_ids]
        return delete_keys(self._db, self._table, keys)

    def erasure_tombstone(self, org_id: str, candidate: str) -> str:
        """The opaque id the org's anonymised records are kept under: the one its erasure already chose
        (kept on the org until the org record goes, last), else ``candidate``."""
        try:
            attributes = self._db.update_item(
                TableName=self._table,
                Key=_org_key(org_id),
                UpdateExpression="SET erasure_tombstone = if_not_exists(erasure_tombstone, :candidate)",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":candidate": {"S": candidate}},
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except ClientError as error:
            if condition_failed(error):
                return candidate
            raise
        return str(attributes["erasure_tombstone"]["S"])

    @staticmethod
    def belongs(item: Item, org_id: str, client_ids: Collection[str]) -> bool:
        """Whether an item is the org's to erase (all but the org record itself: ``delete_org``, last): its
        partition (domains, lists, and other areas' items there), the items that name it (clients, sandbox
        keys, its handle and its Dashboard user's link), its clients' failed authentications."""
        pk: str = item["pk"]["S"]
        if pk == f"ORG#{org_id}":
            return bool(item["sk"]["S"] != "ORG")
        if item.get("org_id") == {"S": org_id}:
            return True
        return pk.startswith("AUTHFAIL#") and pk.split("#")[1] in client_ids

    def delete_org(self, org_id: str) -> bool:
        """The org record (its erasure's last write); False when there was none."""
        try:
            self._db.delete_item(
                TableName=self._table, Key=_org_key(org_id), ConditionExpression="attribute_exists(pk)"
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    # --- failed authentications ----------------------------------------------------------------------
    def add_failure(self, bucket: str, window_start: int, expires_at: int) -> int:
        """Count one failed authentication in the window (atomic ``ADD``); returns the window's count."""
        attributes = self._db.update_item(
            TableName=self._table,
            Key=_failures_key(bucket, window_start),
            UpdateExpression="ADD failures :one SET expires_at = :expires",
            ExpressionAttributeValues={":one": {"N": "1"}, ":expires": {"N": str(expires_at)}},
            ReturnValues="UPDATED_NEW",
        )["Attributes"]
        return int(attributes["failures"]["N"])

    def get_failures(self, bucket: str, window_start: int, now: float) -> int:
        item = self._get(_failures_key(bucket, window_start), consistent=True)
        # TTL deletes lazily (up to days late; moto never): an expired window counts as absent.
        if item is None or int(item["expires_at"]["N"]) <= now:
            return 0
        return int(item["failures"]["N"])

    # --- revoked access tokens -----------------------------------------------------------------------
    def add_revocation(self, jti: str, expires_at: int) -> None:
        """Mark the token ``jti`` revoked until ``expires_at`` (its ``exp``); revoking twice is harmless."""
        self._db.put_item(
            TableName=self._table,
            Item={
                **_revocation_key(jti),
                "revoked_at": {"S": rfc3339_now()},
                "expires_at": {"N": str(expires_at)},
            },
        )

    def is_revoked(self, jti: str, now: float) -> bool:
        # Strongly consistent: a revocation takes effect on the very next check.
        item = self._get(_revocation_key(jti), consistent=True)
        # TTL deletes lazily (moto never): an item past its expires_at counts as absent.
        return item is not None and int(item["expires_at"]["N"]) > now

    # --- sandbox API keys ----------------------------------------------------------------------------
    def create_sandbox_key(self, key: SandboxKey) -> None:
        """The key and its entry in its org's list, both or neither."""
        item: Item = {
            **_sandbox_key_key(key.key_id),
            "org_id": {"S": key.org_id},
            "key_hash": {"S": key.key_hash},
            "scopes": {"SS": sorted(key.scopes)},
            "active": {"BOOL": key.active},
            "created_at": {"S": key.created_at},
        }
        entry: Item = {**_org_sandbox_key_key(key.org_id, key.key_id), "created_at": {"S": key.created_at}}
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {"Put": {"TableName": self._table, "Item": entry}},
                ]
            )
        except ClientError as error:
            _cancelled_by_condition(error)
            raise AlreadyExists(f"Sandbox key {key.key_id} already exists") from error

    def sandbox_keys(self, org_id: str) -> list[SandboxKey]:
        """The org's sandbox keys, oldest first."""
        keys = [_sandbox_key_key(key_id) for key_id in self._listed(org_id, "SANDBOXKEY#")]
        found = batch_get(self._db, self._table, keys, _sandbox_key)
        return sorted(found, key=lambda key: (key.created_at, key.key_id))

    def get_sandbox_key(self, key_id: str) -> SandboxKey | None:
        item = self._get(_sandbox_key_key(key_id), consistent=True)
        return None if item is None else _sandbox_key(item)

    def deactivate_sandbox_key(self, key_id: str) -> None:
        try:
            self._db.update_item(
                TableName=self._table,
                Key=_sandbox_key_key(key_id),
                UpdateExpression="SET active = :false, deactivated_at = :now",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":false": {"BOOL": False}, ":now": {"S": rfc3339_now()}},
            )
        except ClientError as error:
            if condition_failed(error):
                raise ApiKeyNotFound(f"Sandbox key {key_id} not found") from error
            raise
