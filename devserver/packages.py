"""What a deployed function can import, besides its own code: the layer, and the Lambda runtime's libraries.

- the **layer** (``layers/``): the ``fashionos`` package and the distributions ``layers/requirements.txt``
  lists, with everything they require (what ``sam build`` installs into it);
- the **runtime** (python3.13): boto3 (and what it requires) and the runtime interface client, awslambdaric.

Both are resolved from this virtualenv's installed distributions, so the local stack can give a function
exactly these and nothing else of the virtualenv (no moto, no pytest), as Lambda would.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from devserver.template import ROOT

LAYER = ROOT / "layers"
LAYER_REQUIREMENTS = LAYER / "requirements.txt"
RUNTIME_REQUIREMENTS = ("boto3", "awslambdaric")  # what the python3.13 runtime brings along


def layer_requirements() -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in LAYER_REQUIREMENTS.read_text().splitlines())
    return [line for line in lines if line]


def _closure(requirements: Iterable[str]) -> Iterator[metadata.Distribution]:
    """The installed distributions ``requirements`` name, and every distribution they require (with the
    requirements their extras add)."""
    pending = [Requirement(text) for text in requirements]
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        requirement = pending.pop()
        extras = frozenset(requirement.extras)
        if (canonicalize_name(requirement.name), extras) in seen:
            continue
        seen.add((canonicalize_name(requirement.name), extras))
        distribution = metadata.distribution(requirement.name)
        yield distribution
        for text in distribution.requires or []:
            required = Requirement(text)
            if required.marker is None or any(
                required.marker.evaluate({"extra": extra}) for extra in extras | {""}
            ):
                pending.append(required)


@cache
def distributions(requirements: tuple[str, ...]) -> tuple[metadata.Distribution, ...]:
    unique: dict[str, metadata.Distribution] = {}
    for distribution in _closure(requirements):
        unique.setdefault(canonicalize_name(distribution.metadata["Name"]), distribution)
    return tuple(unique.values())


def top_level_entries(distribution: metadata.Distribution) -> set[str]:
    """The file and directory names a distribution installs at the top of site-packages (its modules,
    packages and extension modules, and its ``.dist-info``)."""
    entries = set()
    for file in distribution.files or []:
        first = file.parts[0]
        if first not in ("..", "__pycache__") and not first.endswith(".data"):
            entries.add(first)
    return entries


def module_name(entry: str) -> str | None:
    """The importable name a top-level site-packages entry provides (``None`` for metadata, scripts...)."""
    if entry.endswith((".dist-info", ".egg-info", ".pth")):
        return None
    name = entry.split(".", 1)[0]
    return name if name.isidentifier() else None


def top_level_modules(requirements: tuple[str, ...]) -> set[str]:
    """Every top-level module or package name the distributions of ``requirements`` make importable."""
    names = set()
    for distribution in distributions(requirements):
        names |= {n for e in top_level_entries(distribution) if (n := module_name(e)) is not None}
    return names


def site_packages(distribution: metadata.Distribution) -> Path:
    """The directory a distribution is installed in."""
    return Path(str(distribution.locate_file(""))).resolve()


def link_site(requirements: Iterable[str], directory: Path) -> Path:
    """A new site directory holding exactly what the distributions of ``requirements`` installed (as
    symbolic links into this virtualenv)."""
    directory.mkdir(parents=True)
    for distribution in distributions(tuple(requirements)):
        site = site_packages(distribution)
        for entry in top_level_entries(distribution):
            if not (directory / entry).exists() and (site / entry).exists():
                (directory / entry).symlink_to(site / entry)
    return directory
