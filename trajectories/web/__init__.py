"""Flask blueprints and what every page shares."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, current_app, g, redirect, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_date, format_datetime, get_locale
from sqlmodel import Session
from werkzeug.routing import IntegerConverter

from trajectories.core.clock import to_local
from trajectories.core.db import Database

#: An edition's name that already says it is one ("Tweede editie", "2nd edition").
EDITION_WORD = re.compile(r"\b(editie|edition)\b", re.IGNORECASE)


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
        if request.path.startswith("/feeds/"):
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


def register_blueprints(app: Flask) -> None:
    from trajectories.web.coordinator import bp as coordinator_bp
    from trajectories.web.error_pages import init_error_pages
    from trajectories.web.feeds import bp as feeds_bp
    from trajectories.web.health import bp as health_bp
    from trajectories.web.mail import bp as mail_bp
    from trajectories.web.public import bp as public_bp
    from trajectories.web.security import init_security
    from trajectories.web.selfservice import bp as selfservice_bp

    app.url_map.converters["int"] = DatabaseId  # before any route is added
    app.session_interface = CookieSessions()
    init_security(app)
    init_error_pages(app)
    app.register_blueprint(public_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(coordinator_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(selfservice_bp)

    @app.get("/favicon.ico")
    def favicon():
        # Browsers ask for /favicon.ico on every site; answer it instead of logging a 404.
        return app.send_static_file("favicon.svg")

    @app.get("/taal/<code>")
    def set_language(code: str):
        if code in ("nl", "en"):
            session["lang"] = code
        return redirect(local_path(request.args.get("next"), "/"))


def template_helpers(app: Flask) -> None:
    from trajectories.core.models import label, labels
    from trajectories.schedule.models import Meeting

    app.add_template_filter(label, "label")  # {{ row.status | label("EnrollmentStatus") }}
    app.add_template_global(labels, "enum_labels")  # {% set names = enum_labels("Status") %}

    @app.template_filter("local")
    def local_datetime(moment, zone_name: str, fmt: str = "EEEE d MMMM y, HH:mm"):
        """A UTC moment from the database, shown in the edition's zone."""
        if moment is None:
            return ""
        return format_datetime(to_local(moment, zone_name), fmt, rebase=False)

    @app.template_filter("day")
    def long_date(value, fmt: str = "EEEE d MMMM y"):
        return format_date(value, fmt) if value else ""

    @app.template_global()
    def meeting_when(meeting: Meeting, zone_name: str) -> str:
        """'dinsdag 13 april 2021, 13:30–15:30', or the date and 'tijd volgt'."""
        from flask_babel import gettext

        day = format_date(meeting.on_date, "EEEE d MMMM y")
        if meeting.starts_at is None:
            return f"{day} ({gettext('tijd volgt')})"
        start = to_local(meeting.starts_at, zone_name)
        end = to_local(meeting.ends_at, zone_name)
        return f"{day}, {start:%H:%M}–{end:%H:%M}"

    @app.template_global()
    def edition_name(edition) -> str:
        """'editie 2030'; a name that says so itself ('Tweede editie') stands alone."""
        from flask_babel import gettext

        if EDITION_WORD.search(edition.name):
            return edition.name
        return gettext("editie %(name)s", name=edition.name)

    @app.context_processor
    def _globals():
        return {"current_locale": str(get_locale()),
                "settings": current_app.config["SETTINGS"]}
