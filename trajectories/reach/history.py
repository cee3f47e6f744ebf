"""A municipality's and a participant's history with an organiser: every edition they were in,
across all tracks and years, with attendance and deliverables; and the search that finds them
(name, e-mail, municipality, CBS/NIS code).

A fixed number of statements whatever the history's length. A municipality's history includes
the municipalities merged into it (herindeling). Coordinators see only their organisers' editions
and only participants enrolled in one of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Track
from trajectories.catalogue.queries import scoped
from trajectories.people.models import (
    Attendance,
    Enrollment,
    Organisation,
    Participant,
    Submission,
)
from trajectories.reach.queries import with_year, year_column
from trajectories.schedule.models import Deadline, Meeting, MeetingStatus

SEARCH_LIMIT = 50


@dataclass
class EditionHistory:
    """One edition in someone's history: who of them took part, attendance, deliverables."""

    edition_id: int
    edition_name: str
    track_id: int
    track_title: str
    year: int | None
    #: (participant id, name, enrollment status)
    enrollments: list[tuple] = field(default_factory=list)
    sessions: int = 0
    #: {participant id: sessions attended}
    attended: dict[int, int] = field(default_factory=dict)
    #: (deadline title, due date, [(participant name, submitted_at, late)])
    deliverables: list[tuple] = field(default_factory=list)


@dataclass
class History:
    editions: list[EditionHistory]
    #: Participants by name: (id, name, email, role, organisation name)
    participants: list[tuple]


def municipality_group(s: Session, organisation_id: int) -> list[Organisation]:
    """The organisation first, then those merged into it; empty when it does not exist."""
    rows = s.exec(select(Organisation).where(
        (Organisation.id == organisation_id) | (Organisation.merged_into_id == organisation_id))
        .order_by(Organisation.name)).all()
    return sorted(rows, key=lambda o: o.id != organisation_id)


def history(s: Session, who, organiser_ids: list[int] | None) -> History:
    """The history of the participants `who` selects (a condition on Participant)."""
    year = year_column()
    rows = s.exec(scoped(with_year(
        select(Enrollment.edition_id, Enrollment.status, Participant.id, Participant.name,
               Participant.email, Participant.role, Organisation.name.label("organisation"),
               Edition.name.label("edition_name"), Track.id.label("track_id"), Track.title,
               year.label("year"))
        .select_from(Enrollment)
        .join(Participant, Participant.id == Enrollment.participant_id)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .join(Edition, Edition.id == Enrollment.edition_id)
        .join(Track, Track.id == Edition.track_id)), organiser_ids)
        .where(who).order_by(year.desc(), Track.title, Edition.id, Participant.name)).all()
    editions: dict[int, EditionHistory] = {}
    people: dict[int, tuple] = {}
    for r in rows:
        entry = editions.setdefault(r.edition_id, EditionHistory(
            r.edition_id, r.edition_name, r.track_id, r.title,
            int(r.year) if r.year is not None else None))
        entry.enrollments.append((r.id, r.name, r.status))
        people[r.id] = (r.id, r.name, r.email, r.role, r.organisation or "")
    if editions:
        _attendance(s, editions, list(people))
        _deliverables(s, editions, list(people))
    return History(list(editions.values()), sorted(people.values(), key=lambda p: p[1].lower()))


def _attendance(s: Session, editions: dict[int, EditionHistory], people: list[int]) -> None:
    ids = list(editions)
    for edition_id, n in s.exec(select(Meeting.edition_id, func.count()).where(
            Meeting.edition_id.in_(ids), Meeting.status != MeetingStatus.CANCELLED)
            .group_by(Meeting.edition_id)):
        editions[edition_id].sessions = n
    for edition_id, participant_id, n in s.exec(
            select(Meeting.edition_id, Attendance.participant_id, func.count())
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(Meeting.edition_id.in_(ids), Attendance.participant_id.in_(people),
                   Attendance.present.is_(True))
            .group_by(Meeting.edition_id, Attendance.participant_id)):
        editions[edition_id].attended[participant_id] = n


def _deliverables(s: Session, editions: dict[int, EditionHistory], people: list[int]) -> None:
    by_deadline: dict[int, tuple] = {}
    handed_in: dict[int, list] = defaultdict(list)
    for row in s.exec(
            select(Deadline.id, Deadline.edition_id, Deadline.title, Deadline.due_date,
                   Participant.name, Submission.submitted_at, Submission.late)
            .outerjoin(Submission, (Submission.deadline_id == Deadline.id)
                       & Submission.participant_id.in_(people))
            .outerjoin(Participant, Participant.id == Submission.participant_id)
            .where(Deadline.edition_id.in_(list(editions)))
            .order_by(Deadline.due_date, Deadline.id, Submission.submitted_at)):
        by_deadline.setdefault(row[0], (row[1], row[2], row[3]))
        if row.submitted_at is not None:
            handed_in[row[0]].append((row.name, row.submitted_at, row.late))
    for deadline_id, (edition_id, title, due) in by_deadline.items():
        editions[edition_id].deliverables.append((title, due, handed_in[deadline_id]))


def municipality_history(s: Session, group: list[Organisation],
                         organiser_ids: list[int] | None) -> History:
    return history(s, Participant.organisation_id.in_([o.id for o in group]), organiser_ids)


def participant_history(s: Session, participant_id: int,
                        organiser_ids: list[int] | None) -> History:
    return history(s, Participant.id == participant_id, organiser_ids)


def _enrolled_with(organiser_ids: list[int] | None):
    """Participant is enrolled in an edition of these organisers (any status)."""
    query = (exists().where(Enrollment.participant_id == Participant.id)
             .where(Edition.id == Enrollment.edition_id, Track.id == Edition.track_id))
    return query if organiser_ids is None else query.where(Track.organiser_id.in_(organiser_ids))


def search(s: Session, text: str, organiser_ids: list[int] | None) -> tuple[list, list]:
    """(organisations, participants) matching `text`: municipalities by name or CBS/NIS code,
    participants by name, e-mail or their municipality's name or code; at most SEARCH_LIMIT each.
    Participants only when enrolled with one of these organisers."""
    text = text.strip()
    code = text.upper()

    def like(column):  # case-insensitive "contains", % and _ taken literally
        return func.lower(column).contains(text.lower(), autoescape=True)

    organisations = s.exec(
        select(Organisation).where(or_(like(Organisation.name), Organisation.code == code))
        .order_by(Organisation.name, Organisation.id).limit(SEARCH_LIMIT)).all()
    participants = s.exec(
        select(Participant.id, Participant.name, Participant.email,
               Organisation.name.label("organisation"), Organisation.code)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .where(or_(like(Participant.name), like(Participant.email), like(Organisation.name),
                   Organisation.code == code),
               _enrolled_with(organiser_ids))
        .order_by(Participant.name, Participant.id).limit(SEARCH_LIMIT)).all()
    return list(organisations), list(participants)


def visible_participant(s: Session, participant_id: int,
                        organiser_ids: list[int] | None) -> Participant | None:
    """The participant, when enrolled with one of these organisers (else None: a 404)."""
    return s.exec(select(Participant).where(Participant.id == participant_id,
                                            _enrolled_with(organiser_ids))).first()
