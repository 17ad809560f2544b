"""Builds the APIs' OpenAPI documents from the code (``make openapi``); see ``apispec.build``."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path


def write_or_check(files: Mapping[Path, tuple[str, str]], *, check: bool, remake: str) -> int:
    """Write each generated file (``path: (text, what it holds)``), or with ``check`` only compare: 1 when
    a committed one differs (``remake``: the command that regenerates them)."""
    stale = []
    for path, (text, summary) in files.items():
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path} ({summary})")
    if stale:
        print(f"Out of date (run `{remake}`): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0
