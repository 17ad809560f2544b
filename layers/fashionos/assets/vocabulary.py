"""The Design Vault's fixed vocabularies: what may be uploaded, what it may be used for, under which licence,
and where. Closed lists rather than free text, so that a grant can be checked against a request by equality
(``usage in grant.usage``, ``covers(grant.territories, ...)``) and the documents can list every value.

Territories are ISO 3166-1 alpha-2 codes as officially assigned (249 of them): not ``UK`` (it is ``GB``), not
``EU`` (exceptionally reserved, not a country) and not ``XK`` (user-assigned, however widely used for
Kosovo). ``["*"]`` means worldwide.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final, Literal, get_args

ContentType = Literal[
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/avif",
    "model/gltf-binary",
    "model/gltf+json",
    "model/vnd.usdz+zip",
    "application/pdf",
]
# The same media types (``ContentType`` is what pydantic and the OpenAPI document read), described.
CONTENT_TYPES: Final[dict[str, str]] = {
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/webp": "WebP image",
    "image/avif": "AVIF image",
    "model/gltf-binary": "glTF 2.0 binary 3D model (.glb)",
    "model/gltf+json": "glTF 2.0 JSON 3D model (.gltf)",
    "model/vnd.usdz+zip": "USDZ 3D model (.usdz)",
    "application/pdf": "PDF document (tech pack, line sheet)",
}

Usage = Literal["display", "ecommerce", "tryon", "print", "social", "advertising", "editorial", "training"]
USAGES: Final[tuple[Usage, ...]] = get_args(Usage)

License = Literal[
    "all-rights-reserved",
    "exclusive",
    "non-exclusive",
    "royalty-free",
    "cc-by-4.0",
    "cc-by-sa-4.0",
    "cc-by-nc-4.0",
    "cc-by-nd-4.0",
    "cc-by-nc-sa-4.0",
    "cc-by-nc-nd-4.0",
    "cc0-1.0",
]
LICENSES: Final[tuple[License, ...]] = get_args(License)

_ALPHA_2 = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
    BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI
    FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN
    IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
    PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE
    YT ZA ZM ZW
"""
COUNTRIES: Final[frozenset[str]] = frozenset(_ALPHA_2.split())
EVERYWHERE: Final = "*"  # a territories list of exactly ["*"]: worldwide

MAX_SIZE: Final = 5 * 1024**3  # 5 GB: the most S3 takes in a single POST
MIN_SIZE: Final = 1


def covers(granted: Collection[str], requested: Collection[str]) -> bool:
    """Whether territories ``granted`` include every one ``requested``: all of them when ``granted`` has
    ``"*"``, else each by name (so a requested ``"*"`` is covered only by a granted one)."""
    return EVERYWHERE in granted or all(territory in granted for territory in requested)
