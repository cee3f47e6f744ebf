"""Enrollments (filter, act on one or many, promote from the waiting list), attendance per
session, deliverables per deadline. Each list is a fixed number of queries."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

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
from trajectories.web.coordinator.filters import cdate, cmoment
from trajectories.web.coordinator.forms import ConfirmForm, ExtensionForm, save, status_code


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
                           teams=teams, headings=team_headings(teams),
                           people=team_rows(teams, names, _since(rows, edition.timezone)),
                           labels=names, status=status, search=search,
                           admitted=admitted, teams_admitted=teams_admitted,
                           per_organisation=places.per_organisation(edition),
                           taken=teams_admitted if places.per_organisation(edition) else admitted)


def team_headings(teams) -> list[Markup]:
    """Each team's heading ("Utrecht · 2 deelnemers", the name a link to the municipality; "geen
    gemeente" for a participant without one), translated once per team size rather than once
    per team: a list of 1,000 stays quick. The enrollments and attendance pages show these."""
    nobody = escape(_("geen gemeente"))
    before, after = _link("coordinator.municipality", organisation_id=0)
    counts: dict[int, str] = {}
    headings = []
    for team in teams:
        size = len(team["people"])
        if size not in counts:
            counts[size] = escape(ngettext("%(num)s deelnemer", "%(num)s deelnemers", size))
        name = (f'<a class="utrecht-link" href="{before}{team["organisation_id"]}{after}">'
                f'{escape(team["name"])}</a>' if team["organisation_id"]
                else escape(team["name"]) or nobody)
        headings.append(Markup(f"{name} · {counts[size]}"))
    return headings


def _since(rows, zone_name: str) -> dict[int, str]:
    """{enrollment id: `cmoment` of its last change}, formatted once per minute (it shows no
    seconds; zones move by whole minutes)."""
    seen: dict = {}
    since = {}
    for row in rows:
        minute = row.updated_at and row.updated_at.replace(second=0, microsecond=0)
        if minute not in seen:
            seen[minute] = cmoment(minute, zone_name)
        since[row.enrollment_id] = seen[minute]
    return since


#: An id no row has: the links of a long list are built around it once, not once per row.
_ID = 987654321


def _link(endpoint: str, **ids) -> tuple[str, str]:
    """(before, after) the id in the link to `endpoint`, escaped for HTML."""
    before, after = url_for(endpoint, **{name: _ID for name in ids}).split(str(_ID), 1)
    return str(escape(before)), str(escape(after))


def team_rows(teams, labels: dict[str, str], since: dict[int, str]) -> list[Markup]:
    """Per team, the table rows of its people. Built in Python, not in the template: a thousand
    rows through Jinja cost most of the page's time (each value looked up and escaped through
    the template's machinery)."""
    p0, p1 = _link("coordinator.participant", participant_id=0)
    m0, m1 = _link("coordinator.municipality", organisation_id=0)
    cell = '<td class="utrecht-table__cell">'
    result = []
    for team in teams:
        html = []
        for row in team["people"]:
            name, number = escape(row.name), row.enrollment_id
            organisation = (f'<a class="utrecht-link" href="{m0}{row.organisation_id}{m1}">'
                            f"{escape(row.organisation)}</a>" if row.organisation_id else "")
            html.append(
                f'\n      <tr class="utrecht-table__row">\n        {cell}<input type="checkbox" '
                f'class="utrecht-checkbox utrecht-checkbox--html-input" name="selected" '
                f'value="{number}" id="sel-{number}"><label class="visually-hidden" '
                f'for="sel-{number}">{name}</label></td>\n        {cell}<a class="utrecht-link" '
                f'href="{p0}{row.participant_id}{p1}">{name}</a><br><span class="muted">'
                f"{escape(row.email)}</span></td>\n        {cell}{organisation}</td>\n        "
                f'{cell}<span class="status status-{escape(str(row.status))}">'
                f"{escape(labels[row.status])}</span></td>\n        {cell}"
                f"{escape(since[number])}</td>\n      </tr>\n    ")
        result.append(Markup("".join(html)))
    return result


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
    if deadline.delivered_by == DeliveredBy.ORGANISATION:
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
                 for team in queries.teams(rows) for row in team["people"]]
    return render_template("coordinator/deliverables.html", edition=edition, track=track,
                           deadline=deadline, units=units, submissions=submissions, done=done,
                           teams=queries.teams(rows), people_count=len(rows),
                           expected=expected, late_label=_("te laat"), not_yet_label=_("nog niet"),
                           read_label=_("inzending lezen van"),
                           per_organisation=deadline.delivered_by == DeliveredBy.ORGANISATION,
                           form=form, extensions=extensions), status_code(form)


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

