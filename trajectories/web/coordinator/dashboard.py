"""The dashboard: this week's sessions, open deadlines with their completion, registrations
that wait for a decision, editions with failed mails."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template

from trajectories.core.clock import local_today
from trajectories.mail import queries as mail
from trajectories.people import queries as people
from trajectories.schedule import queries as schedule
from trajectories.web import db_session
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp


@bp.get("/")
def dashboard():
    s = db_session()
    ids = access.organiser_ids()
    today = local_today("Europe/Amsterdam")
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    open_deadlines = schedule.open_deadlines(s, today, ids)
    return render_template("coordinator/dashboard.html", monday=monday, sunday=sunday,
                           week=schedule.sessions_between(s, monday, sunday, ids),
                           open_deadlines=open_deadlines,
                           completion=schedule.deadline_completion(
                               s, [d for d, _c, _t in open_deadlines]),
                           waiting=people.waiting_by_edition(s, ids),
                           failed_mails=_failed_mails())


def _failed_mails() -> list[tuple]:
    """[(edition, track, failed mails)] for the visible editions with failed mails."""
    editions = access.editions_with_tracks()
    failed = mail.failed_counts(db_session(), [c.id for c, _t in editions])
    return [(c, t, failed[c.id]) for c, t in editions if c.id in failed]
