"""Reads of the interest list: its size per track and municipality, and a person's entries."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue.models import Organiser, Track
from trajectories.interest.models import InterestEntry
from trajectories.people.models import Organisation, Participant


def size(session: Session, track_id: int) -> int:
    return session.exec(select(func.count()).select_from(InterestEntry)
                        .where(InterestEntry.track_id == track_id)).one()


def sizes(session: Session, track_ids: list[int]) -> dict[int, int]:
    """{track id: people on its list}, in one query."""
    if not track_ids:
        return {}
    rows = session.exec(select(InterestEntry.track_id, func.count()).where(
        InterestEntry.track_id.in_(track_ids)).group_by(InterestEntry.track_id))
    return {track_id: count for track_id, count in rows}


def per_municipality(session: Session, track_id: int) -> list[tuple[str, int]]:
    """[(municipality, people on the list)], most first; "" for an entry without one."""
    rows = session.exec(
        select(Organisation.name, func.count(InterestEntry.id))
        .select_from(InterestEntry)
        .join(Organisation, Organisation.id == InterestEntry.organisation_id, isouter=True)
        .where(InterestEntry.track_id == track_id)
        .group_by(Organisation.name)
        .order_by(func.count(InterestEntry.id).desc(), Organisation.name))
    return [(name or "", count) for name, count in rows]


def entries_of(session: Session, participant: Participant) -> list[dict]:
    """The tracks a person is on the list of: [{"entry", "track", "organiser"}]."""
    rows = session.exec(
        select(InterestEntry, Track, Organiser)
        .join(Track, Track.id == InterestEntry.track_id)
        .join(Organiser, Organiser.id == Track.organiser_id)
        .where(InterestEntry.participant_id == participant.id)
        .order_by(Track.title))
    return [{"entry": e, "track": t, "organiser": o} for e, t, o in rows]
