"""Data protection (GDPR): an org's export (``export.write_export``) and erasure (``erase.erase_org``), and
the erasure of one shopper of an org (``erase.erase_customer``).

This package is the one place that knows *where* an org's data lives; each store knows its own keys (and
says which of its items are the org's: ``belongs``). An org's data is:

- partner table: the org record, its handle's claim and its Dashboard user's link, its domains, its clients
  and sandbox keys (and their lists), its webhooks and their delivery logs, its exports, the rate windows and
  failed authentications of its credentials, the idempotency records of its requests, its deprecated calls;
- commerce table: its storefronts and their handle claims, listings, skus, every sku's stock history, orders;
- try-on table: its sessions;
- affiliate table: its links, their short codes, counters and visitor marks, its clicks and conversions;
- asset table: its assets, collections, the grants it gave and those other orgs gave it, its assets' rights
  history and downloads, and the downloads it made of other orgs' assets;
- event table: its events and their sequences, and the ``design.published`` events other orgs received
  about its designs;
- the private bucket: ``orgs/{org}/`` (its asset files, every version) and ``exports/{org}/`` (its exports).

Not the org's: the integration table, where the usage counters of the org's Dashboard user (the legacy
product system's account, which try-on sessions also count on) are the Dashboard's own records.
"""
