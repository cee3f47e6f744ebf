"""The participants' blueprint: who is signed in, the one-message page, the rate-limit key and
error pages every view shares; the views are in the modules beside it."""

from __future__ import annotations

import functools

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from trajectories.core.errors import InvalidInput
from trajectories.people import uploads
from trajectories.people.models import Participant
from trajectories.web import db_session, fresh_session

bp = Blueprint("selfservice", __name__)


# --- who is signed in ------------------------------------------------------------------------------
def current_participant() -> Participant | None:
    if "participant" not in g:
        participant = None
        pid = session.get("participant_id")
        if pid is not None:
            participant = db_session().get(Participant, pid)
            # Erased, or the address changed since sign-in: the session no longer counts.
            if participant is None or participant.email != session.get("participant_email"):
                participant = None
        g.participant = participant
    return g.participant


def signed_in(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_participant() is None:
            return redirect(url_for("selfservice.signin_request"))
        return view(*args, **kwargs)

    return wrapper


def sign_in_session(participant: Participant) -> None:
    fresh_session()
    session["participant_id"] = participant.id
    session["participant_email"] = participant.email
    session.permanent = False


def link_from_mail(template: str, use, failed: str):
    """A signed link from a mail: GET shows a page with one button (mail scanners open every
    link, and must not use it up), POST uses the token. `use(token)` returns the participant to
    sign in and where they go next; a refused token shows why, with a way to ask for a new link."""
    token = request.values.get("t", "")
    if request.method == "GET":
        return render_template(template, token=token)
    try:
        participant, target = use(token)
    except InvalidInput as exc:
        return message(failed, exc.message, 400, signin_link=True)
    sign_in_session(participant)
    return redirect(target)


def email_key() -> str:
    """Rate-limit key: the address typed in the form (so one address cannot be flooded)."""
    return "email:" + (request.form.get("email") or "").strip().lower()[:254]


def message(title: str, text: str, status: int = 200, **context):
    """The one-message page (check your mail, a link that no longer works, ...)."""
    return render_template("selfservice/message.html", title=title, message=text,
                           **context), status


@bp.app_context_processor
def _participant_in_templates():
    return {"signed_in_participant": current_participant}


@bp.errorhandler(429)
def _too_many(_error):
    return message(_("Even geduld"), _("Je hebt dit formulier te vaak verstuurd. Probeer het over "
                                       "een uur opnieuw."), 429)


@bp.errorhandler(413)
def _too_large(_error):
    return message(_("Bestand te groot"),
                   _("Het bestand is te groot: hoogstens %(mb)s MB. Er is niets opgeslagen.",
                     mb=uploads.MAX_BYTES // (1024 * 1024)), 413)
