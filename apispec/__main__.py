"""``python -m apispec``: write both OpenAPI documents; ``--check``: exit 1 if a committed one differs."""

from __future__ import annotations

import argparse
import sys

from apispec.build import DOCUMENTS_DIR, documents, render


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    stale = []
    for name, document in documents().items():
        path = DOCUMENTS_DIR / f"{name}.json"
        text = render(document)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
            print(f"wrote {path} ({len(document['paths'])} paths)")
    if stale:
        print(f"Out of date (run `make openapi`): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
