"""The dashboard: this week's sessions, open deadlines with their completion, registrations
that wait for a decision."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from sqlalchemy import func
from sqlmodel import select

from trajectories.catalogue.models import Edition, Track
from trajectories.core.clock import local_today
from trajectories.people.models import Enrollment, EnrollmentStatus
from trajectories.schedule.models import Deadline, Meeting
from trajectories.web import db_session
from trajectories.web.coordinator import access, bp
from trajectories.web.coordinator.progress import deadline_completion


@bp.get("/")
def dashboard():
    s = db_session()
    today = local_today("Europe/Amsterdam")
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    def in_edition(model):
        return (access.scoped(
            select(model, Edition, Track).join(Edition, Edition.id == model.edition_id)
            .join(Track, Track.id == Edition.track_id)))
    week = [tuple(r) for r in s.exec(in_edition(Meeting).where(
        Meeting.on_date >= monday, Meeting.on_date <= sunday)
        .order_by(Meeting.on_date, Meeting.starts_at))]
    open_deadlines = [tuple(r) for r in s.exec(in_edition(Deadline).where(
        Deadline.due_date >= today).order_by(Deadline.due_date).limit(20))]
    completion = deadline_completion(s, [d for d, _c, _t in open_deadlines])
    waiting = [tuple(r) for r in s.exec(access.scoped(
        select(Edition, Track, func.count(Enrollment.id))
        .join(Track, Track.id == Edition.track_id)
        .join(Enrollment, Enrollment.edition_id == Edition.id)
        .where(Enrollment.status.in_([EnrollmentStatus.APPLIED, EnrollmentStatus.WAITLISTED]))
        .group_by(Edition.id, Track.id).order_by(Track.title)))]
    return render_template("coordinator/dashboard.html", week=week, monday=monday, sunday=sunday,
                           open_deadlines=open_deadlines, completion=completion, waiting=waiting,
                           failed_mails=_failed_mails())


def _failed_mails() -> list[tuple]:
    """Failed mails of the visible editions."""
    from trajectories.web.coordinator.messages import failed_by_edition

    return failed_by_edition(access.editions_with_tracks())
