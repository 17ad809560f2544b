"""Exports: everything stored about an org, as one zip in the private bucket (``POST /v1/exports``).

``POST /v1/exports`` records a ``pending`` export and queues it; the export function writes the zip
(``fashionos.privacy.export``) under ``exports/{org}/{export}.zip`` and marks it ``succeeded`` (or
``failed``); ``GET /v1/exports/{export_id}`` answers its status and, once written, a download link valid for
5 minutes. An export and its zip live for 7 days. One export of an org runs at a time.
"""
