"""The embeddable catalogue: /embed/<organiser>/ is a page of the organiser's current tracks
for an iframe on the organiser's own website (the snippet is on the coordinators' page
"Insluiten", web/coordinator/embed.py). Server-rendered, no script, neutral styling that fits
any site; it follows `?lang=`. Every link opens this site in a new tab, out of the frame.

Framing: this is the one route whose Content-Security-Policy allows frame-ancestors, and only
the origins the organiser listed (none listed: nobody); every other route refuses every frame.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_babel import get_locale

from trajectories.api import queries
from trajectories.web import db_session
from trajectories.web.security import framable_by

bp = Blueprint("embed", __name__)

#: Tracks listed at most; the page links to the full catalogue for the rest.
MOST = 50


@bp.get("/embed/<organiser_slug>/")
def catalogue(organiser_slug: str):
    s = db_session()
    organiser = queries.organiser_by_slug(s, organiser_slug)
    if organiser is None:
        abort(404)
    ids = queries.current_track_ids(s, organiser.id)
    entries = queries.track_entries(s, ids[:MOST])
    language = str(get_locale() or "nl")
    response = current_app.make_response(render_template(
        "embed/catalogue.html", base=current_app.config["SETTINGS"].base_url.rstrip("/"),
        organiser=organiser, entries=entries, more=len(ids) > MOST,
        lang_args={"lang": language} if language != "nl" else {}))
    response.headers["Content-Security-Policy"] = framable_by(list(organiser.embed_origins or []))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
