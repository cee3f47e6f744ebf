"""Editions (editions): create, edit, copy to a new year, the overview and the month calendar."""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from datetime import date, timedelta

from flask import render_template, request, url_for
from flask_babel import gettext as _

from trajectories.catalogue import services as catalogue
from trajectories.core.clock import local_today
from trajectories.core.models import country_zone
from trajectories.schedule import copying as editions
from trajectories.schedule.queries import (
    attendance_counts,
    deadline_completion,
    materials_by_meeting,
    programme,
)
from trajectories.web import db_session
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp
from trajectories.web.coordinator.forms import (
    CopyEditionForm,
    EditionForm,
    confirmed,
    save,
    status_code,
)


@bp.route("/trajecten/<int:track_id>/edities/nieuw", methods=["GET", "POST"])
def new_edition(track_id: int):
    track = access.track(track_id)
    organiser = access.organiser(track.organiser_id)
    form = EditionForm()
    if request.method == "GET":
        form.timezone.data = country_zone(organiser.country)
    # A new edition starts as a draft, like a copy: it goes public when published.
    saved = save(form, lambda: catalogue.create_edition(db_session(), track, slug=form.slug.data,
                                                        draft=True, **form.service_data()),
                 lambda edition: _("Editie %(name)s aangemaakt.", name=edition.name),
                 lambda edition: url_for("coordinator.edition", edition_id=edition.id))
    return saved or (render_template("coordinator/edition_form.html", form=form, track=track,
                                     edition=None), status_code(form))


@bp.route("/edities/<int:edition_id>/bewerken", methods=["GET", "POST"])
def edit_edition(edition_id: int):
    edition, track = access.edition(edition_id)
    form = EditionForm(obj=edition)
    del form.slug  # in feed addresses: stays
    if request.method == "GET":
        form.load_window(edition)
    saved = save(form, lambda: catalogue.update_edition(db_session(), edition,
                                                        **form.service_data()),
                 _("Wijzigingen opgeslagen."), url_for("coordinator.edition", edition_id=edition.id))
    return saved or (render_template("coordinator/edition_form.html", form=form, track=track,
                                     edition=edition), status_code(form))


@bp.route("/edities/<int:edition_id>/kopie", methods=["GET", "POST"])
def copy_edition(edition_id: int):
    edition, track = access.edition(edition_id)
    meetings, deadlines = programme(db_session(), edition.id)
    scheduled = [m for m in meetings if m.status == "scheduled"]
    form = CopyEditionForm()
    if request.method == "GET" and scheduled:
        # The common case: the same weekdays a year later (52 weeks).
        form.first_date.data = scheduled[0].on_date + timedelta(weeks=52)
    saved = save(form, lambda: editions.copy_edition(db_session(), edition, slug=form.slug.data,
                                                     name=form.name.data,
                                                     first_date=form.first_date.data),
                 lambda copy: _("Editie %(name)s gemaakt als kopie van %(old)s.", name=copy.name,
                                old=edition.name),
                 lambda copy: url_for("coordinator.edition", edition_id=copy.id))
    return saved or (render_template("coordinator/edition_copy.html", form=form, track=track,
                                     edition=edition, meetings=scheduled, deadlines=deadlines),
                     status_code(form))


@bp.get("/edities/<int:edition_id>")
def edition(edition_id: int):
    edition, track = access.edition(edition_id)
    s = db_session()
    meetings, deadlines = programme(s, edition.id)
    materials = materials_by_meeting(s, [m.id for m in meetings])
    return render_template("coordinator/edition.html", edition=edition, track=track,
                           meetings=meetings, deadlines=deadlines, materials=materials,
                           completion=deadline_completion(s, deadlines),
                           attendance=attendance_counts(s, meetings))


@bp.post("/edities/<int:edition_id>/publiceren")
def publish_edition(edition_id: int):
    edition, _track = access.edition(edition_id)
    return confirmed(lambda: catalogue.publish_edition(db_session(), edition),
                     _("Editie %(name)s is gepubliceerd: de catalogus en de agenda's tonen haar, "
                       "en de berichten worden ingepland.", name=edition.name),
                     url_for("coordinator.edition", edition_id=edition.id))


def _month(value: str | None, fallback: date) -> date:
    """"2027-03" as its first day; anything else, or a month whose neighbours no calendar
    has (year 1 or 9999), gives the fallback's month."""
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        if 1 < year < 9999:
            return date(year, month, 1)
    except (ValueError, OverflowError):  # 2027-99999999999999999999: past C ints
        pass
    return fallback.replace(day=1)


@bp.get("/edities/<int:edition_id>/kalender")
def edition_calendar(edition_id: int):
    """A month grid (weeks from Monday), rendered on the server."""
    edition, track = access.edition(edition_id)
    meetings, deadlines = programme(db_session(), edition.id)
    today = local_today(edition.timezone)
    upcoming = [m.on_date for m in meetings if m.on_date >= today]
    fallback = upcoming[0] if upcoming else (meetings[-1].on_date if meetings else today)
    first = _month(request.args.get("maand"), fallback)
    items = defaultdict(list)
    for meeting in meetings:
        items[meeting.on_date].append(("meeting", meeting))
    for deadline in deadlines:
        items[deadline.due_date].append(("deadline", deadline))
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render_template("coordinator/edition_calendar.html", edition=edition, track=track,
                           weeks=weeks, items=items, first=first, today=today,
                           previous=previous, following=following)
