"""An edition's mail schedule as the scheduler has it: the planned moments ahead (with how many
people would get each if it fired now) and what it did with the moments behind (when each was
due and fired, how many mails it queued, or why it was skipped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from trajectories.mail.recipients import (
    admitted,
    enrolled_ids,
    invited,
    not_delivered,
    participants,
)
from trajectories.people.models import TAKING_PART, Enrollment, Participant
from trajectories.schedule.models import Deadline, Meeting
from trajectories.scheduler.models import MomentRun, MomentStatus, PlannedMoment
from trajectories.scheduler.plan import EDITION_OVER, PAST_WHEN_PLANNED

#: The history shows this many recent firings.
HISTORY = 200


@dataclass(frozen=True)
class Line:
    kind: str
    #: What the moment is about: a session's or deadline's title, a participant's name.
    about: str
    due_at: datetime
    #: Ahead: how many would get it now. Behind: how many mails it queued (None when skipped).
    count: int | None = None
    fired_at: datetime | None = None
    #: Why it was skipped: a `SkipReason` value, PAST_WHEN_PLANNED or EDITION_OVER; "" when it ran.
    skipped: str = ""
    useful_until: datetime | None = None
    #: For one participant (a deadline extension): their name.
    participant: str = ""


class _About:
    """Titles and names of what an edition's moments belong to, read once."""

    def __init__(self, session: Session, edition_id: int) -> None:
        self.session = session
        self.meetings = {m.id: m for m in session.exec(
            select(Meeting).where(Meeting.edition_id == edition_id))}
        self.deadlines = {d.id: d for d in session.exec(
            select(Deadline).where(Deadline.edition_id == edition_id))}
        self.names = dict(session.exec(
            select(Participant.id, Participant.name)
            .join(Enrollment, Enrollment.participant_id == Participant.id)
            .where(Enrollment.edition_id == edition_id)).all())
        self.enrollments = dict(session.exec(
            select(Enrollment.id, Enrollment.participant_id)
            .where(Enrollment.edition_id == edition_id)).all())
        self.admitted: int | None = None

    def __call__(self, moment: PlannedMoment) -> str:
        what, _, number = moment.subject.partition(":")
        key = int(number) if number.isdigit() else None
        if what == "session" and key in self.meetings:
            return self.meetings[key].title
        if what == "deadline" and key in self.deadlines:
            return self.deadlines[key].title
        if what == "enrollment" and key in self.enrollments:
            return self.names.get(self.enrollments[key], "")
        return ""

    def recipients(self, moment: PlannedMoment) -> int:
        """How many would get this moment's mail if it fired now."""
        what, _, number = moment.subject.partition(":")
        key = int(number) if number.isdigit() else None
        if moment.kind in ("welcome", "digest"):
            return 1
        if moment.kind in ("evaluation", "evaluation_reminder", "coaching"):
            # Everyone taking part (the reminder: those of them who will not have answered).
            return len(participants(self.session, enrolled_ids(moment.edition_id, TAKING_PART)))
        if moment.kind == "completion":  # a certificate mail to each who completes, at most
            if self.admitted is None:
                self.admitted = len(admitted(self.session, moment.edition_id))
            return self.admitted
        if what == "deadline" and key in self.deadlines:
            return len(not_delivered(self.session, self.deadlines[key], moment.participant_id))
        if what == "session" and key in self.meetings:
            if moment.kind in ("update", "cancel"):
                return len(invited(self.session, self.meetings[key]))
            if self.admitted is None:
                self.admitted = len(admitted(self.session, moment.edition_id))
            return self.admitted
        return 0


def planned(session: Session, edition_id: int) -> list[Line]:
    """The moments still to fire, soonest first."""
    about = _About(session, edition_id)
    rows = session.exec(select(PlannedMoment).where(
        PlannedMoment.edition_id == edition_id, PlannedMoment.status == MomentStatus.PLANNED)
        .order_by(PlannedMoment.due_at, PlannedMoment.id))
    return [Line(row.kind, about(row), row.due_at, about.recipients(row),
                 participant=about.names.get(row.participant_id, "")) for row in rows]


def history(session: Session, edition_id: int) -> list[Line]:
    """What the scheduler did, latest first: each firing, and each moment that was already past
    when it was planned."""
    about = _About(session, edition_id)
    lines = []
    for run, row in session.exec(
            select(MomentRun, PlannedMoment).join(PlannedMoment,
                                                  PlannedMoment.id == MomentRun.moment_id)
            .where(MomentRun.edition_id == edition_id)
            .order_by(MomentRun.fired_at.desc(), MomentRun.id.desc()).limit(HISTORY)):
        lines.append(Line(row.kind, about(row), run.due_at,
                          None if run.skipped else run.queued, run.fired_at, run.skipped,
                          run.useful_until, about.names.get(row.participant_id, "")))
    for row in session.exec(select(PlannedMoment).where(
            PlannedMoment.edition_id == edition_id, PlannedMoment.status == MomentStatus.SKIPPED,
            PlannedMoment.note.in_([PAST_WHEN_PLANNED, EDITION_OVER]))
            .order_by(PlannedMoment.processed_at.desc()).limit(HISTORY)):
        lines.append(Line(row.kind, about(row), row.due_at, None, row.processed_at,
                          row.note, row.useful_until,
                          about.names.get(row.participant_id, "")))
    return sorted(lines, key=lambda line: line.fired_at, reverse=True)[:HISTORY]
