"""Finding objects as the signed-in coordinator: another organiser's object answers 404.

Each getter joins up to the track, whose organiser decides who may see it; an admin sees all.
The queries are the features' own (`queries.py`); here they get the coordinator's organisers.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from trajectories.catalogue import queries as catalogue
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.people import queries as people
from trajectories.people.models import Enrollment, Submission
from trajectories.schedule import queries as schedule
from trajectories.schedule.models import Deadline, Material, Meeting
from trajectories.web import db_session


def organiser_ids() -> list[int] | None:
    """The organisers the signed-in coordinator may see; None means all (admin)."""
    return None if current_user.is_admin else [current_user.organiser_id]


def _found(row):
    if row is None:
        abort(404)
    return row


def visible_organisers() -> list[Organiser]:
    return catalogue.organisers(db_session(), organiser_ids())


def organiser(organiser_id: int) -> Organiser:
    ids = organiser_ids()
    found = db_session().get(Organiser, organiser_id)
    if found is None or (ids is not None and found.id not in ids):
        abort(404)
    return found


def track(track_id: int) -> Track:
    return _found(catalogue.track(db_session(), track_id, organiser_ids()))


def edition(edition_id: int) -> tuple[Edition, Track]:
    return _found(catalogue.edition_with_track(db_session(), edition_id, organiser_ids()))


def meeting(meeting_id: int) -> tuple[Meeting, Edition, Track]:
    return _found(catalogue.in_edition(db_session(), Meeting, meeting_id, organiser_ids()))


def deadline(deadline_id: int) -> tuple[Deadline, Edition, Track]:
    return _found(catalogue.in_edition(db_session(), Deadline, deadline_id, organiser_ids()))


def enrollment(enrollment_id: int) -> tuple[Enrollment, Edition, Track]:
    return _found(catalogue.in_edition(db_session(), Enrollment, enrollment_id, organiser_ids()))


def material(material_id: int) -> tuple[Material, Meeting, Edition, Track]:
    return _found(schedule.material(db_session(), material_id, organiser_ids()))


def submission(submission_id: int) -> tuple[Submission, Deadline, Edition, Track]:
    return _found(people.submission(db_session(), submission_id, organiser_ids()))


def editions_with_tracks() -> list[tuple[Edition, Track]]:
    return catalogue.editions_with_tracks(db_session(), organiser_ids())
