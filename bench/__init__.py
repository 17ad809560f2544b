"""Benchmarks (``make bench``): every figure is a ratio against a baseline measured in the same run.

- ``coldstart``: importing each function's handler module in template.yaml (plus the DynamoDB client it
  creates lazily) vs the floor ``import boto3; boto3.client("dynamodb")``, each in a fresh interpreter.
- ``tokens``: ``TokenIssuer.issue`` and ``TokenVerifier.verify`` vs raw PyJWT ``jwt.encode`` / ``jwt.decode``
  with the same loaded key objects.
- ``throughput``: increments/s through the dev gateway vs raw ``UpdateItem ADD`` on the same moto server.
- ``warmpath``: per-request latency of a warm handler vs the DynamoDB calls that request makes.
- ``commerce``: the same for a product upsert and a 3-line order, whose writes succeed once: each request's
  calls are replayed raw on a twin storefront, set up alike.
- ``engagement``: the same for a try-on session's start and an affiliate link's redirect (``GET /r/{code}``),
  replayed on a twin org.
- ``webhooks``: webhook deliveries/s through the delivery function vs plain POSTs of the same bodies.
- ``vault``: the Design Vault's presigned POST (``VaultBucket.upload_form`` vs raw
  ``generate_presigned_post``) and upload confirmation (``UploadConfirmer.confirm`` on moto vs its AWS calls
  made raw).

Budgets come from DESIGN.md ("Performance budgets"); they are reported, never asserted.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
