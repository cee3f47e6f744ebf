"""Reads for the open interfaces (the JSON API, the JSON-LD of track pages, the embedded
catalogue). The catalogue's and the schedule's own queries do the work (the catalogue's entries,
filters, status and places left; the public programme); here is only what they lack: a published
edition by id, which sessions were moved, and one version of everything public for the cache.
Each takes the database session first and changes nothing. Drafts are never read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue import queries as catalogue
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.catalogue.status import Status
from trajectories.core.models import EventRecord
from trajectories.people.models import Enrollment
from trajectories.schedule import queries as schedule
from trajectories.schedule.models import Meeting


def organisers(s: Session) -> list[Organiser]:
    return catalogue.organisers(s)


def organiser_by_slug(s: Session, slug: str) -> Organiser | None:
    return catalogue.organiser_by_slug(s, slug)


def first_public_track(s: Session) -> Track | None:
    """A track with a published edition, for the examples on the developers' page."""
    return s.exec(select(Track).join(Edition, Edition.track_id == Track.id)
                  .where(Edition.draft.is_(False)).order_by(Track.id)).first()


def track_ids(s: Session, organiser_id: int | None, matches: Callable | None,
              status: Status | None) -> list[int]:
    """The public catalogue's filters and order (see catalogue.queries.matching_track_ids)."""
    return catalogue.matching_track_ids(s, organiser_id, matches=matches, status=status)


def current_track_ids(s: Session, organiser_id: int) -> list[int]:
    """An organiser's tracks with an edition not yet finished (or none yet), in catalogue order:
    what its embedded catalogue lists."""
    ids = catalogue.matching_track_ids(s, organiser_id)
    current = set().union(*(catalogue.tracks_with_status(s, ids, status) for status in Status
                            if status != Status.FINISHED)) if ids else set()
    return [track_id for track_id in ids if track_id in current]


def track_entries(s: Session, ids: list[int]) -> list[dict]:
    """The catalogue's entries of these tracks (editions, status, places left), in this order."""
    return catalogue.entries(s, catalogue.tracks_in_order(s, ids)) if ids else []


def track_with_organiser(s: Session, track_id: int) -> tuple[Track, Organiser] | None:
    row = s.exec(select(Track, Organiser).join(Organiser, Organiser.id == Track.organiser_id)
                 .where(Track.id == track_id)).first()
    return None if row is None else tuple(row)


def published_edition(s: Session, edition_id: int) -> tuple[Edition, Track, Organiser] | None:
    """A published edition with its track and organiser; None for a draft or an unknown id."""
    row = s.exec(select(Edition, Track, Organiser)
                 .join(Track, Track.id == Edition.track_id)
                 .join(Organiser, Organiser.id == Track.organiser_id)
                 .where(Edition.id == edition_id, Edition.draft.is_(False))).first()
    return None if row is None else tuple(row)


def sessions(s: Session, edition_ids: list[int]) -> dict[int, list[Meeting]]:
    """{edition_id: its sessions in time order} (the track page's programme, without materials)."""
    meetings, _ = schedule.public_programme(s, edition_ids, date.min)
    return meetings


def rescheduled(s: Session, meetings: list[Meeting]) -> dict[int, str]:
    """{meeting_id: when it was first announced (ISO: its start in UTC, or its day)} for those of
    `meetings` moved to another day or time since; a time announced later is no move. Read from
    the audit log's MeetingRescheduled records, oldest first."""
    if not meetings:
        return {}
    current = {m.id: m for m in meetings}
    records = s.exec(select(EventRecord.payload).where(
        EventRecord.name == "MeetingRescheduled",
        EventRecord.payload["meeting_id"].as_integer().in_(list(current)))
        .order_by(EventRecord.occurred_at, EventRecord.id))
    found: dict[int, str] = {}
    for payload in records:
        meeting = current.get(payload.get("meeting_id"))
        was_day, was_start = payload.get("was_on_date"), payload.get("was_starts_at")
        if meeting is None or meeting.id in found:
            continue
        if was_start or (was_day and was_day != meeting.on_date.isoformat()):
            found[meeting.id] = was_start or was_day
    return found


def version(s: Session, now: datetime) -> tuple:
    """Everything the API shows moves one of these: a change of an organiser, track, edition
    (its sessions and deadlines move its `updated_at`, deletions included) or an enrollment
    (places left); or the clock, as statuses are derived from it: a registration window opening
    or closing (the counts of windows opened and closed by `now`), or a new day in an edition's
    zone (every zone's midnight falls on a quarter hour of UTC). One query."""
    def newest(column):
        return select(func.max(column)).scalar_subquery()

    def count(model, *where):
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    return (quarter, *s.exec(select(
        newest(Organiser.updated_at), count(Organiser), newest(Track.updated_at), count(Track),
        newest(Edition.updated_at), count(Edition),
        count(Edition, Edition.registration_opens_at <= now),
        count(Edition, Edition.registration_closes_at <= now),
        newest(Enrollment.updated_at), count(Enrollment))).one())
