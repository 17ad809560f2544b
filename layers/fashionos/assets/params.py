"""The path and query parameters of the Design Vault routes, declared once for every route that takes them."""

from __future__ import annotations

from fashionos.contract import Param, id_param
from fashionos.ids import ID_BODY

ASSET_ID = id_param("asset_id", "ast", "asset")
COLLECTION_ID = id_param("collection_id", "col", "collection")
GRANT_ID = id_param("grant_id", "grt", "grant")
ASSET_CURSOR = f"ast_{ID_BODY}"  # service.ASSET_ID
COLLECTION_CURSOR = f"col_{ID_BODY}"
CHANGE_CURSOR = f"rch_{ID_BODY}"
DOWNLOAD_CURSOR = f"dl_{ID_BODY}"
SHARED = Param(
    "shared",
    "true: the assets other orgs granted the caller (a live grant on the asset or its collection) instead "
    "of its own",
    {"type": "string", "enum": ["true", "false"], "default": "false"},
)
