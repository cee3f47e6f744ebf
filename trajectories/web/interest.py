"""The interest list in the browser: "Houd me op de hoogte" on a track page, confirming it by the
link in the mail, leaving from the announcement (one-click, RFC 8058) or from /mijn."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from trajectories.catalogue.models import Edition, Track
from trajectories.core.errors import InvalidInput
from trajectories.interest import services as interest
from trajectories.interest.models import RETENTION_DAYS
from trajectories.mail.preferences import read_interest_token
from trajectories.people.models import Participant
from trajectories.web import db_session
from trajectories.web.public import municipality_groups, track_entry
from trajectories.web.security import csrf, limiter
from trajectories.web.selfservice.blueprint import (
    current_participant,
    email_key,
    link_from_mail,
    message,
    signed_in,
)

bp = Blueprint("interest", __name__)


def _form_page(organiser, entry, form, error=None):
    return render_template("interest/join.html", organiser=organiser, entry=entry, form=form,
                           error=error, groups=municipality_groups(),
                           years=RETENTION_DAYS // 365), 200 if error is None else 422


@bp.route("/<organiser_slug>/<track_slug>/op-de-hoogte", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=email_key)
def join(organiser_slug: str, track_slug: str):
    organiser, entry = track_entry(organiser_slug, track_slug)
    if request.method == "GET":
        return _form_page(organiser, entry, {})
    form = request.form
    if form.get("website"):  # the honeypot: a bot; answer as if all went well, send nothing
        return _check_mail(form.get("email", ""))
    try:
        interest.request_interest(db_session(), entry["track"], form.to_dict())
    except InvalidInput as exc:
        return _form_page(organiser, entry, form, exc)
    return _check_mail(form.get("email", ""))


def _check_mail(email: str):
    return message(_("Kijk in je mailbox"),
                   _("We hebben een e-mail gestuurd naar %(email)s. Klik op de link in die "
                     "e-mail om te bevestigen; pas dan kom je op de lijst.",
                     email=email.strip().lower()))


@bp.route("/inschrijving/op-de-hoogte", methods=["GET", "POST"])
def confirm():
    def confirmed(token):
        participant, entry = interest.confirm_interest(db_session(), token)
        return participant, url_for("selfservice.home", lijst=entry.track_id)

    return link_from_mail("interest/confirm.html", confirmed, _("Bevestigen lukt niet"))


def _target(token: str) -> tuple[Participant, Edition]:
    found = read_interest_token(current_app.config["SECRET_KEY"], token)
    if found is None:
        abort(404)
    participant, edition = db_session().get(Participant, found[0]), \
        db_session().get(Edition, found[1])
    if participant is None or edition is None:
        abort(404)
    return participant, edition


@bp.get("/mail/lijst/<token>")
def leave_page(token: str):
    """A page with one button: a GET alone never takes anyone off (link scanners follow links)."""
    _participant, edition = _target(token)
    return render_template("interest/leave.html", token=token, done=False,
                           track=edition_track(edition))


@bp.post("/mail/lijst/<token>")
@csrf.exempt  # mail clients POST "List-Unsubscribe=One-Click" without a form token (RFC 8058)
def leave(token: str):
    participant, edition = _target(token)
    interest.leave(db_session(), participant, edition.track_id)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render_template("interest/leave.html", token=token, done=True,
                           track=edition_track(edition))


def edition_track(edition: Edition) -> Track:
    return db_session().get(Track, edition.track_id)


@bp.post("/mijn/lijst/<int:track_id>/afmelden")
@signed_in
def leave_mine(track_id: int):
    if not interest.leave(db_session(), current_participant(), track_id):
        abort(404)
    flash(_("Je staat niet meer op de lijst van dit leertraject."), "success")
    return redirect(url_for("selfservice.home"))
