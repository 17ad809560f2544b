"""The path parameters of the webhook routes, declared once for every route that takes them."""

from __future__ import annotations

from fashionos.contract import id_param

WEBHOOK_ID = id_param("webhook_id", "whk", "webhook")
