"""Applying an edition's rules to its participants: reads only, no writes.

A participant completed when they attended at least the minimum of the edition's sessions (a
number, or a percentage of the sessions held: cancelled ones do not count) and, when the rules
ask it, handed in every deadline: a participant-delivered one themselves, an
organisation-delivered one by anyone of their organisation taking part (the team).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from trajectories.completion.models import CompletionRules, MinimumUnit
from trajectories.people.models import TAKING_PART, Attendance, Enrollment, Participant, Submission
from trajectories.schedule.models import Deadline, DeliveredBy, Meeting, MeetingStatus


@dataclass(frozen=True)
class Outcome:
    enrollment_id: int
    participant_id: int
    attended: int
    sessions: int
    missing_deadlines: int
    completed: bool


def sessions_needed(rules: CompletionRules, sessions: int) -> int:
    """How many of `sessions` a participant must have attended."""
    if rules.unit == MinimumUnit.PERCENT:
        return -(-rules.minimum * sessions // 100)  # rounded up: 80% of 4 sessions is 4
    return min(rules.minimum, sessions)


def held_meeting_ids(session: Session, edition_id: int) -> list[int]:
    return list(session.exec(select(Meeting.id).where(
        Meeting.edition_id == edition_id, Meeting.status == MeetingStatus.SCHEDULED)))


def attended_counts(session: Session, meeting_ids: list[int]) -> dict[int, int]:
    """{participant id: sessions attended} among `meeting_ids`."""
    counts: dict[int, int] = {}
    if meeting_ids:
        for participant_id in session.exec(select(Attendance.participant_id).where(
                Attendance.meeting_id.in_(meeting_ids), Attendance.present)):
            counts[participant_id] = counts.get(participant_id, 0) + 1
    return counts


def missing_counts(session: Session, edition_id: int,
                   people: dict[int, int | None]) -> dict[int, int]:
    """{participant id: deadlines not handed in} for `people` ({participant id: organisation id})."""
    deadlines = list(session.exec(select(Deadline).where(Deadline.edition_id == edition_id)))
    delivered: set[tuple[int, int]] = set(session.exec(select(
        Submission.deadline_id, Submission.participant_id).join(
        Deadline, Deadline.id == Submission.deadline_id).where(Deadline.edition_id == edition_id)))
    missing = dict.fromkeys(people, 0)
    for deadline in deadlines:
        by_team = {people.get(pid) for did, pid in delivered
                   if did == deadline.id and people.get(pid) is not None}
        for pid, organisation_id in people.items():
            done = (deadline.id, pid) in delivered or (
                deadline.delivered_by == DeliveredBy.ORGANISATION and organisation_id in by_team)
            if not done:
                missing[pid] += 1
    return missing


def evaluate(session: Session, edition_id: int, rules: CompletionRules) -> list[Outcome]:
    """The outcome of the rules for everyone taking part in the edition (admitted or completed)."""
    rows = list(session.exec(select(Enrollment, Participant.organisation_id)
                             .join(Participant, Participant.id == Enrollment.participant_id)
                             .where(Enrollment.edition_id == edition_id,
                                    Enrollment.status.in_(TAKING_PART))
                             .order_by(Enrollment.id)))
    meeting_ids = held_meeting_ids(session, edition_id)
    needed = sessions_needed(rules, len(meeting_ids))
    attended = attended_counts(session, meeting_ids)
    missing = missing_counts(session, edition_id,
                             {e.participant_id: org for e, org in rows})
    outcomes = []
    for enrollment, _org in rows:
        pid = enrollment.participant_id
        owes = missing[pid] if rules.deadlines_required else 0
        outcomes.append(Outcome(enrollment.id, pid, attended.get(pid, 0), len(meeting_ids),
                                missing[pid], attended.get(pid, 0) >= needed and owes == 0))
    return outcomes
