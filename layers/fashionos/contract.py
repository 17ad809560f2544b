"""What each route declares about itself, once: its summary, scope, parameters, body, responses and the
errors it raises. The handler runs by this declaration (``api_entrypoint`` refuses a query parameter it does
not list, checks its scope) and ``make openapi`` builds the OpenAPI documents from it, with the template's
routes and authorizers and the error kinds' statuses — so the documents say what the code does.

Nothing here imports pydantic or builds a schema: a route's declaration costs its cold start nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fashionos.errors import DomainError
from fashionos.ids import ID_BODY

JsonSchema = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Param:
    """A path or query parameter: its name, what it means and the JSON Schema of its value."""

    name: str
    description: str
    schema: JsonSchema = field(default_factory=lambda: {"type": "string"})
    required: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    """A list response: ``{"data": [item, ...], "has_more", "next_cursor"}``."""

    item: Any  # the TypedDict of one item


@dataclass(frozen=True, slots=True)
class Content:
    """A response body that is not a JSON object of ours: the media types it comes as, and its schema."""

    media_types: tuple[str, ...]
    schema: JsonSchema


@dataclass(frozen=True, slots=True)
class Operation:
    """One route's contract. ``responses`` maps each success status to its body: a TypedDict, a pydantic
    model, a ``Page`` of one, a ``Content``, or None for no body. ``errors`` lists the error classes the
    route's own code raises (the pipeline's own — bad query, body, idempotency key, credentials, rate
    limit — are added by its kind)."""

    summary: str
    scope: str | None = None
    path: tuple[Param, ...] = ()
    query: tuple[Param, ...] = ()
    body: Any = None  # the pydantic model the handler parses its body with
    body_required: bool = True  # False: no body at all is the model's defaults
    responses: Mapping[int, Any] = field(default_factory=lambda: {200: None})
    errors: tuple[type[DomainError], ...] = ()
    if_match: bool = False  # takes If-Match (412 when it names another version)
    etag: bool = False  # answers an ETag (the object's version)
    location: bool = False  # a success answers a Location: the absolute URL to follow the object at
    description: str = ""

    @property
    def query_names(self) -> frozenset[str]:
        return frozenset(param.name for param in self.query)


@dataclass(frozen=True, slots=True)
class SchemaKeywords:
    """JSON Schema keywords for a TypedDict field (``Annotated[str, SchemaKeywords({...})]``): pydantic's
    schema generation calls this hook (so the documents show them) without importing pydantic."""

    keywords: Mapping[str, Any]

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema: dict[str, Any] = handler(core_schema)
        return {**schema, **self.keywords}


def id_param(name: str, prefix: str, what: str) -> Param:
    """A path parameter naming one of the caller's objects by its prefixed id (``sf_01H...``)."""
    pattern = f"^{prefix}_{ID_BODY}$"
    return Param(name, f"The {what}'s id", {"type": "string", "pattern": pattern}, required=True)
