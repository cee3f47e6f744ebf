"""Registering for an edition and confirming it by the link in the mail (double opt-in)."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _

from trajectories.catalogue.models import Edition
from trajectories.catalogue.status import registration_open
from trajectories.core.errors import InvalidInput
from trajectories.people import places, registration
from trajectories.people.models import Participant
from trajectories.web import db_session
from trajectories.web.public import municipality_groups, track_entry
from trajectories.web.security import limiter
from trajectories.web.selfservice.blueprint import bp, email_key, link_from_mail, message


def _edition_or_404(organiser_slug: str, track_slug: str, edition_slug: str):
    organiser, entry = track_entry(organiser_slug, track_slug)
    row = next((e for e in entry["editions"] if e["edition"].slug == edition_slug), None)
    if row is None:
        abort(404)
    return organiser, entry, row


@bp.route("/<organiser_slug>/<track_slug>/<edition_slug>/inschrijven", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=email_key)
def register(organiser_slug: str, track_slug: str, edition_slug: str):
    organiser, entry, row = _edition_or_404(organiser_slug, track_slug, edition_slug)
    edition: Edition = row["edition"]
    error = None
    form = request.form
    if request.method == "POST":
        if form.get("website"):
            # The honeypot was filled in: a bot. Answer as if all went well; send nothing.
            return _check_mail(form.get("email", ""))
        try:
            asked = registration.request_registration(db_session(), edition, form.to_dict())
            return _check_mail(form.get("email", ""),
                               places.preview(db_session(), edition, asked.organisation,
                                              asked.email))
        except InvalidInput as exc:
            error = exc
    is_open = registration_open(edition)
    full = row["places_left"] == 0  # registering puts them (their municipality) on the waiting list
    return render_template("selfservice/register.html", organiser=organiser, entry=entry,
                           row=row, edition=edition, is_open=is_open, full=full,
                           error=error, form=form, groups=municipality_groups(),
                           other_kinds=registration.other_kinds(edition)), 200 if error is None else 422


def _check_mail(email: str, outcome: dict | None = None):
    team = (outcome or {}).get("team")
    return message(_("Kijk in je mailbox"),
                   _("We hebben een e-mail gestuurd naar %(email)s. Klik op de link in die "
                     "e-mail om je inschrijving te bevestigen; pas dan telt ze.",
                     email=email.strip().lower()),
                   note=_("Je gemeente neemt al deel: je wordt toegevoegd aan het team van "
                          "%(organisation)s.", organisation=team) if team else None)


@bp.route("/inschrijving/bevestigen", methods=["GET", "POST"])
def confirm():
    def confirmed(token):
        enrollment = registration.confirm_registration(db_session(), token)
        return (db_session().get(Participant, enrollment.participant_id),
                url_for("selfservice.home", bevestigd=enrollment.edition_id))

    return link_from_mail("selfservice/confirm.html", confirmed, _("Bevestigen lukt niet"))
