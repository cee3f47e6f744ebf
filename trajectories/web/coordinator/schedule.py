"""Sessions and deadlines: plan, edit, reschedule, cancel (saying who gets mail), materials."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _

from trajectories.core.clock import to_local
from trajectories.people import queries as people
from trajectories.people import uploads
from trajectories.schedule import services as schedule
from trajectories.web import db_session
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp
from trajectories.web.coordinator.forms import (
    ConfirmForm,
    DeadlineForm,
    MaterialForm,
    MeetingContentForm,
    MeetingForm,
    MeetingTimeForm,
    confirmed,
    save,
    status_code,
)


def _sessions(edition_id: int) -> str:
    return url_for("coordinator.edition", edition_id=edition_id) + "#sessies"


def _deadlines(edition_id: int) -> str:
    return url_for("coordinator.edition", edition_id=edition_id) + "#deadlines"


@bp.route("/edities/<int:edition_id>/sessies/nieuw", methods=["GET", "POST"])
def new_meeting(edition_id: int):
    edition, track = access.edition(edition_id)
    form = MeetingForm()
    saved = save(form, lambda: schedule.plan_meeting(
                     db_session(), edition, on_date=form.on_date.data, start=form.start.data,
                     end=form.end.data, **form.data_for_service(*MeetingForm.CONTENT)),
                 lambda meeting: _("Sessie %(title)s gepland.", title=meeting.title),
                 _sessions(edition.id))
    return saved or (render_template("coordinator/meeting_form.html", form=form, edition=edition,
                                     track=track, meeting=None, heading=_("Sessie plannen")),
                     status_code(form))


@bp.route("/sessies/<int:meeting_id>/bewerken", methods=["GET", "POST"])
def edit_meeting(meeting_id: int):
    meeting, edition, track = access.meeting(meeting_id)
    form = MeetingContentForm(obj=meeting)
    saved = save(form, lambda: schedule.update_meeting(
                     db_session(), meeting, **form.data_for_service(*MeetingForm.CONTENT)),
                 _("Sessie bijgewerkt."), _sessions(edition.id))
    return saved or (render_template("coordinator/meeting_form.html", form=form, edition=edition,
                                     track=track, meeting=meeting, heading=_("Sessie bewerken")),
                     status_code(form))


@bp.route("/sessies/<int:meeting_id>/verplaatsen", methods=["GET", "POST"])
def reschedule(meeting_id: int):
    meeting, edition, track = access.meeting(meeting_id)
    form = MeetingTimeForm()
    if request.method == "GET":
        form.on_date.data = meeting.on_date
        if meeting.starts_at:
            form.start.data = to_local(meeting.starts_at, edition.timezone).time()
            form.end.data = to_local(meeting.ends_at, edition.timezone).time()
    saved = save(form, lambda: schedule.reschedule_meeting(
                     db_session(), meeting, on_date=form.on_date.data, start=form.start.data,
                     end=form.end.data),
                 _("Sessie verplaatst; deelnemers krijgen een bijgewerkte uitnodiging."),
                 _sessions(edition.id))
    return saved or (render_template("coordinator/meeting_form.html", form=form, edition=edition,
                                     track=track, meeting=meeting,
                                     heading=_("Sessie verplaatsen")), status_code(form))


@bp.route("/sessies/<int:meeting_id>/annuleren", methods=["GET", "POST"])
def cancel_meeting(meeting_id: int):
    meeting, edition, track = access.meeting(meeting_id)
    form = ConfirmForm()
    saved = save(form, lambda: schedule.cancel_meeting(db_session(), meeting),
                 _("Sessie geannuleerd."), _sessions(edition.id))
    return saved or (render_template("coordinator/meeting_cancel.html", form=form,
                                     edition=edition, track=track, meeting=meeting,
                                     recipients=people.admitted_participants(db_session(),
                                                                             edition.id)),
                     status_code(form))


@bp.route("/sessies/<int:meeting_id>/materiaal", methods=["GET", "POST"])
def add_material(meeting_id: int):
    meeting, edition, track = access.meeting(meeting_id)
    form = MaterialForm()
    saved = save(form, lambda: uploads.add_material(db_session(), meeting, title=form.title.data,
                                                    url=form.url.data, storage=form.upload.data),
                 _("Materiaal toegevoegd."), _sessions(edition.id))
    return saved or (render_template("coordinator/material_form.html", form=form,
                                     edition=edition, track=track, meeting=meeting),
                     status_code(form))


@bp.get("/materiaal/<int:material_id>")
def material_file(material_id: int):
    material, _meeting, _edition, _track = access.material(material_id)
    return uploads.send_stored(material.file_path, lambda path: f"{material.title}{path.suffix}")


@bp.route("/edities/<int:edition_id>/deadlines/nieuw", methods=["GET", "POST"])
def new_deadline(edition_id: int):
    edition, track = access.edition(edition_id)
    form = DeadlineForm()
    saved = save(form, lambda: schedule.set_deadline(
                     db_session(), edition, **form.data_for_service(*DeadlineForm.FIELDS)),
                 _("Deadline opgeslagen."), _deadlines(edition.id))
    return saved or (render_template("coordinator/deadline_form.html", form=form,
                                     edition=edition, track=track, deadline=None),
                     status_code(form))


@bp.route("/deadlines/<int:deadline_id>/bewerken", methods=["GET", "POST"])
def edit_deadline(deadline_id: int):
    deadline, edition, track = access.deadline(deadline_id)
    form = DeadlineForm(obj=deadline)
    if request.method == "GET" and deadline.due_at:
        form.due_time.data = to_local(deadline.due_at, edition.timezone).time()
    saved = save(form, lambda: schedule.set_deadline(
                     db_session(), edition, deadline, **form.data_for_service(*DeadlineForm.FIELDS)),
                 _("Deadline opgeslagen."), _deadlines(edition.id))
    return saved or (render_template("coordinator/deadline_form.html", form=form,
                                     edition=edition, track=track, deadline=deadline,
                                     remove=ConfirmForm()), status_code(form))


@bp.post("/deadlines/<int:deadline_id>/verwijderen")
def remove_deadline(deadline_id: int):
    deadline, edition, _track = access.deadline(deadline_id)
    return confirmed(lambda: schedule.remove_deadline(db_session(), deadline),
                     _("Deadline verwijderd."), _deadlines(edition.id))
