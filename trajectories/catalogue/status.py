"""Where an edition and a track stand (upcoming, registration open, running, finished).

Derived from dates every time, never stored, so it cannot go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition
from trajectories.core.clock import local_today, utcnow
from trajectories.core.models import Labelled
from trajectories.schedule.models import Deadline, Meeting, MeetingStatus


class Status(Labelled):
    UPCOMING = "upcoming", _l("binnenkort")
    REGISTRATION_OPEN = "registration_open", _l("inschrijving open")
    RUNNING = "running", _l("loopt")
    FINISHED = "finished", _l("afgerond")


#: Which status a track shows when its editions differ: the most useful to a visitor first.
TRACK_PRIORITY = [Status.REGISTRATION_OPEN, Status.RUNNING, Status.UPCOMING, Status.FINISHED]


@dataclass(frozen=True)
class Span:
    first: date | None
    last: date | None


def spans(session: Session, edition_ids: list[int]) -> dict[int, Span]:
    """First and last day of each edition's programme (sessions not cancelled, and deadlines),
    in two queries whatever the number of editions."""
    found: dict[int, list[date]] = {cid: [] for cid in edition_ids}
    if not edition_ids:
        return {}
    meeting_rows = session.exec(
        select(Meeting.edition_id, func.min(Meeting.on_date), func.max(Meeting.on_date))
        .where(Meeting.edition_id.in_(edition_ids), Meeting.status == MeetingStatus.SCHEDULED)
        .group_by(Meeting.edition_id))
    deadline_rows = session.exec(
        select(Deadline.edition_id, func.min(Deadline.due_date), func.max(Deadline.due_date))
        .where(Deadline.edition_id.in_(edition_ids)).group_by(Deadline.edition_id))
    for edition_id, first, last in [*meeting_rows, *deadline_rows]:
        found[edition_id] += [first, last]
    return {cid: Span(min(days), max(days)) if days else Span(None, None)
            for cid, days in found.items()}


def registration_open(edition: Edition, now: datetime | None = None) -> bool:
    """Whether one can register now: never for a draft, else between opening and closing."""
    if getattr(edition, "draft", False):
        return False
    now = now or utcnow()
    if edition.registration_opens_at is None or edition.registration_opens_at > now:
        return False
    return edition.registration_closes_at is None or now < edition.registration_closes_at


def edition_status(edition: Edition, span: Span, now: datetime | None = None) -> Status:
    now = now or utcnow()
    today = local_today(edition.timezone, now)
    if span.last is not None and span.last < today:
        return Status.FINISHED
    if registration_open(edition, now):
        return Status.REGISTRATION_OPEN
    if span.first is not None and span.first <= today:
        return Status.RUNNING
    return Status.UPCOMING


def track_status(edition_statuses: list[Status]) -> Status:
    for status in TRACK_PRIORITY:
        if status in edition_statuses:
            return status
    return Status.UPCOMING
