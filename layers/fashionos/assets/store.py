"""DynamoDB access for the Design Vault: the only module of this area that talks to DynamoDB.

One table (``AssetTable``) and one index (``ByParent``: ``gsi1pk``/``gsi1sk``):

- ``ORG#{org}`` / ``AST#{ast}``: an asset (``version`` +1 per change; ``expires_at``, the TTL, only while
  its upload is pending: a week after the presigned POST ran out); in a collection, also ``COL#{col}`` /
  ``AST#{ast}`` in the index;
- ``ORG#{org}`` / ``COL#{col}``: a collection;
- ``ORG#{owner}`` / ``GRANT#{ast or col}#{grt}``: a grant, and ``GRANTEE#{partner}`` / ``GRANT#{grt}`` in
  the index (what a partner holds);
- ``AST#{ast}`` / ``HIST#{id}``: a change of its rights; ``AST#{ast}`` / ``DL#{id}``: a download (by
  ``org_id``, the owner or a partner).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

from botocore.exceptions import ClientError

from fashionos.assets.records import (
    Asset,
    Collection,
    Download,
    Grant,
    Rights,
    RightsChange,
    StoredStatus,
)
from fashionos.aws import (
    batch_get,
    condition_failed,
    delete_keys,
    query_all,
    query_page,
    query_prefix,
    versioned_update,
)
from fashionos.aws import number as _n
from fashionos.aws import string as _s

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef, TransactWriteItemTypeDef

Item = dict[str, Any]
T = TypeVar("T")
INDEX = "ByParent"
PENDING_KEPT_SECONDS = 7 * 24 * 3600  # an expired upload stays visible (status expired) for a week
_ASSET_OPTIONAL = ("collection_id", "rejection_reason", "object_version", "uploaded_at", "published_at")


def asset_key(org_id: str, asset_id: str) -> Item:
    return {"pk": _s(f"ORG#{org_id}"), "sk": _s(f"AST#{asset_id}")}


def _rights_json(rights: Rights) -> str:
    return json.dumps(rights.public(), separators=(",", ":"), sort_keys=True)


def _rights(text: str) -> Rights:
    value = json.loads(text)
    return Rights(
        owner=value["owner"],
        license=value["license"],
        usage=tuple(value["usage"]),
        territories=tuple(value["territories"]),
        expires_at=value["expires_at"],
        credit=value["credit"],
    )


def _asset_item(asset: Asset) -> Item:
    item: Item = {
        **asset_key(asset.org_id, asset.asset_id),
        "title": _s(asset.title),
        "filename": _s(asset.filename),
        "content_type": _s(asset.content_type),
        "size": _n(asset.size),
        "sha256": _s(asset.sha256),
        "status": _s(asset.status),
        "rights": _s(_rights_json(asset.rights)),
        "version": _n(asset.version),
        "created_at": _s(asset.created_at),
        "updated_at": _s(asset.updated_at),
        "upload_expires_epoch": _n(asset.upload_expires_epoch),
    }
    for name in _ASSET_OPTIONAL:
        value = getattr(asset, name)
        if value is not None:
            item[name] = _s(value)
    if asset.collection_id is not None:
        item["gsi1pk"], item["gsi1sk"] = _s(f"COL#{asset.collection_id}"), _s(f"AST#{asset.asset_id}")
    if asset.status == "pending_upload":
        item["expires_at"] = _n(asset.upload_expires_epoch + PENDING_KEPT_SECONDS)
    return item


def _asset(item: Item) -> Asset:
    optional = {name: item[name]["S"] for name in _ASSET_OPTIONAL if name in item}
    return Asset(
        asset_id=item["sk"]["S"].removeprefix("AST#"),
        org_id=item["pk"]["S"].removeprefix("ORG#"),
        title=item["title"]["S"],
        filename=item["filename"]["S"],
        content_type=item["content_type"]["S"],
        size=int(item["size"]["N"]),
        sha256=item["sha256"]["S"],
        status=cast(StoredStatus, item["status"]["S"]),
        rights=_rights(item["rights"]["S"]),
        version=int(item["version"]["N"]),
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
        upload_expires_epoch=int(item["upload_expires_epoch"]["N"]),
        **optional,
    )


def _collection_item(collection: Collection) -> Item:
    item: Item = {
        "pk": _s(f"ORG#{collection.org_id}"),
        "sk": _s(f"COL#{collection.collection_id}"),
        "name": _s(collection.name),
        "created_at": _s(collection.created_at),
        "updated_at": _s(collection.updated_at),
    }
    for name in ("season", "description"):
        value = getattr(collection, name)
        if value is not None:
            item[name] = _s(value)
    return item


def _collection(item: Item) -> Collection:
    return Collection(
        collection_id=item["sk"]["S"].removeprefix("COL#"),
        org_id=item["pk"]["S"].removeprefix("ORG#"),
        name=item["name"]["S"],
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
        season=item["season"]["S"] if "season" in item else None,
        description=item["description"]["S"] if "description" in item else None,
    )


def _grant_key(owner_org_id: str, target_id: str, grant_id: str) -> Item:
    return {"pk": _s(f"ORG#{owner_org_id}"), "sk": _s(f"GRANT#{target_id}#{grant_id}")}


def _grant_item(grant: Grant) -> Item:
    item: Item = {
        **_grant_key(grant.owner_org_id, grant.target_id, grant.grant_id),
        "gsi1pk": _s(f"GRANTEE#{grant.partner_org_id}"),
        "gsi1sk": _s(f"GRANT#{grant.grant_id}"),
        "partner_org_id": _s(grant.partner_org_id),
        "usage": _s(json.dumps(list(grant.usage))),
        "territories": _s(json.dumps(list(grant.territories))),
        "created_at": _s(grant.created_at),
    }
    if grant.expires_at is not None:
        item["grant_expires_at"] = _s(grant.expires_at)
    return item


def _grant(item: Item) -> Grant:
    target_id, grant_id = item["sk"]["S"].removeprefix("GRANT#").split("#")
    return Grant(
        grant_id=grant_id,
        owner_org_id=item["pk"]["S"].removeprefix("ORG#"),
        target_id=target_id,
        partner_org_id=item["partner_org_id"]["S"],
        usage=tuple(json.loads(item["usage"]["S"])),
        territories=tuple(json.loads(item["territories"]["S"])),
        created_at=item["created_at"]["S"],
        expires_at=item["grant_expires_at"]["S"] if "grant_expires_at" in item else None,
    )


def _change(item: Item) -> RightsChange:
    return RightsChange(
        change_id=item["sk"]["S"].removeprefix("HIST#"),
        asset_id=item["pk"]["S"].removeprefix("AST#"),
        changed_by=item["changed_by"]["S"],
        changed_at=item["changed_at"]["S"],
        before=_rights(item["before"]["S"]) if "before" in item else None,
        after=_rights(item["after"]["S"]),
    )


def _download(item: Item) -> Download:
    return Download(
        download_id=item["sk"]["S"].removeprefix("DL#"),
        asset_id=item["pk"]["S"].removeprefix("AST#"),
        org_id=item["org_id"]["S"],
        actor=item["actor"]["S"],
        usage=item["usage"]["S"],
        territory=item["territory"]["S"],
        created_at=item["created_at"]["S"],
    )


class AssetStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._db = client
        self.table = table

    # --- assets --------------------------------------------------------------------------------------
    def asset(self, org_id: str, asset_id: str) -> Asset | None:
        item = self._db.get_item(
            TableName=self.table, Key=asset_key(org_id, asset_id), ConsistentRead=True
        ).get("Item")
        return _asset(item) if item else None

    def assets(self, org_id: str, asset_ids: Iterable[str]) -> list[Asset]:
        """The org's assets of ``asset_ids`` that exist (any order)."""
        keys = [asset_key(org_id, asset_id) for asset_id in dict.fromkeys(asset_ids)]
        return batch_get(self._db, self.table, keys, _asset)

    def assets_page(self, org_id: str, limit: int, after: str | None) -> tuple[list[Asset], bool]:
        """The org's assets, newest first."""
        return self._page(f"ORG#{org_id}", "AST#", limit, after, _asset)

    def collection_assets(self, collection_id: str) -> list[Asset]:
        """Every asset in the collection, newest first."""
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "IndexName": INDEX,
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": {":pk": _s(f"COL#{collection_id}")},
            "ScanIndexForward": False,
        }
        return query_all(self._db, query, _asset)

    def put_asset(self, asset: Asset) -> TransactWriteItemTypeDef:
        return {
            "Put": {
                "TableName": self.table,
                "Item": _asset_item(asset),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def update_asset(self, before: Asset, after: Asset) -> TransactWriteItemTypeDef:
        """``before`` -> ``after`` on the condition that nobody changed it since ``before`` was read."""
        return versioned_update(
            self.table,
            asset_key(before.org_id, before.asset_id),
            _asset_item(before),
            _asset_item(after),
            before.version,
        )

    def delete_asset(self, asset: Asset) -> TransactWriteItemTypeDef:
        return {
            "Delete": {
                "TableName": self.table,
                "Key": asset_key(asset.org_id, asset.asset_id),
                "ConditionExpression": "#version = :read",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":read": _n(asset.version)},
            }
        }

    def settle_upload(
        self, asset: Asset, status: StoredStatus, at: str, object_version: str | None, reason: str | None
    ) -> bool:
        """A pending upload -> ``available`` (its file, ``object_version``, accepted) or ``rejected``
        (``reason``), once; False if it was no longer pending (a redelivery, a concurrent confirm)."""
        names = {"#status": "status", "#version": "version"}
        values: Item = {":to": _s(status), ":at": _s(at), ":pending": _s("pending_upload"), ":one": _n(1)}
        expression = "SET #status = :to, updated_at = :at"
        if object_version is not None:
            expression += ", object_version = :object, uploaded_at = :at"
            values[":object"] = _s(object_version)
        if reason is not None:
            expression += ", rejection_reason = :reason"
            values[":reason"] = _s(reason)
        try:
            self._db.update_item(
                TableName=self.table,
                Key=asset_key(asset.org_id, asset.asset_id),
                UpdateExpression=f"{expression} ADD #version :one REMOVE expires_at",
                ConditionExpression="#status = :pending",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    # --- collections ---------------------------------------------------------------------------------
    def collection(self, org_id: str, collection_id: str) -> Collection | None:
        key = {"pk": _s(f"ORG#{org_id}"), "sk": _s(f"COL#{collection_id}")}
        item = self._db.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")
        return _collection(item) if item else None

    def put_collection(self, collection: Collection) -> TransactWriteItemTypeDef:
        return {
            "Put": {
                "TableName": self.table,
                "Item": _collection_item(collection),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def collections_page(self, org_id: str, limit: int, after: str | None) -> tuple[list[Collection], bool]:
        return self._page(f"ORG#{org_id}", "COL#", limit, after, _collection)

    def collection_exists(self, org_id: str, collection_id: str) -> TransactWriteItemTypeDef:
        """A transaction's check that the collection is (still) there."""
        return {
            "ConditionCheck": {
                "TableName": self.table,
                "Key": {"pk": _s(f"ORG#{org_id}"), "sk": _s(f"COL#{collection_id}")},
                "ConditionExpression": "attribute_exists(pk)",
            }
        }

    # --- grants --------------------------------------------------------------------------------------
    def grants_on(self, owner_org_id: str, target_id: str) -> list[Grant]:
        """The grants on an asset or a collection, oldest first."""
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": _s(f"ORG#{owner_org_id}"),
                ":prefix": _s(f"GRANT#{target_id}#"),
            },
            "ConsistentRead": True,
        }
        return query_all(self._db, query, _grant)

    def grants_held(self, partner_org_id: str) -> list[Grant]:
        """Every grant other orgs gave ``partner_org_id``, oldest first."""
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "IndexName": INDEX,
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": {":pk": _s(f"GRANTEE#{partner_org_id}")},
        }
        return query_all(self._db, query, _grant)

    def put_grant(self, grant: Grant) -> TransactWriteItemTypeDef:
        return {
            "Put": {
                "TableName": self.table,
                "Item": _grant_item(grant),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def delete_grant(
        self, owner_org_id: str, target_id: str, grant_id: str, *, must_exist: bool = True
    ) -> TransactWriteItemTypeDef:
        delete: Any = {"TableName": self.table, "Key": _grant_key(owner_org_id, target_id, grant_id)}
        if must_exist:
            delete["ConditionExpression"] = "attribute_exists(pk)"
        return {"Delete": delete}

    # --- rights history and downloads ----------------------------------------------------------------
    def put_change(self, change: RightsChange) -> TransactWriteItemTypeDef:
        item: Item = {
            "pk": _s(f"AST#{change.asset_id}"),
            "sk": _s(f"HIST#{change.change_id}"),
            "changed_by": _s(change.changed_by),
            "changed_at": _s(change.changed_at),
            "after": _s(_rights_json(change.after)),
        }
        if change.before is not None:
            item["before"] = _s(_rights_json(change.before))
        return {"Put": {"TableName": self.table, "Item": item}}

    def changes_page(self, asset_id: str, limit: int, after: str | None) -> tuple[list[RightsChange], bool]:
        return self._page(f"AST#{asset_id}", "HIST#", limit, after, _change)

    def record_download(self, download: Download) -> None:
        self._db.put_item(
            TableName=self.table,
            Item={
                "pk": _s(f"AST#{download.asset_id}"),
                "sk": _s(f"DL#{download.download_id}"),
                "org_id": _s(download.org_id),
                "actor": _s(download.actor),
                "usage": _s(download.usage),
                "territory": _s(download.territory),
                "created_at": _s(download.created_at),
            },
        )

    def downloads_page(self, asset_id: str, limit: int, after: str | None) -> tuple[list[Download], bool]:
        return self._page(f"AST#{asset_id}", "DL#", limit, after, _download)

    def audit_keys(self, asset_id: str) -> list[Item]:
        """The keys of an asset's history and download records (to delete them with it)."""
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": _s(f"AST#{asset_id}")},
            "ProjectionExpression": "pk, sk",
            "ConsistentRead": True,
        }
        return query_all(self._db, query, lambda item: item)

    def delete_keys(self, keys: list[Item]) -> None:
        delete_keys(self._db, self.table, keys)

    def transact(self, items: list[TransactWriteItemTypeDef], claim: TransactWriteItemTypeDef | None) -> None:
        from fashionos.idempotency import transact_with_claim

        transact_with_claim(self._db, items, claim)

    # --- everything of an org (its export and its erasure) ---------------------------------------------
    def org_assets(self, org_id: str) -> Iterator[Asset]:
        return self._every(f"ORG#{org_id}", "AST#", _asset)

    def org_collections(self, org_id: str) -> Iterator[Collection]:
        return self._every(f"ORG#{org_id}", "COL#", _collection)

    def grants_given(self, org_id: str) -> Iterator[Grant]:
        """The grants the org gave on its assets and collections."""
        return self._every(f"ORG#{org_id}", "GRANT#", _grant)

    def changes(self, asset_id: str) -> Iterator[RightsChange]:
        return self._every(f"AST#{asset_id}", "HIST#", _change)

    def downloads(self, asset_id: str) -> Iterator[Download]:
        return self._every(f"AST#{asset_id}", "DL#", _download)

    @staticmethod
    def belongs(item: Item, org_id: str, asset_ids: Container[str]) -> bool:
        """Whether an item is the org's to erase: its assets, collections and the grants it gave (its
        partition), its assets' history and downloads, and the grants other orgs gave it."""
        pk = item["pk"]["S"]
        return (
            pk == f"ORG#{org_id}"
            or pk.removeprefix("AST#") in asset_ids
            or item.get("partner_org_id") == _s(org_id)
        )

    @staticmethod
    def download_by(item: Item, org_id: str) -> bool:
        """Whether an item records a download the org made (of another org's asset: ``belongs`` takes the
        downloads of its own)."""
        return item["sk"]["S"].startswith("DL#") and item.get("org_id") == _s(org_id)

    def anonymise_download(self, item: Item, tombstone: str) -> None:
        """The download stays in the asset's audit (its owner keeps what was taken, for what use, where,
        when); who took it becomes ``tombstone``."""
        self._db.update_item(
            TableName=self.table,
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET org_id = :who, actor = :who",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":who": _s(tombstone)},
        )

    def _every(self, pk: str, prefix: str, convert: Callable[[Item], T]) -> Iterator[T]:
        """Every item of ``pk`` whose sort key starts with ``prefix``, oldest id first."""
        return (convert(item) for item in query_prefix(self._db, self.table, pk, prefix))

    # --- queries -------------------------------------------------------------------------------------
    def _page(
        self, pk: str, prefix: str, limit: int, after: str | None, convert: Any
    ) -> tuple[list[Any], bool]:
        """Items of ``pk`` whose sort key is ``prefix`` + an id, newest id first, after the id ``after``."""
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": _s(pk), ":prefix": _s(prefix)},
            "ScanIndexForward": False,
            "ConsistentRead": True,
            "Limit": limit + 1,
        }
        if after is not None:
            query["ExclusiveStartKey"] = {"pk": _s(pk), "sk": _s(f"{prefix}{after}")}
        return query_page(self._db, query, limit, convert)
