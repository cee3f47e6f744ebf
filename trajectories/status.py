"""Where an edition and a track stand (upcoming, registration open, running, finished).

Derived from dates every time, never stored, so it cannot go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, select

from .clock import local_today, utcnow
from .models import Cohort, Deadline, Meeting, MeetingStatus


class Status(StrEnum):
    UPCOMING = "upcoming"
    REGISTRATION_OPEN = "registration_open"
    RUNNING = "running"
    FINISHED = "finished"


#: Which status a track shows when its editions differ: the most useful to a visitor first.
TRACK_PRIORITY = [Status.REGISTRATION_OPEN, Status.RUNNING, Status.UPCOMING, Status.FINISHED]


@dataclass(frozen=True)
class Span:
    first: date | None
    last: date | None


def spans(session: Session, cohort_ids: list[int]) -> dict[int, Span]:
    """First and last day of each edition's programme (sessions not cancelled, and deadlines),
    in two queries whatever the number of editions."""
    found: dict[int, list[date]] = {cid: [] for cid in cohort_ids}
    if not cohort_ids:
        return {}
    meeting_rows = session.exec(
        select(Meeting.cohort_id, func.min(Meeting.on_date), func.max(Meeting.on_date))
        .where(Meeting.cohort_id.in_(cohort_ids), Meeting.status == MeetingStatus.SCHEDULED)
        .group_by(Meeting.cohort_id))
    deadline_rows = session.exec(
        select(Deadline.cohort_id, func.min(Deadline.due_date), func.max(Deadline.due_date))
        .where(Deadline.cohort_id.in_(cohort_ids)).group_by(Deadline.cohort_id))
    for cohort_id, first, last in [*meeting_rows, *deadline_rows]:
        found[cohort_id] += [first, last]
    return {cid: Span(min(days), max(days)) if days else Span(None, None)
            for cid, days in found.items()}


def registration_open(cohort: Cohort, now: datetime | None = None) -> bool:
    """Whether one can register now: never for a draft, else between opening and closing."""
    if getattr(cohort, "draft", False):
        return False
    now = now or utcnow()
    if cohort.registration_opens_at is None or cohort.registration_opens_at > now:
        return False
    return cohort.registration_closes_at is None or now < cohort.registration_closes_at


def cohort_status(cohort: Cohort, span: Span, now: datetime | None = None) -> Status:
    now = now or utcnow()
    today = local_today(cohort.timezone, now)
    if span.last is not None and span.last < today:
        return Status.FINISHED
    if registration_open(cohort, now):
        return Status.REGISTRATION_OPEN
    if span.first is not None and span.first <= today:
        return Status.RUNNING
    return Status.UPCOMING


def track_status(cohort_statuses: list[Status]) -> Status:
    for status in TRACK_PRIORITY:
        if status in cohort_statuses:
            return status
    return Status.UPCOMING
