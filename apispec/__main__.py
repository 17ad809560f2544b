"""``python -m apispec``: write both OpenAPI documents; ``--check``: exit 1 if a committed one differs."""

from __future__ import annotations

import argparse
import sys

from apispec import write_or_check
from apispec.build import DOCUMENTS_DIR, documents, render


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    files = {
        DOCUMENTS_DIR / f"{name}.json": (render(document), f"{len(document['paths'])} paths")
        for name, document in documents().items()
    }
    return write_or_check(files, check=args.check, remake="make openapi")


if __name__ == "__main__":
    sys.exit(main())
