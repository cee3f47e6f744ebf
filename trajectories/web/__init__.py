"""What every page shares: the request's database session, ids and numbers from URLs, safe
redirects, the session cookie. The blueprints are in the modules and packages beside it;
`site` installs them."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g, session
from flask.sessions import SecureCookieSessionInterface
from sqlmodel import Session
from werkzeug.routing import IntegerConverter

from trajectories.core.db import Database


def get_db() -> Database:
    return current_app.extensions["trajectories.db"]


def db_session() -> Session:
    """The request's database session, closed when the request ends."""
    if "db_session" not in g:
        g.db_session = get_db().session(actor=g.get("actor"))
    return g.db_session


def whole_number(value: str | None) -> int | None:
    """A whole number typed into a URL or form ("12"), or None. Not "-1", nor "²" (a digit to
    str.isdigit, not to int()), nor more digits than any id or page number here has (the
    database's integers would overflow)."""
    if value and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


def local_path(target: str | None, default: str, under: str = "/") -> str:
    """`target` (a `next` from the request) when it is a path on this site below `under`, else
    `default`. Read first as a browser reads it: tabs and line breaks removed, a backslash as
    `/`; so `/%09/evil.example` (a tab) is `//evil.example`, another host, and is refused. Every
    redirect to an address that came with the request goes through here."""
    if not target:
        return default
    path = target.replace("\t", "").replace("\r", "").replace("\n", "").replace("\\", "/")
    if (not path.startswith(under) or path.startswith("//")
            or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path)):
        return default
    parts = urlsplit(path)
    return default if parts.scheme or parts.netloc else path


def fresh_session() -> None:
    """Start a new session at sign-in and sign-out (no fixation of an earlier cookie), keeping
    only the visitor's language choice."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except on feeds: calendar clients keep no cookies, a
    public feed must never carry a Set-Cookie (CDNs would not cache it), and feeds are the
    hottest path (no cookie to verify on every poll)."""

    def open_session(self, app, request):
        if request.path.startswith(("/feeds/", "/api/v1/")):  # the API neither
            return self.make_null_session(app)
        return super().open_session(app, request)


#: The largest id the database can look up: ids are INTEGER columns, 32-bit signed on PostgreSQL
#: (SQLite's are 64-bit); a larger number in a query raises instead of finding nothing.
LARGEST_ID = 2**31 - 1


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route: a number the database can look up. A larger one matches no
    route (404) instead of overflowing in the query (a 500)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)
