"""A municipality's and a participant's page in /beheer (every edition, attendance and
deliverable across the organiser's tracks and years), and the search that finds them."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from trajectories.core.models import labels
from trajectories.people.models import Organisation
from trajectories.reach import history
from trajectories.web import db_session
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp

MAX_QUERY = 100


@bp.get("/gemeenten/<int:organisation_id>")
def municipality(organisation_id: int):
    s = db_session()
    group = history.municipality_group(s, organisation_id)
    if not group:
        abort(404)
    merged_into = s.get(Organisation, group[0].merged_into_id) if group[0].merged_into_id else None
    return render_template("coordinator/municipality.html", organisation=group[0],
                           formers=group[1:], merged_into=merged_into,
                           history=history.municipality_history(s, group, access.organiser_ids()),
                           status_labels=labels("EnrollmentStatus"))


@bp.get("/deelnemers/<int:participant_id>")
def participant(participant_id: int):
    s = db_session()
    found = history.visible_participant(s, participant_id, access.organiser_ids())
    if found is None:
        abort(404)
    organisation = s.get(Organisation, found.organisation_id) if found.organisation_id else None
    return render_template("coordinator/participant.html", participant=found,
                           organisation=organisation,
                           history=history.participant_history(s, found.id,
                                                               access.organiser_ids()),
                           status_labels=labels("EnrollmentStatus"))


@bp.get("/zoeken")
def search():
    text = request.args.get("q", "").strip()
    error, organisations, participants = None, [], []
    if len(text) > MAX_QUERY:
        error = _("Zoek met hoogstens %(n)s tekens.", n=MAX_QUERY)
    elif len(text) == 1:
        error = _("Typ minstens twee tekens.")
    elif text:
        organisations, participants = history.search(db_session(), text, access.organiser_ids())
    return render_template("coordinator/search.html", q=text[:MAX_QUERY], error=error,
                           organisations=organisations, participants=participants,
                           limit=history.SEARCH_LIMIT), 200 if error is None else 400
