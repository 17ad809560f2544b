import json
import struct
import zlib
from typing import get_args

import pytest

from fashionos.assets.signatures import HEAD_BYTES, matches
from fashionos.assets.vocabulary import (
    CONTENT_TYPES,
    COUNTRIES,
    EVERYWHERE,
    LICENSES,
    MAX_SIZE,
    USAGES,
    ContentType,
    covers,
)


def _png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)  # 1x1, 8-bit RGBA
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff")  # filter byte + one red pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 4 + len(body)) + body


def _glb(version: int = 2) -> bytes:
    content = json.dumps({"asset": {"version": "2.0"}}).encode()
    content += b" " * (-len(content) % 4)
    chunk = struct.pack("<II", len(content), 0x4E4F534A) + content  # a JSON chunk
    return b"glTF" + struct.pack("<II", version, 12 + len(chunk)) + chunk


def _zip(name: bytes) -> bytes:
    # A stored (uncompressed) local file header, as USDZ requires, then the file's first bytes.
    header = struct.pack("<HHHHHIIIHH", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0)
    return b"PK\x03\x04" + header + name + b"PXR-USDC"


SAMPLES: dict[str, bytes] = {
    "image/png": _png_1x1(),
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00\x43\x00",
    "image/webp": b"RIFF" + struct.pack("<I", 26) + b"WEBPVP8L" + struct.pack("<I", 13) + b"\x2f\x00\x00\x00",
    "image/avif": _ftyp(b"avif", b"mif1", b"avif", b"miaf", b"MA1B") + b"\x00\x00\x00\x21meta",
    "model/gltf-binary": _glb(),
    "model/gltf+json": json.dumps({"asset": {"version": "2.0"}, "scenes": []}, indent=2).encode(),
    "model/vnd.usdz+zip": _zip(b"model.usdc"),
    "application/pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n",
}


def test_the_content_type_literal_and_the_descriptions_agree() -> None:
    assert list(get_args(ContentType)) == list(CONTENT_TYPES)
    assert set(SAMPLES) == set(CONTENT_TYPES)


@pytest.mark.parametrize("declared", list(CONTENT_TYPES))
@pytest.mark.parametrize("actual", list(CONTENT_TYPES))
def test_each_files_first_bytes_match_its_own_type_only(declared: str, actual: str) -> None:
    assert matches(declared, SAMPLES[actual][:HEAD_BYTES]) is (declared == actual)


@pytest.mark.parametrize("content_type", list(CONTENT_TYPES))
@pytest.mark.parametrize("head", [b"", b"\x00", b"RIFF", b"\x00\x00\x00\x18ftyp", b"glTF", b"\xef\xbb\xbf  "])
def test_empty_or_short_input_is_refused(content_type: str, head: bytes) -> None:
    assert matches(content_type, head) is False


def test_an_unknown_type_matches_nothing() -> None:
    assert not matches("image/gif", b"GIF89a\x01\x00\x01\x00")
    assert not matches("IMAGE/PNG", SAMPLES["image/png"])
    assert not matches("", b"")


def test_avif_by_major_or_compatible_brand_within_the_ftyp_box() -> None:
    assert matches("image/avif", _ftyp(b"avis", b"msf1"))
    assert matches("image/avif", _ftyp(b"mif1", b"miaf", b"avif"))
    assert not matches("image/avif", _ftyp(b"heic", b"mif1", b"heic"))  # HEIF, not AVIF
    # "avif" after the box's end (in the next box) is not a brand of this file.
    assert not matches("image/avif", _ftyp(b"mif1", b"miaf") + b"avif")
    assert not matches("image/avif", b"\x00\x00\x00\x1cmoov" + b"avif" * 5)


def test_glb_must_be_version_2_and_gltf_json_may_start_with_bom_and_whitespace() -> None:
    assert not matches("model/gltf-binary", _glb(version=1))
    assert matches("model/gltf+json", b'\xef\xbb\xbf \r\n\t{"asset":{}}')
    assert matches("model/gltf+json", b"{}")
    assert not matches("model/gltf+json", b'["not", "an", "object"]')
    assert not matches("model/gltf+json", b"\xef\xbb\xbf\xef\xbb\xbf{}")  # one BOM only
    assert not matches("model/gltf+json", b"\xa0{}")  # not JSON whitespace


def test_countries_are_the_249_assigned_alpha_2_codes() -> None:
    assert len(COUNTRIES) == 249
    assert {"FR", "GB", "US", "JP", "SS"} <= COUNTRIES
    assert not {"UK", "EU", "XK", EVERYWHERE} & COUNTRIES
    assert all(len(code) == 2 and code.isupper() and code.isascii() for code in COUNTRIES)


def test_covers_territories() -> None:
    assert covers(["*"], ["FR", "US"])
    assert covers(["*"], ["*"])
    assert covers(["FR", "DE", "US"], ["FR", "US"])
    assert not covers(["FR", "DE"], ["FR", "US"])
    assert not covers(["FR", "DE"], ["*"])  # worldwide needs a worldwide grant
    assert covers(("FR",), ())


def test_usages_licences_and_size() -> None:
    assert "tryon" in USAGES
    assert len(USAGES) == 8
    assert "cc0-1.0" in LICENSES
    assert len(LICENSES) == 11
    assert MAX_SIZE == 5_368_709_120
