"""Reads about people: a participant's own editions, sessions and deadlines ("my
trajectories"), an edition's roster, attendance and hand-ins. Each takes the database session
first, changes nothing, and costs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.catalogue.queries import scoped, visible
from trajectories.core.clock import utcnow
from trajectories.people.models import (
    TAKING_PART,
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Organisation,
    Participant,
    Submission,
)
from trajectories.people.services import deadline_passed
from trajectories.schedule.models import Deadline, DeadlineExtension, DeliveredBy, Meeting


# --- the participant's own pages -------------------------------------------------------------------
def overview(s: Session, participant: Participant) -> dict:
    """My editions, my next sessions and my deadlines, in a fixed number of queries."""
    enrollments = list(s.exec(select(Enrollment).where(
        Enrollment.participant_id == participant.id).order_by(Enrollment.created_at)))
    editions = {c.id: c for c in s.exec(select(Edition).where(
        Edition.id.in_([e.edition_id for e in enrollments]), Edition.draft.is_(False)))}
    enrollments = [e for e in enrollments if e.edition_id in editions]  # drafts: not yet
    tracks = {t.id: t for t in s.exec(select(Track).where(
        Track.id.in_([c.track_id for c in editions.values()])))}
    organisers = {o.id: o for o in s.exec(select(Organiser).where(
        Organiser.id.in_([t.organiser_id for t in tracks.values()])))}
    taking_part = [e.edition_id for e in enrollments if e.status in TAKING_PART]
    today = utcnow().date()
    sessions = list(s.exec(select(Meeting).where(
        Meeting.edition_id.in_(taking_part), Meeting.on_date >= today - timedelta(days=1))
        .order_by(Meeting.on_date, Meeting.starts_at)))
    sessions = [m for m in sessions if (m.ends_at or m.starts_at) is None
                or (m.ends_at or m.starts_at) > utcnow()
                or m.on_date >= today][:10]
    deadlines = list(s.exec(select(Deadline).where(Deadline.edition_id.in_(taking_part))
                            .order_by(Deadline.due_date)))
    submissions = {sub.deadline_id: sub for sub in s.exec(select(Submission).where(
        Submission.participant_id == participant.id))}
    extensions = {x.deadline_id: x.due_date for x in s.exec(select(DeadlineExtension).where(
        DeadlineExtension.participant_id == participant.id))}
    by_team = team_submissions(s, participant, [d for d in deadlines if d.id not in submissions])
    my_deadlines = [{"deadline": d, "edition": editions[d.edition_id], "team": by_team.get(d.id),
                     "track": tracks[editions[d.edition_id].track_id],
                     "due": extensions.get(d.id, d.due_date),
                     "passed": deadline_passed(d, extensions.get(d.id), editions[d.edition_id]),
                     "submission": submissions.get(d.id)} for d in deadlines]
    return {
        "editions": [{"enrollment": e, "edition": editions[e.edition_id],
                      "track": tracks[editions[e.edition_id].track_id],
                      "organiser": organisers[tracks[editions[e.edition_id].track_id].organiser_id]}
                     for e in enrollments],
        "sessions": [{"meeting": m, "edition": editions[m.edition_id],
                      "track": tracks[editions[m.edition_id].track_id]} for m in sessions],
        "deadlines": my_deadlines,
    }


def team_submissions(s: Session, participant: Participant, deadlines: list[Deadline]
                     ) -> dict[int, tuple[Submission, str, str]]:
    """{deadline_id: (submission, colleague's name, organisation's name)} for the deadlines
    delivered per municipality that a colleague taking part handed in for the participant's
    municipality: done for the whole team (as the scheduler's nudges and the coordinator's
    count say). One query, none without such deadlines."""
    ids = [d.id for d in deadlines if d.delivered_by == DeliveredBy.ORGANISATION]
    if not ids or participant.organisation_id is None:
        return {}
    found: dict[int, tuple[Submission, str, str]] = {}
    for submission, name, organisation in s.exec(
            select(Submission, Participant.name, Organisation.name)
            .join(Participant, Participant.id == Submission.participant_id)
            .join(Organisation, Organisation.id == Participant.organisation_id)
            .join(Deadline, Deadline.id == Submission.deadline_id)
            .join(Enrollment, (Enrollment.edition_id == Deadline.edition_id)
                  & (Enrollment.participant_id == Participant.id))
            .where(Submission.deadline_id.in_(ids), Enrollment.status.in_(TAKING_PART),
                   Participant.organisation_id == participant.organisation_id,
                   Participant.id != participant.id)
            .order_by(Submission.submitted_at)):
        found.setdefault(submission.deadline_id, (submission, name, organisation))
    return found


def takes_part(s: Session, participant_id: int, edition_id: int) -> bool:
    """Whether the participant is admitted to (or completed) the edition."""
    return s.exec(select(Enrollment).where(
        Enrollment.edition_id == edition_id, Enrollment.participant_id == participant_id,
        Enrollment.status.in_(TAKING_PART))).first() is not None


def submission_of(s: Session, deadline_id: int, participant_id: int) -> Submission | None:
    """What the participant handed in for the deadline, if anything."""
    return s.exec(select(Submission).where(Submission.deadline_id == deadline_id,
                                           Submission.participant_id == participant_id)).first()


# --- the coordinator's roster ----------------------------------------------------------------------
def roster(s: Session, edition_id: int, statuses=None, search: str = "") -> list:
    """Rows of plain columns (not ORM objects: a list of 1,000 stays fast): enrollment_id,
    status, updated_at, created_at, participant_id, name, email, role, organisation_id,
    organisation, code. By name; only these statuses, and names, addresses or organisations
    containing `search`, when given."""
    query = (select(Enrollment.id.label("enrollment_id"), Enrollment.status,
                    Enrollment.updated_at, Enrollment.created_at,
                    Participant.id.label("participant_id"), Participant.name, Participant.email,
                    Participant.role, Participant.organisation_id,
                    Organisation.name.label("organisation"),
                    Organisation.code.label("code"))
             .join(Participant, Participant.id == Enrollment.participant_id)
             .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
             .where(Enrollment.edition_id == edition_id)
             .order_by(Participant.name, Participant.id))
    if statuses:
        query = query.where(Enrollment.status.in_(list(statuses)))
    if search:
        like = f"%{search.lower()}%"
        query = query.where(Participant.name.ilike(like) | Participant.email.ilike(like)
                            | Organisation.name.ilike(like))
    return list(s.exec(query))


def teams(rows) -> list[dict]:
    """Roster rows grouped by municipality, a team per organisation (a participant without one is
    a team of one), by the organisation's name, people by name within: each {"name" (empty
    without an organisation), "organisation_id", "people", "admitted" (how many of them)}. No
    query: it groups what `roster` returned."""
    found: dict[int, dict] = {}
    for row in sorted(rows, key=lambda r: (r.organisation is None,
                                           (r.organisation or r.name).casefold(),
                                           r.name.casefold())):
        key = row.organisation_id if row.organisation_id is not None else -row.participant_id
        team = found.setdefault(key, {"name": row.organisation or "",
                                      "organisation_id": row.organisation_id,
                                      "people": [], "admitted": 0})
        team["people"].append(row)
        team["admitted"] += row.status == EnrollmentStatus.ADMITTED
    return list(found.values())


def admitted_participants(s: Session, edition_id: int) -> list[Participant]:
    """The admitted participants of an edition, by name (who gets mail about a session)."""
    return list(s.exec(
        select(Participant).join(Enrollment, Enrollment.participant_id == Participant.id)
        .where(Enrollment.edition_id == edition_id, Enrollment.status == EnrollmentStatus.ADMITTED)
        .order_by(Participant.name)))


def waiting_by_edition(s: Session, organiser_ids: list[int] | None
                       ) -> list[tuple[Edition, Track, int]]:
    """(edition, track, registrations that wait for a decision), for editions with any."""
    return [tuple(r) for r in s.exec(scoped(
        select(Edition, Track, func.count(Enrollment.id))
        .join(Track, Track.id == Edition.track_id)
        .join(Enrollment, Enrollment.edition_id == Edition.id)
        .where(Enrollment.status.in_([EnrollmentStatus.APPLIED, EnrollmentStatus.WAITLISTED]))
        .group_by(Edition.id, Track.id).order_by(Track.title), organiser_ids))]


def attendance_of(s: Session, meeting_id: int) -> dict[int, bool]:
    """{participant_id: present} as recorded for a session."""
    return {a.participant_id: a.present for a in s.exec(
        select(Attendance).where(Attendance.meeting_id == meeting_id))}


# --- hand-ins --------------------------------------------------------------------------------------
def extensions_of(s: Session, deadline_id: int) -> dict[int, object]:
    """{participant_id: extended due date} for a deadline."""
    return {x.participant_id: x.due_date for x in s.exec(select(DeadlineExtension).where(
        DeadlineExtension.deadline_id == deadline_id))}


def submissions_of(s: Session, deadline_id: int) -> dict[int, object]:
    """{participant_id: row of the submission's id, participant_id, submitted_at, late} for a
    deadline: plain rows, not ORM objects (the coordinator lists 1,000 of them; their texts
    stay in the database)."""
    return {row.participant_id: row for row in s.exec(
        select(Submission.id, Submission.participant_id, Submission.submitted_at, Submission.late)
        .where(Submission.deadline_id == deadline_id))}


def submissions_with_participants(s: Session, deadline_id: int
                                  ) -> list[tuple[Submission, Participant]]:
    """Every hand-in of a deadline with who handed it in, by name."""
    return [tuple(r) for r in s.exec(
        select(Submission, Participant)
        .join(Participant, Participant.id == Submission.participant_id)
        .where(Submission.deadline_id == deadline_id).order_by(Participant.name))]


def submission(s: Session, submission_id: int, organiser_ids: list[int] | None
               ) -> tuple[Submission, Deadline, Edition, Track] | None:
    """A submission with its deadline, edition and track, if the organiser is among these."""
    row = visible(s, select(Submission, Deadline, Edition, Track)
                  .join(Deadline, Deadline.id == Submission.deadline_id)
                  .join(Edition, Edition.id == Deadline.edition_id)
                  .join(Track, Track.id == Edition.track_id)
                  .where(Submission.id == submission_id), organiser_ids)
    return None if row is None else tuple(row)
