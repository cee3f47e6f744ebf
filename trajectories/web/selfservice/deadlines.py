"""My deadlines: what to hand in, handing in (text and/or a file), and the file I handed in."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from trajectories.award.queries import round_of_edition
from trajectories.catalogue.models import Edition, Track
from trajectories.core.errors import InvalidInput
from trajectories.people import queries, uploads
from trajectories.people.services import deadline_passed
from trajectories.schedule.models import Deadline, DeadlineExtension
from trajectories.web import db_session
from trajectories.web.selfservice.blueprint import bp, current_participant, signed_in


def _deadline_for_me(deadline_id: int) -> Deadline:
    """A deadline of an edition I take part in, else 404."""
    s = db_session()
    deadline = s.get(Deadline, deadline_id)
    if deadline is None or not queries.takes_part(s, current_participant().id,
                                                  deadline.edition_id):
        abort(404)
    return deadline


@bp.route("/mijn/deadline/<int:deadline_id>", methods=["GET", "POST"])
@signed_in
def deadline(deadline_id: int):
    deadline = _deadline_for_me(deadline_id)
    s = db_session()
    award = round_of_edition(s, deadline.edition_id)
    if award is not None:  # the award's deadline: its own form (draft, submit, refused when closed)
        return redirect(url_for("award.nominate", round_id=award.id))
    participant = current_participant()
    error = None
    if request.method == "POST":
        try:
            saved = uploads.hand_in(s, deadline, participant, text=request.form.get("text", ""),
                                    storage=request.files.get("file"))
        except InvalidInput as exc:
            error = exc
        else:
            flash(_("Ingeleverd, te laat.") if saved.late else _("Ingeleverd. Dank je wel!"),
                  "success")
            return redirect(url_for("selfservice.deadline", deadline_id=deadline.id))
    edition = s.get(Edition, deadline.edition_id)
    extension = s.get(DeadlineExtension, (deadline.id, participant.id))
    passed = deadline_passed(deadline, extension.due_date if extension else None, edition)
    return render_template("selfservice/deadline.html", deadline=deadline, edition=edition,
                           track=s.get(Track, edition.track_id),
                           submission=queries.submission_of(s, deadline.id, participant.id),
                           team=queries.team_submissions(s, participant, [deadline]).get(
                               deadline.id),
                           due=extension.due_date if extension else deadline.due_date,
                           passed=passed, error=error, form=request.form,
                           accept=uploads.ACCEPT, max_mb=uploads.MAX_BYTES // 1024 // 1024,
                           ), 200 if error is None else 422


@bp.get("/mijn/deadline/<int:deadline_id>/bestand")
@signed_in
def submission_file(deadline_id: int):
    deadline = _deadline_for_me(deadline_id)
    submission = queries.submission_of(db_session(), deadline.id, current_participant().id)
    return uploads.send_stored(submission and submission.file_path,
                               lambda path: submission.file_name or path.name)
