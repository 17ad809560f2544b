"""What a Lambda container builds once and keeps: settings, clients, services, cached secrets.

Every such factory is decorated with ``per_container`` (``functools.cache`` that also registers itself), so
one call, ``reset_all()``, makes a process look like a fresh container again: tests call it before each test
instead of keeping a list of caches by hand. Factories build lazily, on first use, never at import.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import ParamSpec, TypeVar, cast

P = ParamSpec("P")
T = TypeVar("T")
_clears: list[Callable[[], None]] = []


def per_container(factory: Callable[P, T]) -> Callable[P, T]:
    """``factory`` called once per container (per distinct arguments); ``reset_all`` forgets the results."""
    cached = cache(factory)
    _clears.append(cached.cache_clear)
    return cast(Callable[P, T], cached)


def reset_all() -> None:
    """Forget what every ``per_container`` factory built (tests: each starts like a new container)."""
    for clear in _clears:
        clear()
