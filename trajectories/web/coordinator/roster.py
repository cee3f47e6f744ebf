"""Enrollments (filter, act on one or many, promote from the waiting list), attendance per
session, deliverables per deadline. Each list is a fixed number of queries."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from trajectories.core.errors import InvalidInput
from trajectories.core.models import labels
from trajectories.menukaart import queries as menukaart
from trajectories.people import enrollments as editions
from trajectories.people import places, queries, uploads
from trajectories.people import services as people
from trajectories.people.models import TAKING_PART, EnrollmentStatus, Participant
from trajectories.schedule import services as schedule
from trajectories.schedule.models import DeliveredBy
from trajectories.schedule.queries import deadline_completion
from trajectories.web import db_session, whole_number
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp
from trajectories.web.coordinator.filters import cdate
from trajectories.web.coordinator.forms import ConfirmForm, ExtensionForm, save, status_code
from trajectories.web.coordinator.tables import deliverable_rows, enrollment_bodies, team_headings


@bp.route("/edities/<int:edition_id>/inschrijvingen", methods=["GET", "POST"])
def enrollments(edition_id: int):
    edition, track = access.edition(edition_id)
    s = db_session()
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        try:
            if request.form.get("action") == "promote":
                n = editions.promote_from_waitlist(s, edition)
                flash(ngettext("%(num)s deelnemer van de wachtlijst toegelaten.",
                               "%(num)s deelnemers van de wachtlijst toegelaten.", n), "success")
            else:
                selected = map(whole_number, request.form.getlist("selected"))
                n = editions.bulk_enrollments(s, edition, [i for i in selected if i is not None],
                                              request.form.get("action", ""))
                flash(ngettext("%(num)s inschrijving bijgewerkt.", "%(num)s inschrijvingen bijgewerkt.", n),
                      "success")
        except InvalidInput as exc:
            flash(exc.message, "error")
        return redirect(url_for("coordinator.enrollments", edition_id=edition.id,
                                status=request.args.get("status", ""),
                                zoek=request.args.get("zoek", "")))
    status = request.args.get("status", "")
    search = request.args.get("zoek", "").strip()[:100]
    names = labels("EnrollmentStatus")
    rows = queries.roster(s, edition.id, [status] if status in names else None, search)
    teams_admitted, admitted = places.admitted_counts(s, [edition.id]).get(edition.id, (0, 0))
    teams = queries.teams(rows)
    return render_template("coordinator/enrollments.html", edition=edition, track=track, rows=rows,
                           teams=teams, bodies=enrollment_bodies(teams, names, edition.timezone),
                           labels=names, status=status, search=search,
                           admitted=admitted, teams_admitted=teams_admitted,
                           per_organisation=places.per_organisation(edition),
                           taken=teams_admitted if places.per_organisation(edition) else admitted)


@bp.route("/sessies/<int:meeting_id>/aanwezigheid", methods=["GET", "POST"])
def attendance(meeting_id: int):
    meeting, edition, track = access.meeting(meeting_id)
    s = db_session()
    rows = queries.roster(s, edition.id, TAKING_PART)
    form = ConfirmForm()
    if form.validate_on_submit():
        present = set(request.form.getlist("present"))
        try:
            people.record_attendance(s, meeting, {r.participant_id: str(r.participant_id) in present
                                                  for r in rows})
        except InvalidInput as exc:
            flash(exc.message, "error")
        else:
            flash(_("Aanwezigheid opgeslagen."), "success")
            return redirect(url_for("coordinator.edition", edition_id=edition.id) + "#sessies")
    recorded = queries.attendance_of(s, meeting.id)
    teams = queries.teams(rows)
    return render_template("coordinator/attendance.html", edition=edition, track=track,
                           meeting=meeting, rows=rows, teams=teams,
                           headings=team_headings(teams), recorded=recorded, form=form)


@bp.route("/deadlines/<int:deadline_id>", methods=["GET", "POST"])
def deliverables(deadline_id: int):
    """Who delivered. For a deadline one municipality delivers for all its people, the list is per
    municipality (with its people) and so is the count; otherwise both are per participant.
    Below it, the form that gives one participant or municipality more time."""
    deadline, edition, track = access.deadline(deadline_id)
    s = db_session()
    rows = queries.roster(s, edition.id, TAKING_PART)
    form = ExtensionForm()
    saved = save(form, lambda: _extend(deadline, rows, form.who.data, form.due_date.data),
                 lambda _none: _("Verlenging opgeslagen: %(who)s levert uiterlijk %(date)s in.",
                                 who=dict(_extension_choices(deadline, rows))[form.who.data],
                                 date=cdate(form.due_date.data, "long")),
                 url_for("coordinator.deliverables", deadline_id=deadline.id))
    if saved:
        return saved
    form.who.choices = [("", _("Kies…")), *_extension_choices(deadline, rows)]
    extensions = queries.extensions_of(s, deadline.id)
    submissions = queries.submissions_of(s, deadline.id)
    done, expected = deadline_completion(s, [deadline])[deadline.id]
    per_organisation = deadline.delivered_by == DeliveredBy.ORGANISATION
    teams = queries.teams(rows)
    if per_organisation:
        groups: dict[int, dict] = {}
        for row in sorted(rows, key=lambda r: ((r.organisation or r.name).casefold(), r.name)):
            # One unit per organisation, or per participant without one (as the count does).
            key = row.organisation_id if row.organisation_id is not None else -row.participant_id
            group = groups.setdefault(key, {"name": row.organisation or "", "people": [],
                                            "organisation_id": row.organisation_id,
                                            "submission": None, "by": None})
            group["people"].append(row)
            if group["submission"] is None and row.participant_id in submissions:
                group["submission"], group["by"] = submissions[row.participant_id], row
        units = list(groups.values())
    else:  # one row per participant, colleagues of one municipality together
        units = [{"name": row.organisation or "", "people": [row],
                  "organisation_id": row.organisation_id,
                  "submission": submissions.get(row.participant_id), "by": row}
                 for team in teams for row in team["people"]]
    return render_template("coordinator/deliverables.html", edition=edition, track=track,
                           deadline=deadline, submissions=submissions, done=done,
                           rows=deliverable_rows(units, extensions, per_organisation,
                                                 edition.timezone),
                           teams=teams, people_count=len(rows), expected=expected,
                           per_organisation=per_organisation, form=form), status_code(form)


def _extension_choices(deadline, rows) -> list[tuple[str, str]]:
    """Whom an extension can be for: each admitted participant, and for a deadline delivered per
    municipality each municipality (all its people at once)."""
    admitted = [r for r in rows if r.status == EnrollmentStatus.ADMITTED]
    people_choices = [(f"p{r.participant_id}", f"{r.name} ({r.organisation})" if r.organisation
                       else r.name) for r in admitted]
    if deadline.delivered_by != DeliveredBy.ORGANISATION:
        return people_choices
    organisations = sorted({(r.organisation, r.organisation_id) for r in admitted
                            if r.organisation_id is not None}, key=lambda o: o[0].casefold())
    return [*((f"o{oid}", name) for name, oid in organisations), *people_choices]


def _extend(deadline, rows, who: str, due_date) -> None:
    """Give more time to `who` ("p<participant id>" or "o<organisation id>" of this edition)."""
    choice = dict(_extension_choices(deadline, rows))
    if who not in choice:
        raise InvalidInput(_("Kies een deelnemer of gemeente van deze editie."), "who")
    if who.startswith("o"):
        schedule.extend_deadline_for_organisation(db_session(), deadline, int(who[1:]),
                                                  due_date=due_date)
    else:
        schedule.extend_deadline(db_session(), deadline,
                                 db_session().get(Participant, int(who[1:])), due_date=due_date)


@bp.get("/inzendingen/<int:submission_id>")
def submission(submission_id: int):
    sub, deadline, edition, track = access.submission(submission_id)
    participant = db_session().get(Participant, sub.participant_id)
    return render_template("coordinator/submission.html", edition=edition, track=track,
                           deadline=deadline, submission=sub, participant=participant,
                           example=menukaart.of_submission(db_session(), sub.id),
                           confirm=ConfirmForm())


@bp.get("/inzendingen/<int:submission_id>/bestand")
def submission_file(submission_id: int):
    sub, _deadline, _edition, _track = access.submission(submission_id)
    return uploads.send_stored(sub.file_path, lambda path: sub.file_name or path.name)


@bp.get("/deadlines/<int:deadline_id>/alles.zip")
def deliverables_zip(deadline_id: int):
    """Every submission of a deadline in one zip: per participant a folder with the text as
    tekst.txt and the handed-in file, and LEESMIJ.txt listing what is in it and what could not
    be included (a file missing on the server)."""
    deadline, edition, _track = access.deadline(deadline_id)
    buffer = uploads.submissions_zip(
        deadline.title, queries.submissions_with_participants(db_session(), deadline.id),
        edition.timezone)
    response = send_file(buffer, mimetype="application/zip", as_attachment=True,
                         download_name=f"inzendingen-{uploads.safe_name(deadline.title)[:40]}.zip")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

