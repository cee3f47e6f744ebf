"""Finding objects as the signed-in coordinator: another organiser's object answers 404.

Each getter joins up to the track, whose organiser decides who may see it; an admin sees all.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlmodel import select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.people.models import Enrollment, Submission
from trajectories.schedule.models import Deadline, Material, Meeting
from trajectories.web import db_session


def organiser_ids() -> list[int] | None:
    """The organisers the signed-in coordinator may see; None means all (admin)."""
    return None if current_user.is_admin else [current_user.organiser_id]


def scoped(query):
    """Restrict a query that joins Track to the visible organisers."""
    ids = organiser_ids()
    return query if ids is None else query.where(Track.organiser_id.in_(ids))


def _one(query):
    row = db_session().exec(scoped(query)).first()
    if row is None:
        abort(404)
    return row


def visible_organisers() -> list[Organiser]:
    query = select(Organiser).order_by(Organiser.name)
    ids = organiser_ids()
    if ids is not None:
        query = query.where(Organiser.id.in_(ids))
    return list(db_session().exec(query))


def organiser(organiser_id: int) -> Organiser:
    ids = organiser_ids()
    found = db_session().get(Organiser, organiser_id)
    if found is None or (ids is not None and found.id not in ids):
        abort(404)
    return found


def track(track_id: int) -> Track:
    return _one(select(Track).where(Track.id == track_id))


def edition(edition_id: int) -> tuple[Edition, Track]:
    return tuple(_one(select(Edition, Track).join(Track, Track.id == Edition.track_id)
                      .where(Edition.id == edition_id)))


def _in_edition(model, row_id: int):
    return tuple(_one(select(model, Edition, Track)
                      .join(Edition, Edition.id == model.edition_id)
                      .join(Track, Track.id == Edition.track_id)
                      .where(model.id == row_id)))


def meeting(meeting_id: int) -> tuple[Meeting, Edition, Track]:
    return _in_edition(Meeting, meeting_id)


def deadline(deadline_id: int) -> tuple[Deadline, Edition, Track]:
    return _in_edition(Deadline, deadline_id)


def enrollment(enrollment_id: int) -> tuple[Enrollment, Edition, Track]:
    return _in_edition(Enrollment, enrollment_id)


def material(material_id: int) -> tuple[Material, Meeting, Edition, Track]:
    return tuple(_one(select(Material, Meeting, Edition, Track)
                      .join(Meeting, Meeting.id == Material.meeting_id)
                      .join(Edition, Edition.id == Meeting.edition_id)
                      .join(Track, Track.id == Edition.track_id)
                      .where(Material.id == material_id)))


def submission(submission_id: int) -> tuple[Submission, Deadline, Edition, Track]:
    return tuple(_one(select(Submission, Deadline, Edition, Track)
                      .join(Deadline, Deadline.id == Submission.deadline_id)
                      .join(Edition, Edition.id == Deadline.edition_id)
                      .join(Track, Track.id == Edition.track_id)
                      .where(Submission.id == submission_id)))


def editions_with_tracks() -> list[tuple[Edition, Track]]:
    return [tuple(r) for r in db_session().exec(scoped(
        select(Edition, Track).join(Track, Track.id == Edition.track_id)
        .order_by(Track.title, Edition.created_at, Edition.id)))]
