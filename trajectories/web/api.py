"""The read-only JSON API under /api/v1/ (organisers, tracks, editions, sessions), its OpenAPI
document, the page for developers at /api/, and the JSON-LD of the track pages.

Views parse, read (`trajectories.api.queries`) and serialise (`api.serialise`, shapes in
`api.schemas`). Answers are built once per change and kept per worker, as the feeds are
(`feeds.cache.FeedCache`): a worker answers from memory and checks the catalogue's version at
most every few seconds, at once after a change committed in the same process; the version
follows the clock too, as statuses do (a registration window opens, a day begins). Every answer
has a strong ETag (304 on If-None-Match) and is open to every origin (CORS, GET only).
Bad input answers a JSON error with its status (400, 404), never a page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request
from flask import Response as FlaskResponse
from flask_babel import gettext as _
from markupsafe import Markup
from pydantic import BaseModel

from trajectories.api import jsonld, openapi, queries, schemas
from trajectories.api.serialise import Serialiser
from trajectories.catalogue.status import Status
from trajectories.core.clock import utcnow
from trajectories.feeds.cache import FeedCache
from trajectories.web import db_session
from trajectories.web.api_input import (
    LIST_PARAMETERS,
    ApiError,
    Paged,
    check_parameters,
    organiser_id,
    track_filters,
)
from trajectories.web.security import limiter

bp = Blueprint("api", __name__)

PREFIX = "/api/v1"
CACHE_CONTROL = "public, max-age=60"


@dataclass(frozen=True)
class Document:
    """An answer as sent: its bytes, strong ETag and extra headers (Link)."""

    body: bytes
    etag: str
    headers: tuple[tuple[str, str], ...] = ()


@limiter.request_filter
def _unlimited() -> bool:
    """Read-only and answered from memory, like the feeds: no per-address limit to look up."""
    return request.blueprint == "api"


@bp.record_once
def _configure(state) -> None:
    state.app.extensions["trajectories.api.cache"] = FeedCache()


def _serialiser() -> Serialiser:
    return Serialiser(current_app.config["SETTINGS"].base_url)


def error_response(status: int, code: str, message: str) -> FlaskResponse:
    body = schemas.Error(error=code, message=message).model_dump_json()
    return FlaskResponse(body, status=status, content_type="application/json")


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error.status, error.code, error.message)


def api_error_page(code: int) -> FlaskResponse:
    """The JSON answer for an error Flask raised under /api/v1/ (no route, wrong method, a
    crash): used by web/error_pages.py instead of an HTML page."""
    codes = {404: ("not_found", _("Dit adres bestaat niet in de API.")),
             405: ("method_not_allowed", _("De API kan alleen lezen (GET).")),
             500: ("server_error", _("Er ging bij ons iets mis. Probeer het later opnieuw."))}
    error, message = codes.get(code, ("error", _("Dat kan hier niet.")))
    return error_response(code, error, message)


@bp.after_app_request
def _cors(response):
    if request.path.startswith(f"{PREFIX}/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


# --- answering from the cache ----------------------------------------------------------------------
def _document(shape: BaseModel, link_header: str = "") -> Document:
    body = shape.model_dump_json(by_alias=True).encode()
    return Document(body, hashlib.sha256(body).hexdigest()[:32],
                    (("Link", link_header),) if link_header else ())


def _answer(build: Callable[[], Document]) -> FlaskResponse:
    cache: FeedCache = current_app.extensions["trajectories.api.cache"]
    key = request.full_path
    document = cache.recent(key)
    if document is None:
        version = queries.version(db_session(), utcnow())
        document = cache.get(key, version, build)
        cache.remember(key, document)
    etag = f'"{document.etag}"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None and (etag in if_none_match or if_none_match.strip() == "*"):
        return FlaskResponse(status=304, headers=headers)
    return FlaskResponse(document.body, headers={**headers, **dict(document.headers)},
                         content_type="application/json")


# --- the API ---------------------------------------------------------------------------------------
@bp.get(f"{PREFIX}/")
def index():
    def build():
        api = _serialiser().api
        base = current_app.config["SETTINGS"].base_url.rstrip("/")
        return _document(schemas.Index(organisers=api("/organisers"), tracks=api("/tracks"),
                                       openapi=api("/openapi.json"), documentation=f"{base}/api/"))
    check_parameters({"lang"})
    return _answer(build)


@bp.get(f"{PREFIX}/openapi.json")
def openapi_document():
    def build():
        body = json.dumps(openapi.document(current_app.config["SETTINGS"].base_url),
                          ensure_ascii=False, indent=1).encode()
        return Document(body, hashlib.sha256(body).hexdigest()[:32])
    return _answer(build)


@bp.get(f"{PREFIX}/organisers")
def organisers():
    check_parameters(LIST_PARAMETERS)

    def build():
        rows = queries.organisers(db_session())
        paged = Paged.from_request(len(rows))
        links, header = paged.links()
        serialiser = _serialiser()
        return _document(schemas.OrganiserList(
            data=[serialiser.organiser(o) for o in paged.window(rows)],
            paging=paged.paging(), links=links), header)
    return _answer(build)


@bp.get(f"{PREFIX}/organisers/<slug>")
def organiser(slug: str):
    check_parameters({"lang"})

    def build():
        found = queries.organiser_by_slug(db_session(), slug)
        if found is None:
            raise ApiError(404, "not_found", _("Onbekende organisator: %(slug)s.", slug=slug[:40]))
        return _document(_serialiser().organiser(found))
    return _answer(build)


@bp.get(f"{PREFIX}/tracks")
def tracks():
    filters, organiser_slug = track_filters()

    def build():
        s = db_session()
        ids = queries.track_ids(s, organiser_id(organiser_slug), filters.matches if filters.on_text else None,
                                Status(filters.status) if filters.status else None)
        paged = Paged.from_request(len(ids))
        entries = queries.track_entries(s, paged.window(ids))
        by_id = {o.id: o for o in queries.organisers(s)}
        links, header = paged.links()
        serialiser = _serialiser()
        return _document(schemas.TrackList(
            data=[serialiser.track(by_id[e["track"].organiser_id], e) for e in entries],
            paging=paged.paging(), links=links), header)
    return _answer(build)


@bp.get(f"{PREFIX}/tracks/<int:track_id>")
def track(track_id: int):
    check_parameters({"lang"})

    def build():
        s = db_session()
        row = queries.track_with_organiser(s, track_id)
        if row is None:
            raise ApiError(404, "not_found", _("Er is geen leertraject met id %(id)s.", id=track_id))
        found, organiser = row
        return _document(_serialiser().track(organiser, queries.track_entries(s, [found.id])[0]))
    return _answer(build)


def _edition(edition_id: int):
    s = db_session()
    row = queries.published_edition(s, edition_id)
    if row is None:
        raise ApiError(404, "not_found", _("Er is geen editie met id %(id)s.", id=edition_id))
    edition, track, organiser = row
    entry = queries.track_entries(s, [track.id])[0]
    edition_row = next(e for e in entry["editions"] if e["edition"].id == edition.id)
    meetings = queries.sessions(s, [edition.id])[edition.id]
    return organiser, track, edition_row, meetings, queries.rescheduled(s, meetings)


@bp.get(f"{PREFIX}/editions/<int:edition_id>")
def edition(edition_id: int):
    check_parameters({"lang"})

    def build():
        organiser, track, row, meetings, moved = _edition(edition_id)
        return _document(_serialiser().edition_with_sessions(organiser, track, row, meetings,
                                                             moved))
    return _answer(build)


@bp.get(f"{PREFIX}/editions/<int:edition_id>/sessions")
def sessions(edition_id: int):
    check_parameters({"lang"})

    def build():
        _, _, row, meetings, moved = _edition(edition_id)
        serialiser = _serialiser()
        return _document(schemas.SessionList(
            data=[serialiser.session(row["edition"], m, m.id in moved) for m in meetings]))
    return _answer(build)


# --- for developers and search engines ---------------------------------------------------------------
@bp.get("/api/")
def documentation():
    base = current_app.config["SETTINGS"].base_url.rstrip("/")
    return render_template("api/docs.html", base=base, prefix=PREFIX,
                           example=queries.first_public_track(db_session()))


@bp.app_template_global()
def track_jsonld(organiser, entry: dict) -> Markup:
    """The schema.org JSON-LD of a track page, safe inside <script type="application/ld+json">."""
    s = db_session()
    editions = [row["edition"].id for row in entry["editions"]]
    meetings = queries.sessions(s, editions) if editions else {}
    moved = queries.rescheduled(s, [m for rows in meetings.values() for m in rows])
    data = jsonld.track(Serialiser(current_app.config["SETTINGS"].base_url), organiser, entry,
                        meetings, moved)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
