"""The long tables of the coordinator's roster pages (enrollments, deliverables), built in Python
rather than in Jinja. With 1,000 participants a template loop costs most of the page's time
(each value looked up and escaped, each macro called, through the template's machinery) and
allocates tens of thousands of objects a render. Each function returns the markup the
template wrote, character for character; translations are trusted as Jinja trusts them."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from trajectories.people.models import EnrollmentStatus
from trajectories.web.coordinator.filters import cdate, cmoment

#: An id no row has: the links of a long list are built around it once, not once per row.
_ID = 987654321
_CELL = '<td class="utrecht-table__cell">'


def _link(endpoint: str, **ids) -> tuple[str, str]:
    """(before, after) the id in the link to `endpoint`, escaped for HTML."""
    before, after = url_for(endpoint, **{name: _ID for name in ids}).split(str(_ID), 1)
    return str(escape(before)), str(escape(after))


def moments(values, zone_name: str) -> dict:
    """{moment: its `cmoment`, escaped}, formatted once per minute (it shows no seconds; zones
    move by whole minutes)."""
    by_minute: dict = {}
    found = {}
    for value in values:
        minute = value and value.replace(second=0, microsecond=0)
        if minute not in by_minute:
            by_minute[minute] = str(escape(cmoment(minute, zone_name)))
        found[value] = by_minute[minute]
    return found


def team_headings(teams) -> list[Markup]:
    """Each team's heading ("Utrecht · 2 deelnemers", the name a link to the municipality; "geen
    gemeente" for a participant without one), translated once per team size rather than once
    per team. The enrollments and attendance pages show these."""
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


def enrollment_bodies(teams, labels: dict[str, str], zone_name: str) -> Markup:
    """The enrollments table's bodies: per team a heading row (with "3 toegelaten" when not all
    of the team is) and a row per person (choice, name and address, organisation, status, last
    change)."""
    p0, p1 = _link("coordinator.participant", participant_id=0)
    m0, m1 = _link("coordinator.municipality", organisation_id=0)
    since = moments((row.updated_at for team in teams for row in team["people"]), zone_name)
    statuses = {status: f'<span class="status status-{escape(status)}">{escape(label)}</span>'
                for status, label in labels.items()}
    admitted: dict[int, str] = {}
    html = []
    for heading, team in zip(team_headings(teams), teams, strict=True):
        count, suffix = team["admitted"], ""
        if count and count != len(team["people"]):
            if count not in admitted:
                admitted[count] = f" ({Markup(_('%(num)s toegelaten', num=count))})"
            suffix = admitted[count]
        html.append(
            '\n    <tbody class="utrecht-table__body">\n      <tr class="utrecht-table__row '
            'team-row"><th class="utrecht-table__header-cell" colspan="5" scope="rowgroup">'
            f"{heading}{suffix}</th></tr>\n    ")
        for row in team["people"]:
            name, number = escape(row.name), row.enrollment_id
            organisation = (f'<a class="utrecht-link" href="{m0}{row.organisation_id}{m1}">'
                            f"{escape(row.organisation)}</a>" if row.organisation_id else "")
            html.append(
                f'\n      <tr class="utrecht-table__row">\n        {_CELL}<input type="checkbox" '
                f'class="utrecht-checkbox utrecht-checkbox--html-input" name="selected" '
                f'value="{number}" id="sel-{number}"><label class="visually-hidden" '
                f'for="sel-{number}">{name}</label></td>\n        {_CELL}<a class="utrecht-link" '
                f'href="{p0}{row.participant_id}{p1}">{name}</a><br><span class="muted">'
                f"{escape(row.email)}</span></td>\n        {_CELL}{organisation}</td>\n        "
                f"{_CELL}{statuses[row.status]}</td>\n        {_CELL}{since[row.updated_at]}"
                "</td>\n      </tr>\n    ")
        html.append("\n    </tbody>\n    ")
    return Markup("".join(html))


def deliverable_rows(units, extensions: dict, per_organisation: bool, zone_name: str) -> Markup:
    """The deliverables table's rows: per unit (a municipality with its people, or one
    participant) who it is, what was handed in (when, by whom, late) or "nog niet", and any
    extensions."""
    p0, p1 = _link("coordinator.participant", participant_id=0)
    m0, m1 = _link("coordinator.municipality", organisation_id=0)
    s0, s1 = _link("coordinator.submission", submission_id=0)
    nobody = Markup(_("geen gemeente"))
    late = f' <span class="status">{escape(_("te laat"))}</span>'
    not_yet, read = escape(_("nog niet")), escape(_("inzending lezen van"))
    handed_in = moments((u["submission"].submitted_at for u in units if u["submission"]),
                        zone_name)
    html = []
    for unit in units:
        sub, by = unit["submission"], unit["by"]
        municipality = (f'<a class="utrecht-link" href="{m0}{unit["organisation_id"]}{m1}">'
                        f'{escape(unit["name"])}</a>' if unit["organisation_id"]
                        else escape(unit["name"]) or nobody)
        html.append('\n    <tr class="utrecht-table__row">\n    ')
        if per_organisation:
            links = ", ".join(f'<a class="utrecht-link" href="{p0}{person.participant_id}{p1}">'
                              f"{escape(person.name)}</a>" for person in unit["people"])
            html.append(f'\n      <th class="utrecht-table__header-cell" scope="row">'
                        f"{municipality}</th>\n      {_CELL}{links}\n        <br><span "
                        f'class="muted nudges">{Markup(_("Herinneringen:"))} '
                        f"{_nudges(sub, unit['people'])}</span></td>\n    ")
        else:
            html.append(f'\n      {_CELL}<a class="utrecht-link" href="{p0}{by.participant_id}'
                        f'{p1}">{escape(by.name)}</a></td>\n      {_CELL}{municipality}</td>\n    ')
        html.append(f"\n      {_CELL}")
        if sub:
            html.append(f'<a class="utrecht-link" href="{s0}{sub.id}{s1}">'
                        f'{handed_in[sub.submitted_at]}<span class="visually-hidden">: {read} '
                        f"{escape(by.name)}</span></a>")
            if per_organisation:
                html.append(f" ({Markup(_('door %(name)s')) % {'name': by.name}})")
            if sub.late:
                html.append(late)
        else:
            html.append(not_yet)
        several = per_organisation and len(unit["people"]) > 1
        for person in unit["people"]:
            if extensions.get(person.participant_id):
                until = cdate(extensions[person.participant_id], "d MMMM y")
                html.append(f'<br><span class="extension">'
                            f"{Markup(_('verlengd tot %(date)s')) % {'date': until}}"
                            f"{f' ({escape(person.name)})' if several else ''}</span>")
        html.append("</td>\n    </tr>\n  ")
    return Markup("".join(html))


def _nudges(sub, people) -> Markup:
    """Who still gets reminders for a deadline a municipality delivers once."""
    if sub:
        return Markup(_("gestopt voor het hele team"))
    nudged = sum(person.status == EnrollmentStatus.ADMITTED for person in people)
    if not nudged:
        return Markup(_("geen"))
    return Markup(ngettext("gaan naar %(num)s deelnemer", "gaan naar alle %(num)s deelnemers",
                           nudged))
