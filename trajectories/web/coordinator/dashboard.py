"""The dashboard: this week's sessions, open deadlines with their completion, registrations
that wait for a decision."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from sqlalchemy import func
from sqlmodel import select

from ...clock import local_today
from ...models import Cohort, Deadline, Enrollment, EnrollmentStatus, Meeting, Track
from .. import db_session
from . import access, bp
from .progress import deadline_completion


@bp.get("/")
def dashboard():
    s = db_session()
    today = local_today("Europe/Amsterdam")
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    def in_cohort(model):
        return (access.scoped(
            select(model, Cohort, Track).join(Cohort, Cohort.id == model.cohort_id)
            .join(Track, Track.id == Cohort.track_id)))
    week = [tuple(r) for r in s.exec(in_cohort(Meeting).where(
        Meeting.on_date >= monday, Meeting.on_date <= sunday)
        .order_by(Meeting.on_date, Meeting.starts_at))]
    open_deadlines = [tuple(r) for r in s.exec(in_cohort(Deadline).where(
        Deadline.due_date >= today).order_by(Deadline.due_date).limit(20))]
    completion = deadline_completion(s, [d for d, _c, _t in open_deadlines])
    waiting = [tuple(r) for r in s.exec(access.scoped(
        select(Cohort, Track, func.count(Enrollment.id))
        .join(Track, Track.id == Cohort.track_id)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.status.in_([EnrollmentStatus.APPLIED, EnrollmentStatus.WAITLISTED]))
        .group_by(Cohort.id, Track.id).order_by(Track.title)))]
    return render_template("coordinator/dashboard.html", week=week, monday=monday, sunday=sunday,
                           open_deadlines=open_deadlines, completion=completion, waiting=waiting,
                           failed_mails=_failed_mails())


def _failed_mails() -> list[tuple]:
    """Failed mails of the visible editions."""
    from .messages import failed_by_cohort

    return failed_by_cohort(access.cohorts_with_tracks())
