"""One-click unsubscribe (RFC 8058): the link in every participant mail and its POST target."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from trajectories.mail.preferences import (
    PREFERENCE_LABELS,
    read_unsubscribe_token,
    set_mail_preference,
)
from trajectories.people.models import Participant
from trajectories.web import db_session
from trajectories.web.security import csrf

bp = Blueprint("mail", __name__, url_prefix="/mail")


def _target(token: str) -> tuple[Participant, str]:
    found = read_unsubscribe_token(current_app.config["SECRET_KEY"], token)
    if found is None:
        abort(404)
    participant = db_session().get(Participant, found[0])
    if participant is None:
        abort(404)
    return participant, found[1]


@bp.get("/afmelden/<token>")
def unsubscribe_page(token: str):
    """A page with one button: a GET alone never unsubscribes (link scanners follow links)."""
    participant, kind = _target(token)
    return render_template("mail/unsubscribe.html", token=token, done=False,
                           label=PREFERENCE_LABELS[kind])


@bp.post("/afmelden/<token>")
@csrf.exempt  # mail clients POST "List-Unsubscribe=One-Click" without a form token (RFC 8058)
def unsubscribe(token: str):
    participant, kind = _target(token)
    set_mail_preference(db_session(), participant, kind, False)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render_template("mail/unsubscribe.html", token=token, done=True,
                           label=PREFERENCE_LABELS[kind])
