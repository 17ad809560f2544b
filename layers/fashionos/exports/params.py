"""The path parameters of the exports' routes."""

from __future__ import annotations

from fashionos.contract import id_param

EXPORT_ID = id_param("export_id", "exp", "export")
