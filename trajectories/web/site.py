"""What the factory installs on the app: every blueprint, the session and id conventions of every
route, and the Jinja filters and globals the templates share."""

from __future__ import annotations

import re

from flask import Flask, current_app, redirect, request, session
from flask_babel import format_date, format_datetime, get_locale, gettext

from trajectories.core.clock import to_local
from trajectories.core.models import label, labels
from trajectories.schedule.models import Meeting
from trajectories.web import CookieSessions, DatabaseId, local_path
from trajectories.web.ambassadors import bp as ambassadors_bp
from trajectories.web.api import bp as api_bp
from trajectories.web.award import bp as award_bp
from trajectories.web.certificates import bp as certificates_bp
from trajectories.web.coordinator import bp as coordinator_bp
from trajectories.web.embed import bp as embed_bp
from trajectories.web.error_pages import init_error_pages
from trajectories.web.feedback import bp as feedback_bp
from trajectories.web.feeds import bp as feeds_bp
from trajectories.web.health import bp as health_bp
from trajectories.web.interest import bp as interest_bp
from trajectories.web.lending import bp as lending_bp
from trajectories.web.mail import bp as mail_bp
from trajectories.web.menukaart import bp as menukaart_bp
from trajectories.web.public import bp as public_bp
from trajectories.web.security import init_security
from trajectories.web.selfservice import bp as selfservice_bp

#: An edition's name that already says it is one ("Tweede editie", "2nd edition").
EDITION_WORD = re.compile(r"\b(editie|edition)\b", re.IGNORECASE)


def register_blueprints(app: Flask) -> None:
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
    app.register_blueprint(feedback_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(embed_bp)
    app.register_blueprint(interest_bp)
    app.register_blueprint(award_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(menukaart_bp)
    app.register_blueprint(lending_bp)
    app.register_blueprint(ambassadors_bp)

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
        day = format_date(meeting.on_date, "EEEE d MMMM y")
        if meeting.starts_at is None:
            return f"{day} ({gettext('tijd volgt')})"
        start = to_local(meeting.starts_at, zone_name)
        end = to_local(meeting.ends_at, zone_name)
        return f"{day}, {start:%H:%M}–{end:%H:%M}"

    @app.template_global()
    def edition_name(edition) -> str:
        """'editie 2030'; a name that says so itself ('Tweede editie') stands alone."""
        if EDITION_WORD.search(edition.name):
            return edition.name
        return gettext("editie %(name)s", name=edition.name)

    @app.context_processor
    def _globals():
        return {"current_locale": str(get_locale()),
                "settings": current_app.config["SETTINGS"]}
