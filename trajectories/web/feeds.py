"""Serving the calendar feeds, and the template helpers that advertise them on pages.

Public feeds: `/feeds/<organiser>.ics`, `/feeds/<organiser>/<track>.ics`,
`/feeds/<organiser>/<track>/<edition>.ics` (nginx may serve the published copies under the same
paths). Personal feeds: `/feeds/p/<token>.ics`. Each answer carries a strong ETag and a
Last-Modified, and 304 when the client already has it; HEAD works like GET without the body.
"""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, g, request
from flask import Response as FlaskResponse
from flask_babel import get_locale
from werkzeug.http import http_date

from trajectories.catalogue import queries
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.feeds import build, cache, links, publish, rows
from trajectories.feeds.tokens import participant_for_token
from trajectories.web import db_session
from trajectories.web.security import limiter

bp = Blueprint("feeds", __name__)

PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, max-age=300"


@limiter.request_filter
def _unlimited() -> bool:
    """Calendar servers (Google, Microsoft) poll many users' feeds from few addresses: a
    per-address limit would cut off whole organisations, and feeds are cheap to answer (see
    cache.FeedCache). A request filter, unlike `limiter.exempt(bp)`, skips the limiter's
    per-request lookups too: feeds are the app's hottest path."""
    return request.blueprint == "feeds"


@bp.record_once
def _configure(state) -> None:
    # After-commit handlers of this app's database publish into its calendars directory.
    publish.configure(state.app.extensions["trajectories.db"], state.app.config["SETTINGS"])
    state.app.extensions["trajectories.feeds.cache"] = cache.FeedCache()


def feed_cache() -> cache.FeedCache:
    """This app's built feeds (see cache.FeedCache)."""
    return current_app.extensions["trajectories.feeds.cache"]


def _settings():
    return current_app.config["SETTINGS"]


def _respond(document: build.FeedDocument, cache_control: str) -> FlaskResponse:
    """200 with the feed, or 304 when the client's copy is current (If-None-Match first, as
    RFC 9110 says; If-Modified-Since only without it). Flask answers HEAD from the same."""
    headers = {
        "ETag": f'"{document.etag}"',
        "Last-Modified": http_date(document.last_modified),
        "Cache-Control": cache_control,
    }
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        if headers["ETag"] in if_none_match or if_none_match.strip() == "*":
            return FlaskResponse(status=304, headers=headers)
    else:
        since = request.if_modified_since
        if since is not None and document.last_modified <= since:
            return FlaskResponse(status=304, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{document.filename}"'
    return FlaskResponse(document.body, headers=headers,
                         content_type="text/calendar; charset=utf-8")


def _find(organiser_slug: str, track_slug: str | None = None, edition_slug: str | None = None):
    """Organiser, track and edition by their slugs, in one query; 404 when any is unknown."""
    row = queries.by_slugs(db_session(), organiser_slug, track_slug, edition_slug)
    if row is None:
        abort(404)
    return row


def _public(load) -> FlaskResponse:
    """Serve from memory while the feed's version was checked recently; else `load()` (which
    checks the version, rebuilding only when it moved, and answers 404 for unknown slugs)."""
    document = feed_cache().recent(request.path)
    if document is None:
        document = load()
        feed_cache().remember(request.path, document)
    return _respond(document, PUBLIC_CACHE)


def _organiser_document(organiser: Organiser) -> build.FeedDocument:
    settings, start, session = _settings(), rows.window_start(), db_session()
    return feed_cache().get(
        ("organiser", organiser.id, settings.base_url),
        build.organiser_version(session, organiser, start),
        lambda: build.build_organiser_feed(session, organiser, base_url=settings.base_url,
                                           start=start, default_zone=settings.timezone))


def _track_document(organiser: Organiser, track: Track) -> build.FeedDocument:
    settings, start, session = _settings(), rows.window_start(), db_session()
    return feed_cache().get(
        ("track", track.id, settings.base_url),
        build.track_version(session, organiser, track, start),
        lambda: build.build_track_feed(session, organiser, track, base_url=settings.base_url,
                                       start=start, default_zone=settings.timezone))


def _edition_document(organiser: Organiser, track: Track, edition: Edition) -> build.FeedDocument:
    settings = _settings()
    return feed_cache().get(
        ("edition", edition.id, settings.base_url),
        build.edition_version(organiser, track, edition),
        lambda: build.build_edition_feed(db_session(), organiser, track, edition,
                                        base_url=settings.base_url))


@bp.get("/feeds/<organiser_slug>.ics")
def organiser_feed(organiser_slug: str):
    return _public(lambda: _organiser_document(_find(organiser_slug)[0]))


@bp.get("/feeds/<organiser_slug>/<track_slug>.ics")
def track_feed(organiser_slug: str, track_slug: str):
    return _public(lambda: _track_document(*_find(organiser_slug, track_slug)[:2]))


@bp.get("/feeds/<organiser_slug>/<track_slug>/<edition_slug>.ics")
def edition_feed(organiser_slug: str, track_slug: str, edition_slug: str):
    return _public(lambda: _edition_document(*_find(organiser_slug, track_slug, edition_slug)))


#: A new worker builds public feeds for at most this long before it takes requests.
WARM_SECONDS = 2.0


def warm_feed_cache(app, seconds: float = WARM_SECONDS) -> int:
    """Build the public feeds into this app's cache (organisers, then tracks, then editions,
    newest first) until `seconds` have passed; gunicorn's master does so before it forks
    (when_ready), so every worker answers its first feed requests from memory. Returns how many
    it built."""
    deadline = time.monotonic() + seconds
    built = 0
    with app.app_context():
        session = db_session()
        organisers = {o.id: o for o in queries.organisers(session)}
        tracks, editions = queries.tracks_with_editions(session, None)
        published = sorted(((t, e) for t in tracks for e in editions[t.id] if not e.draft),
                           key=lambda pair: pair[1].created_at, reverse=True)
        work = [lambda o=o: _organiser_document(o) for o in organisers.values()]
        work += [lambda t=t: _track_document(organisers[t.organiser_id], t) for t in tracks]
        work += [lambda t=t, e=e: _edition_document(organisers[t.organiser_id], t, e)
                 for t, e in published]
        for task in work:
            if time.monotonic() >= deadline:
                break
            task()
            built += 1
    return built


@bp.get("/feeds/p/<token>.ics")
def personal_feed(token: str):
    """A participant's own feed. Unknown, malformed and rotated tokens all get the same 404.
    Like public feeds, a worker answers from memory between checks (cache.FRESH_SECONDS): a
    rotated token stops at once in the process that rotated it, within seconds everywhere."""
    g.log_path = "/feeds/p/<token>.ics"  # the token never reaches the request log
    document = feed_cache().recent(request.path)
    if document is None:
        session = db_session()
        participant = participant_for_token(session, token)
        if participant is None:
            abort(404)
        settings = _settings()
        data = build.load_personal(session, participant)
        document = feed_cache().get(
            # Keyed by the token's hash: a rotated token never meets its predecessor's bytes.
            ("personal", participant.id, participant.feed_token_hash, settings.base_url),
            data.version(),
            lambda: build.build_personal_feed(session, data, base_url=settings.base_url,
                                              default_zone=settings.timezone))
        feed_cache().remember(request.path, document)
    response = _respond(document, PRIVATE_CACHE)
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- for templates -------------------------------------------------------------------------------
@bp.app_template_global()
def feed_for(obj, track: Track | None = None, organiser: Organiser | None = None) -> links.FeedLink:
    """The feed of an Organiser, Track or Edition, for `feeds/_subscribe.html`'s macros.
    Parents not given are read through the request's session (usually already loaded)."""
    session = db_session()
    if isinstance(obj, Edition) and track is None:
        track = session.get(Track, obj.track_id)
    if isinstance(obj, Track | Edition) and organiser is None:
        organiser = session.get(Organiser, (track or obj).organiser_id)
    return links.feed_link(_settings().base_url, obj, track=track, organiser=organiser,
                           language=str(get_locale() or "nl"))


@bp.app_template_global()
def personal_feed_link(token: str) -> links.FeedLink:
    """The personal feed behind a freshly made token (see feeds.tokens.rotate_feed_token)."""
    return links.personal_link(_settings().base_url, token, language=str(get_locale() or "nl"))

