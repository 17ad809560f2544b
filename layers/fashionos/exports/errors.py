"""The exports' refusals."""

from __future__ import annotations

from fashionos.errors import Conflict, NotFound


class ExportNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such export")


class ExportInProgress(Conflict):
    code = "export_in_progress"

    def __init__(self) -> None:
        super().__init__("An export of this org is still running: wait for it (GET /v1/exports/{export_id})")
