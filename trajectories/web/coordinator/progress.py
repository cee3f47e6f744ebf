"""Completion of deadlines and attendance of sessions, in a fixed number of queries whatever
the number of participants (two per call)."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, select

from ...models import (
    Attendance,
    Deadline,
    DeliveredBy,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    Participant,
    Submission,
)

TAKING_PART = (EnrollmentStatus.ADMITTED, EnrollmentStatus.COMPLETED)


def _taking_part(session: Session, cohort_ids) -> dict[int, dict[int, int | None]]:
    """{cohort_id: {participant_id: organisation_id}} of admitted (or completed) participants."""
    rows = session.exec(select(Enrollment.cohort_id, Participant.id, Participant.organisation_id)
                        .join(Participant, Participant.id == Enrollment.participant_id)
                        .where(Enrollment.cohort_id.in_(list(cohort_ids)),
                               Enrollment.status.in_(TAKING_PART)))
    result: dict[int, dict[int, int | None]] = defaultdict(dict)
    for cohort_id, participant_id, organisation_id in rows:
        result[cohort_id][participant_id] = organisation_id
    return result


def deadline_completion(session: Session, deadlines: list[Deadline]) -> dict[int, tuple[int, int]]:
    """{deadline_id: (delivered, expected)}; per organisation for organisation deliverables."""
    if not deadlines:
        return {}
    people = _taking_part(session, {d.cohort_id for d in deadlines})
    submitted = defaultdict(set)
    for deadline_id, participant_id in session.exec(
            select(Submission.deadline_id, Submission.participant_id)
            .where(Submission.deadline_id.in_([d.id for d in deadlines]))):
        submitted[deadline_id].add(participant_id)
    result = {}
    for d in deadlines:
        members = people.get(d.cohort_id, {})
        delivered = submitted[d.id] & set(members)
        if d.delivered_by == DeliveredBy.ORGANISATION:
            unit = {p: (("o", o) if o else ("p", p)) for p, o in members.items()}
            result[d.id] = (len({unit[p] for p in delivered}), len(set(unit.values())))
        else:
            result[d.id] = (len(delivered), len(members))
    return result


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
