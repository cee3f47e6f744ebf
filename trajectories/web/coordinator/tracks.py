"""Tracks (leertrajecten): list, create, edit, with their Global Goals."""

from __future__ import annotations

from collections import defaultdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from trajectories.catalogue import services as catalogue
from trajectories.catalogue.models import Edition, Track
from trajectories.core.errors import InvalidInput
from trajectories.web import db_session, whole_number
from trajectories.web.coordinator import access, bp
from trajectories.web.coordinator.forms import TrackForm

TRACK_FIELDS = ("title", "summary", "goals", "target_group", "theme", "sdgs", "contact_name",
                "contact_email")


def status_code(form) -> int:
    return 400 if form.is_submitted() and form.errors else 200


@bp.get("/trajecten")
def tracks():
    s = db_session()
    rows = list(s.exec(access.scoped(select(Track)).order_by(Track.title)))
    editions = defaultdict(list)
    for edition in s.exec(select(Edition).where(Edition.track_id.in_([t.id for t in rows]))
                         .order_by(Edition.created_at, Edition.id)):
        editions[edition.track_id].append(edition)
    return render_template("coordinator/tracks.html", tracks=rows, editions=editions,
                           organisers={o.id: o for o in access.visible_organisers()})


@bp.route("/trajecten/nieuw", methods=["GET", "POST"])
def new_track():
    organisers = access.visible_organisers()
    if not organisers:
        abort(404)
    # An admin picks the organiser with ?organisator=<id>; a coordinator has one.
    organiser = organisers[0]
    chosen = whole_number(request.args.get("organisator"))
    if current_user.is_admin and chosen is not None:
        organiser = access.organiser(chosen)
    form = TrackForm()
    if form.validate_on_submit():
        try:
            track = catalogue.create_track(db_session(), organiser, slug=form.slug.data,
                                           **form.data_for_service(*TRACK_FIELDS))
        except InvalidInput as exc:
            form.fail(exc)
        else:
            flash(_("Leertraject %(title)s aangemaakt.", title=track.title), "success")
            return redirect(url_for("coordinator.track", track_id=track.id))
    return render_template("coordinator/track_form.html", form=form, track=None,
                           organiser=organiser, organisers=organisers), status_code(form)


@bp.get("/trajecten/<int:track_id>")
def track(track_id: int):
    row = access.track(track_id)
    editions = list(db_session().exec(select(Edition).where(Edition.track_id == row.id)
                                     .order_by(Edition.created_at, Edition.id)))
    return render_template("coordinator/track.html", track=row, editions=editions,
                           organiser=access.organiser(row.organiser_id))


@bp.route("/trajecten/<int:track_id>/bewerken", methods=["GET", "POST"])
def edit_track(track_id: int):
    row = access.track(track_id)
    form = TrackForm(obj=row)
    del form.slug  # the short name is in published feed addresses: it stays
    if form.validate_on_submit():
        try:
            catalogue.update_track(db_session(), row, **form.data_for_service(*TRACK_FIELDS))
        except InvalidInput as exc:
            form.fail(exc)
        else:
            flash(_("Wijzigingen opgeslagen."), "success")
            return redirect(url_for("coordinator.track", track_id=row.id))
    return render_template("coordinator/track_form.html", form=form, track=row,
                           organiser=access.organiser(row.organiser_id)), status_code(form)
