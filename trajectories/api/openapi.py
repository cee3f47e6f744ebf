"""The OpenAPI 3.1 document of the API, generated: the paths are listed here once, the schemas
come from the pydantic models the serialisers fill (`schemas.SHAPES`, through pydantic's own
JSON Schema generator, which writes the JSON Schema 2020-12 dialect OpenAPI 3.1 uses). No hand-kept
copy of a shape exists to go stale; tests validate every answer of a crawl against this document.
"""

from __future__ import annotations

from functools import cache

from pydantic.json_schema import models_json_schema

from trajectories.api import schemas
from trajectories.catalogue.status import Status

REF = "#/components/schemas/{model}"

#: The catalogue's filters, as the public catalogue has them (`?sdg=&thema=&status=&q=`).
FILTERS = [
    {"name": "organiser", "in": "query", "schema": {"type": "string"},
     "description": "An organiser's slug (`vng`, `vvsg`)."},
    {"name": "sdg", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 17},
     "description": "Tracks working on this Global Goal."},
    {"name": "theme", "in": "query", "schema": {"type": "string", "maxLength": 100},
     "description": "Tracks with this theme (any case)."},
    {"name": "status", "in": "query",
     "schema": {"type": "string", "enum": [str(s) for s in Status]},
     "description": "Tracks with an edition in this status."},
    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200},
     "description": "Words that must all occur in the track's texts or Global Goals."},
]
PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query",
     "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
]
CONDITIONAL = [{"name": "If-None-Match", "in": "header", "schema": {"type": "string"},
                "description": "An ETag from an earlier answer: 304 while nothing changed."}]


def _id(name: str, what: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": what,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


def _ok(shape: str, description: str) -> dict:
    return {
        "200": {"description": description,
                "headers": {"ETag": {"schema": {"type": "string"}},
                            "Access-Control-Allow-Origin": {"schema": {"const": "*"}}},
                "content": {"application/json": {"schema": {"$ref": REF.format(model=shape)}}}},
        "304": {"description": "Not modified (If-None-Match matched the ETag)."},
    }


def _errors(*codes: int) -> dict:
    texts = {400: "Bad input (a filter, a page number).", 404: "Unknown (or not published)."}
    return {str(code): {"description": texts[code], "content": {"application/json": {
        "schema": {"$ref": REF.format(model="Error")}}}} for code in codes}


def _get(operation_id: str, summary: str, shape: str, parameters: list, *codes: int) -> dict:
    return {"get": {"operationId": operation_id, "summary": summary,
                    "parameters": [*parameters, *CONDITIONAL],
                    "responses": {**_ok(shape, summary), **_errors(*codes)}}}


PATHS = {
    "/api/v1/": _get("index", "Where to start", "Index", []),
    "/api/v1/organisers": _get("listOrganisers", "Organisers", "OrganiserList", PAGING, 400, 404),
    "/api/v1/organisers/{slug}": _get(
        "getOrganiser", "One organiser", "Organiser",
        [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}], 404),
    "/api/v1/tracks": _get("listTracks", "Tracks with their published editions", "TrackList",
                           [*FILTERS, *PAGING], 400, 404),
    "/api/v1/tracks/{track_id}": _get("getTrack", "One track with its published editions",
                                      "Track", [_id("track_id", "The track's id.")], 404),
    "/api/v1/editions/{edition_id}": _get(
        "getEdition", "One published edition with its sessions", "EditionWithSessions",
        [_id("edition_id", "The edition's id.")], 404),
    "/api/v1/editions/{edition_id}/sessions": _get(
        "listSessions", "An edition's sessions", "SessionList",
        [_id("edition_id", "The edition's id.")], 404),
}


@cache
def document(server_url: str) -> dict:
    """The whole document, for the API served at `server_url` (the site's public address)."""
    _, top = models_json_schema([(shape, "serialization") for shape in schemas.SHAPES],
                                ref_template=REF, by_alias=True)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Leertrajecten API",
            "version": "1.0.0",
            "summary": "The public catalogue of learning tracks, read-only.",
            "description": "Organisers, tracks (Global Goals, theme, status), editions (dates, "
                           "places left, registration window) and sessions (UTC and local "
                           "times). Read-only, no personal data, open to every origin (CORS). "
                           "Errors are JSON: {\"error\": code, \"message\": text}.",
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "paths": PATHS,
        "components": {"schemas": top["$defs"]},
    }
