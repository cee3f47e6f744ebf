"""Public pages built once per change and language, as the feeds are.

A page's bytes are kept per worker under its URL (path and query string: filters, paging, and
the language switch's `next` link), language and the clock's quarter hour, with the version they
were built from: the catalogue's version (`api.queries.version`: organisers, tracks, editions
with their sessions and deadlines, enrollments, registration windows opened or closed by now,
the quarter hour in which a day begins in every zone) and the municipalities of the reference
(the forms' lists); a page that shows more adds that version (the province pages: ambassadors,
the Menukaart's published examples, organisations; `ambassadors.queries.version`). The cache is
a `feeds.cache.FeedCache`: a worker answers from memory and asks the database for the version
at most every `feeds.cache.FRESH_SECONDS` (of the app's clock, so a clock moved on is noticed),
and at once after any change committed in the same process (a session event, whatever service
or script made it); so an unchanged page costs no query at all.

What differs per visitor is never kept: a page with a flashed message is built for that visit
only, and the CSRF token of a form is kept as a placeholder that each answer fills in with the
visitor's own token. Public pages show nothing else of the visitor (the signed-in state shows on
"my trajectories" and under /beheer, never cached).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import timedelta

from flask import Response, current_app, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, func
from sqlalchemy.orm import Session
from sqlmodel import select

from trajectories.api import queries as catalogue_version
from trajectories.core.clock import utcnow
from trajectories.core.reference import ReferenceMunicipality
from trajectories.feeds.cache import FRESH_SECONDS, FeedCache
from trajectories.web import db_session

#: Where a cached page has a form's CSRF token; replaced on every answer.
CSRF_PLACEHOLDER = "csrf-token-of-this-visit-7f3a9c"

_EXTENSION = "trajectories.page_cache"
_FRESH = timedelta(seconds=FRESH_SECONDS)
_page_caches: weakref.WeakSet[FeedCache] = weakref.WeakSet()


def page_cache() -> FeedCache:
    """This app's cached pages (made on first use)."""
    cache = current_app.extensions.get(_EXTENSION)
    if cache is None:
        cache = current_app.extensions.setdefault(_EXTENSION, FeedCache())
        _page_caches.add(cache)
    return cache


#: The tables whose rows the public pages show (the province pages: ambassadors, the Menukaart's
#: examples and the organisations too).
SHOWN = frozenset({"organiser", "track", "edition", "meeting", "deadline", "material",
                   "enrollment", "reference_municipality", "ambassador", "menukaart_example",
                   "organisation"})

#: Changes committed in this process to those tables: part of the version, so a change shows at
#: once even when the clock stands still (its `updated_at` then does not move).
_generation = [0]


@event.listens_for(Session, "after_flush")
def _note_change(session, _flush_context) -> None:
    if any(getattr(type(row), "__tablename__", None) in SHOWN
           for rows in (session.new, session.dirty, session.deleted) for row in rows):
        session.info["trajectories.page_cache.changed"] = True


@event.listens_for(Session, "after_commit")
def _forget_recent(session) -> None:
    """A change was committed in this process: every page checks its version on its next visit."""
    if session.info.pop("trajectories.page_cache.changed", False):
        _generation[0] += 1
        for cache in list(_page_caches):
            cache.forget_recent()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session) -> None:
    session.info.pop("trajectories.page_cache.changed", None)


def version(now) -> tuple:
    """Everything a public page shows moves this: the catalogue's version, and the reference
    municipalities that the interest form lists (an imported merger). Two queries."""
    s = db_session()
    reference = s.exec(select(func.max(ReferenceMunicipality.updated_at),
                              func.count()).select_from(ReferenceMunicipality)).one()
    return (_generation[0], *catalogue_version.version(s, now), *reference)


def _quarter(now) -> str:
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0).isoformat()


def cached(build: Callable[..., str],
           also: Callable[[Session], tuple] | None = None) -> Response | str:
    """The page `build(csrf_token=...)` renders, from the cache when its version has not moved.
    `build` takes the function its template calls for a CSRF token; `also(session)` gives the
    version of what the page shows beyond the catalogue (the province pages: ambassadors, the
    Menukaart), one more query when the version is checked."""
    if request.method != "GET" or session.get("_flashes"):
        return build(csrf_token=generate_csrf)
    cache = page_cache()
    now = utcnow()
    key = f"{get_locale() or 'nl'} {_quarter(now)} {request.full_path}"
    recent = cache.recent(key)
    if recent is not None and timedelta(0) <= now - recent[0] < _FRESH:
        body = recent[1]
    else:
        moved = version(now) + (also(db_session()) if also else ())
        body = cache.get(key, moved, lambda: build(csrf_token=lambda: CSRF_PLACEHOLDER))
        cache.remember(key, (now, body))
    if CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, generate_csrf())
    return Response(body, content_type="text/html; charset=utf-8")


#: The pages gunicorn's master renders before it forks its workers (when_ready): the catalogue,
#: the page most visitors open first.
WARM_PATHS = ("/",)


def warm_pages(app) -> int:
    """Render WARM_PATHS into this worker's page cache, through the app as a visitor's request
    would (so the cache key is the one a visit looks up); returns how many answered 200."""
    client = app.test_client()
    return sum(client.get(path).status_code == 200 for path in WARM_PATHS)
