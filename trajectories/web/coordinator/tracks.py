"""Tracks (leertrajecten): list, create, edit, with their Global Goals."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from trajectories.catalogue import queries
from trajectories.catalogue import services as catalogue
from trajectories.interest import queries as interest
from trajectories.web import db_session, whole_number
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp
from trajectories.web.coordinator.forms import TrackForm, save, status_code

TRACK_FIELDS = ("title", "summary", "goals", "target_group", "theme", "sdgs", "contact_name", "kind",
                "contact_email")


@bp.get("/trajecten")
def tracks():
    rows, editions = queries.tracks_with_editions(db_session(), access.organiser_ids())
    return render_template("coordinator/tracks.html", tracks=rows, editions=editions,
                           interest=interest.sizes(db_session(), [t.id for t in rows]),
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
    saved = save(form, lambda: catalogue.create_track(db_session(), organiser, slug=form.slug.data,
                                                      **form.data_for_service(*TRACK_FIELDS)),
                 lambda track: _("Leertraject %(title)s aangemaakt.", title=track.title),
                 lambda track: url_for("coordinator.track", track_id=track.id))
    return saved or (render_template("coordinator/track_form.html", form=form, track=None,
                                     organiser=organiser, organisers=organisers),
                     status_code(form))


@bp.get("/trajecten/<int:track_id>")
def track(track_id: int):
    row = access.track(track_id)
    return render_template("coordinator/track.html", track=row,
                           editions=queries.editions_of(db_session(), row.id),
                           organiser=access.organiser(row.organiser_id),
                           interest_size=interest.size(db_session(), row.id),
                           interest_places=interest.per_municipality(db_session(), row.id))


@bp.route("/trajecten/<int:track_id>/bewerken", methods=["GET", "POST"])
def edit_track(track_id: int):
    row = access.track(track_id)
    form = TrackForm(obj=row)
    del form.slug  # the short name is in published feed addresses: it stays
    saved = save(form, lambda: catalogue.update_track(db_session(), row,
                                                      **form.data_for_service(*TRACK_FIELDS)),
                 _("Wijzigingen opgeslagen."), url_for("coordinator.track", track_id=row.id))
    return saved or (render_template("coordinator/track_form.html", form=form, track=row,
                                     organiser=access.organiser(row.organiser_id)),
                     status_code(form))

