"""Does a file start like its declared type. The presigned POST's policy already binds the declared
Content-Type, the size and the checksum, so S3 refuses an upload that differs from what was declared; what it
cannot check is that the bytes are what the type says. Confirming an upload reads its first ``HEAD_BYTES``
(a ranged GET) and refuses a "PNG" that is not one.

Only the signature is read (magic numbers, the AVIF ``ftyp`` box, the glTF version): enough to refuse a
mislabelled or disguised file, not a validation of the whole file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

HEAD_BYTES: Final = 64

_PNG: Final = b"\x89PNG\r\n\x1a\n"
_AVIF_BRANDS: Final = (b"avif", b"avis")  # still image, image sequence
_BOM: Final = b"\xef\xbb\xbf"
_JSON_WHITESPACE: Final = b" \t\n\r"


def _avif(head: bytes) -> bool:
    """An ISO-BMFF ``ftyp`` box at the start (size, ``ftyp``, major brand, minor version, compatible
    brands...) naming an AVIF brand, as major brand or among the compatible ones within the box."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return False
    if head[8:12] in _AVIF_BRANDS:
        return True
    end = min(int.from_bytes(head[0:4], "big"), len(head))
    return any(head[i : i + 4] in _AVIF_BRANDS for i in range(16, end - 3, 4))


def _gltf_json(head: bytes) -> bool:
    return head.removeprefix(_BOM).lstrip(_JSON_WHITESPACE).startswith(b"{")


_CHECKS: Final[dict[str, Callable[[bytes], bool]]] = {
    "image/png": lambda head: head.startswith(_PNG),
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/webp": lambda head: head.startswith(b"RIFF") and head[8:12] == b"WEBP",
    "image/avif": _avif,
    "model/gltf-binary": lambda head: head.startswith(b"glTF") and head[4:8] == (2).to_bytes(4, "little"),
    "model/gltf+json": _gltf_json,
    "model/vnd.usdz+zip": lambda head: head.startswith(b"PK\x03\x04"),
    "application/pdf": lambda head: head.startswith(b"%PDF-"),
}


def matches(content_type: str, head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) starts like ``content_type``; False for a type not known
    here, and for input too short to tell (never raises)."""
    check = _CHECKS.get(content_type)
    return check is not None and check(head)
