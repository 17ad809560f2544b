"""The exports' refusals."""

from __future__ import annotations

from fashionos.errors import Conflict, NotFound


class ExportNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such export")


class ExportInProgress(Conflict):
    code = "export_in_progress"

    def __init__(self, running: str | None) -> None:
        # the running export's id (None: it finished between the refusal and the read of it)
        which = f"GET /v1/exports/{running}" if running else "GET /v1/exports/{export_id}"
        super().__init__(f"An export of this org is still running: wait for it ({which})")
