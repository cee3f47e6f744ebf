"""Reads of the programme: an edition's sessions, deadlines and materials, the coordinator's
week, and how far deadlines and sessions are done (hand-ins and attendance). Each takes the
database session first, changes nothing, and costs a fixed number of queries whatever the
number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Track
from trajectories.catalogue.queries import scoped, visible
from trajectories.people.models import TAKING_PART, Attendance, Enrollment, Participant, Submission
from trajectories.schedule.models import Deadline, DeliveredBy, Material, Meeting


def programme(s: Session, edition_id: int) -> tuple[list[Meeting], list[Deadline]]:
    """An edition's sessions and deadlines, in date order."""
    meetings = list(s.exec(select(Meeting).where(Meeting.edition_id == edition_id)
                           .order_by(Meeting.on_date, Meeting.starts_at, Meeting.id)))
    deadlines = list(s.exec(select(Deadline).where(Deadline.edition_id == edition_id)
                            .order_by(Deadline.due_date, Deadline.id)))
    return meetings, deadlines


def materials_by_meeting(s: Session, meeting_ids: list[int]) -> dict[int, list[Material]]:
    """{meeting_id: its materials, oldest first}."""
    materials = defaultdict(list)
    if meeting_ids:
        for material in s.exec(select(Material).where(Material.meeting_id.in_(meeting_ids))
                               .order_by(Material.created_at, Material.id)):
            materials[material.meeting_id].append(material)
    return materials


def public_programme(s: Session, edition_ids: list[int], today: date
                     ) -> tuple[dict[int, list[Meeting]], dict[int, list[Material]]]:
    """The sessions of these editions ({edition_id: sessions}) and the materials of those held
    before today ({meeting_id: materials}): materials are published once a session has been held
    (as VVSG does with presentations)."""
    meetings = defaultdict(list)
    rows = list(s.exec(select(Meeting).where(Meeting.edition_id.in_(edition_ids))
                       .order_by(Meeting.on_date, Meeting.starts_at)))
    for meeting in rows:
        meetings[meeting.edition_id].append(meeting)
    return meetings, materials_by_meeting(s, [m.id for m in rows if m.on_date < today])


def material(s: Session, material_id: int,
             organiser_ids: list[int] | None) -> tuple[Material, Meeting, Edition, Track] | None:
    """A material with its session, edition and track, if the organiser is among these."""
    row = visible(s, select(Material, Meeting, Edition, Track)
                  .join(Meeting, Meeting.id == Material.meeting_id)
                  .join(Edition, Edition.id == Meeting.edition_id)
                  .join(Track, Track.id == Edition.track_id)
                  .where(Material.id == material_id), organiser_ids)
    return None if row is None else tuple(row)


# --- the coordinator's dashboard -------------------------------------------------------------------
def _in_edition(model, organiser_ids):
    return scoped(select(model, Edition, Track).join(Edition, Edition.id == model.edition_id)
                  .join(Track, Track.id == Edition.track_id), organiser_ids)


def sessions_between(s: Session, first: date, last: date, organiser_ids: list[int] | None
                     ) -> list[tuple[Meeting, Edition, Track]]:
    """The sessions from `first` to `last` (a week), with their edition and track."""
    return [tuple(r) for r in s.exec(_in_edition(Meeting, organiser_ids).where(
        Meeting.on_date >= first, Meeting.on_date <= last)
        .order_by(Meeting.on_date, Meeting.starts_at))]


def open_deadlines(s: Session, today: date, organiser_ids: list[int] | None,
                   limit: int = 20) -> list[tuple[Deadline, Edition, Track]]:
    """The next deadlines from today on, with their edition and track."""
    return [tuple(r) for r in s.exec(_in_edition(Deadline, organiser_ids).where(
        Deadline.due_date >= today).order_by(Deadline.due_date).limit(limit))]


# --- completion ------------------------------------------------------------------------------------
def deadline_completion(s: Session, deadlines: list[Deadline]) -> dict[int, tuple[int, int]]:
    """{deadline_id: (delivered, expected)}; per organisation for organisation deliverables
    (a participant without an organisation counts as one). Two aggregate queries."""
    if not deadlines:
        return {}
    # One "unit" per organisation, or per participant without one (negative ids never clash).
    unit = func.coalesce(Participant.organisation_id, -Participant.id)
    expected = {edition_id: (people, units) for edition_id, people, units in s.exec(
        select(Enrollment.edition_id, func.count(), func.count(func.distinct(unit)))
        .join(Participant, Participant.id == Enrollment.participant_id)
        .where(Enrollment.edition_id.in_({d.edition_id for d in deadlines}),
               Enrollment.status.in_(TAKING_PART))
        .group_by(Enrollment.edition_id))}
    delivered = {deadline_id: (people, units) for deadline_id, people, units in s.exec(
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


def attendance_counts(s: Session, meetings: list[Meeting]) -> dict[int, tuple[int, int]]:
    """{meeting_id: (present, recorded)}."""
    result = {m.id: (0, 0) for m in meetings}
    if not meetings:
        return result
    for meeting_id, present in s.exec(select(Attendance.meeting_id, Attendance.present)
                                      .where(Attendance.meeting_id.in_(list(result)))):
        here, recorded = result[meeting_id]
        result[meeting_id] = (here + int(present), recorded + 1)
    return result
