"""Completion of deadlines and attendance of sessions, in a fixed number of queries whatever
the number of participants (two per call)."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import ngettext
from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.people.models import (
    TAKING_PART,
    Attendance,
    Enrollment,
    Participant,
    Submission,
)
from trajectories.schedule.models import Deadline, DeliveredBy, Meeting


def _taking_part(session: Session, edition_ids) -> dict[int, dict[int, int | None]]:
    """{edition_id: {participant_id: organisation_id}} of admitted (or completed) participants."""
    rows = session.exec(select(Enrollment.edition_id, Participant.id, Participant.organisation_id)
                        .join(Participant, Participant.id == Enrollment.participant_id)
                        .where(Enrollment.edition_id.in_(list(edition_ids)),
                               Enrollment.status.in_(TAKING_PART)))
    result: dict[int, dict[int, int | None]] = defaultdict(dict)
    for edition_id, participant_id, organisation_id in rows:
        result[edition_id][participant_id] = organisation_id
    return result


def deadline_completion(session: Session, deadlines: list[Deadline]) -> dict[int, tuple[int, int]]:
    """{deadline_id: (delivered, expected)}; per organisation for organisation deliverables
    (a participant without an organisation counts as one). Two aggregate queries."""
    if not deadlines:
        return {}
    # One "unit" per organisation, or per participant without one (negative ids never clash).
    unit = func.coalesce(Participant.organisation_id, -Participant.id)
    expected = {edition_id: (people, units) for edition_id, people, units in session.exec(
        select(Enrollment.edition_id, func.count(), func.count(func.distinct(unit)))
        .join(Participant, Participant.id == Enrollment.participant_id)
        .where(Enrollment.edition_id.in_({d.edition_id for d in deadlines}),
               Enrollment.status.in_(TAKING_PART))
        .group_by(Enrollment.edition_id))}
    delivered = {deadline_id: (people, units) for deadline_id, people, units in session.exec(
        select(Submission.deadline_id, func.count(), func.count(func.distinct(unit)))
        .join(Deadline, Deadline.id == Submission.deadline_id)
        .join(Enrollment, (Enrollment.edition_id == Deadline.edition_id)
              & (Enrollment.participant_id == Submission.participant_id))
        .join(Participant, Participant.id == Submission.participant_id)
        .where(Submission.deadline_id.in_([d.id for d in deadlines]),
               Enrollment.status.in_(TAKING_PART))
        .group_by(Submission.deadline_id))}
    result = {}
    for d in deadlines:
        index = 1 if d.delivered_by == DeliveredBy.ORGANISATION else 0
        result[d.id] = (delivered.get(d.id, (0, 0))[index], expected.get(d.edition_id, (0, 0))[index])
    return result


def completion_text(deadline: Deadline, done: int, expected: int) -> str:
    """What a deadline's completion counts, in words: municipalities (one delivery covers an
    organisation) or participants."""
    if deadline.delivered_by == DeliveredBy.ORGANISATION:
        return ngettext("%(done)s van %(num)s gemeente ingeleverd",
                        "%(done)s van %(num)s gemeenten ingeleverd", expected, done=done)
    return ngettext("%(done)s van %(num)s deelnemer ingeleverd",
                    "%(done)s van %(num)s deelnemers ingeleverd", expected, done=done)


def attendance_counts(session: Session, meetings: list[Meeting]) -> dict[int, tuple[int, int]]:
    """{meeting_id: (present, recorded)}."""
    result = {m.id: (0, 0) for m in meetings}
    if not meetings:
        return result
    for meeting_id, present in session.exec(select(Attendance.meeting_id, Attendance.present)
                                            .where(Attendance.meeting_id.in_(list(result)))):
        here, recorded = result[meeting_id]
        result[meeting_id] = (here + int(present), recorded + 1)
    return result
