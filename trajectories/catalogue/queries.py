"""Reads of the catalogue: the public catalogue (tracks with their editions, status and next
session; filtering and paging by id), organisers, tracks and editions by slug or id, and the
coordinator's lists. Each takes the database session first and changes nothing.

A coordinator sees the objects of their organiser only: the look-ups that serve coordinator
pages take `organiser_ids` (None means all, for an admin) and filter on the track's organiser.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Organiser, Track, TrackKind
from trajectories.catalogue.status import Status, edition_status, spans, track_status
from trajectories.core.clock import utcnow
from trajectories.people import places
from trajectories.schedule.models import Meeting, MeetingStatus


def scoped(query, organiser_ids: list[int] | None):
    """Restrict a query that joins Track to these organisers (None: all of them)."""
    return query if organiser_ids is None else query.where(Track.organiser_id.in_(organiser_ids))


# --- the public catalogue ------------------------------------------------------------------------
def entries(s: Session, tracks: list[Track]) -> list[dict]:
    """Each track with its published editions, status and next session, in the order given.
    A fixed number of queries, whatever the number of tracks and editions."""
    editions = list(s.exec(select(Edition).where(Edition.track_id.in_([t.id for t in tracks]),
                                               Edition.draft.is_(False))
                          .order_by(Edition.created_at, Edition.id)))
    edition_spans = spans(s, [c.id for c in editions])
    now = utcnow()
    upcoming = s.exec(select(Meeting).where(
        Meeting.edition_id.in_([c.id for c in editions]), Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.on_date >= now.date()).order_by(Meeting.on_date, Meeting.starts_at))
    next_meeting: dict[int, Meeting] = {}
    for meeting in upcoming:
        next_meeting.setdefault(meeting.edition_id, meeting)
    taken = places.taken_by_edition(s, [c for c in editions if c.capacity is not None])

    editions_by_track = defaultdict(list)
    for edition in editions:
        editions_by_track[edition.track_id].append({
            "edition": edition,
            "status": edition_status(edition, edition_spans[edition.id], now),
            "span": edition_spans[edition.id],
            "next_meeting": next_meeting.get(edition.id),
            # None: no limit. 0: full, a new registration (municipality) goes on the waiting list.
            "places_left": places.places_left(edition, taken.get(edition.id, 0)),
        })
    found = []
    for track in tracks:
        rows = editions_by_track[track.id]
        status = track_status([e["status"] for e in rows])
        open_ones = [e for e in rows if e["status"] == Status.REGISTRATION_OPEN]
        found.append({"track": track, "status": status, "editions": rows,
                      "places_left": None,
                      # Every edition open for registration is full: the waiting list.
                      "full": bool(open_ones) and all(e["places_left"] == 0 for e in open_ones)})
    return found


def matching_track_ids(s: Session, organiser_id: int | None = None,
                       matches: Callable | None = None, status: Status | None = None) -> list[int]:
    """The ids of the tracks that pass the filters, in catalogue order (organiser, then title).
    `matches` looks at a row of the track's text columns (title, summary, goals, target_group,
    theme, sdgs). Reads ids only, or those few columns: whole tracks are loaded per page."""
    def in_order(*columns):
        # The award's track has its own public page (/prijs/), not a place in the catalogue.
        query = (select(*columns).join(Organiser, Organiser.id == Track.organiser_id)
                 .where(Track.kind != TrackKind.AWARD)
                 .order_by(Organiser.name, Organiser.id, Track.title, Track.id))
        if organiser_id is not None:
            query = query.where(Track.organiser_id == organiser_id)
        return s.exec(query).all()

    if matches is not None:
        rows = in_order(Track.id, Track.title, Track.summary, Track.goals, Track.target_group,
                        Track.theme, Track.sdgs)
        ids = [row.id for row in rows if matches(row)]
    else:
        ids = list(in_order(Track.id))
    if status and ids:
        with_status = tracks_with_status(s, ids, status)
        ids = [track_id for track_id in ids if track_id in with_status]
    return ids


def tracks_with_status(s: Session, track_ids: list[int], status: Status) -> set[int]:
    """Those of the tracks with an edition in this status (a track without editions is upcoming,
    as `track_status` says). The status is derived from dates, so it is computed, not queried."""
    editions = s.exec(select(Edition.id, Edition.track_id, Edition.timezone,
                            Edition.registration_opens_at, Edition.registration_closes_at)
                     .where(Edition.track_id.in_(track_ids), Edition.draft.is_(False))).all()
    edition_spans = spans(s, [c.id for c in editions])
    now = utcnow()
    found = {c.track_id for c in editions if edition_status(c, edition_spans[c.id], now) == status}
    if status == Status.UPCOMING:
        found |= set(track_ids) - {c.track_id for c in editions}
    return found


def tracks_in_order(s: Session, track_ids: list[int]) -> list[Track]:
    """The tracks with these ids, in the order of the ids."""
    by_id = {t.id: t for t in s.exec(select(Track).where(Track.id.in_(track_ids)))}
    return [by_id[track_id] for track_id in track_ids]


def themes(s: Session, organiser_id: int | None = None) -> list[str]:
    """The themes tracks have (of one organiser, or all), sorted as a reader expects."""
    query = select(Track.theme).distinct().where(Track.theme != "")
    if organiser_id is not None:
        query = query.where(Track.organiser_id == organiser_id)
    return sorted(s.exec(query), key=str.casefold)


def organisers(s: Session, organiser_ids: list[int] | None = None) -> list[Organiser]:
    """Organisers by name (only these, when given)."""
    query = select(Organiser).order_by(Organiser.name, Organiser.id)
    if organiser_ids is not None:
        query = query.where(Organiser.id.in_(organiser_ids))
    return list(s.exec(query))


def organiser_by_slug(s: Session, slug: str) -> Organiser | None:
    return s.exec(select(Organiser).where(Organiser.slug == slug)).first()


def track_by_slug(s: Session, organiser_id: int, slug: str) -> Track | None:
    return s.exec(select(Track).where(Track.organiser_id == organiser_id,
                                      Track.slug == slug)).first()


def by_slugs(s: Session, organiser_slug: str, track_slug: str | None = None,
             edition_slug: str | None = None) -> tuple | None:
    """(organiser, track or None, published edition or None) by their slugs, in one query;
    None when any is unknown."""
    if track_slug is None:
        organiser = organiser_by_slug(s, organiser_slug)
        return None if organiser is None else (organiser, None, None)
    if edition_slug is None:
        row = s.exec(select(Organiser, Track).join(
            Track, Track.organiser_id == Organiser.id).where(
            Organiser.slug == organiser_slug, Track.slug == track_slug)).first()
        return None if row is None else (row[0], row[1], None)
    row = s.exec(select(Organiser, Track, Edition).join(
        Track, Track.organiser_id == Organiser.id).join(
        Edition, Edition.track_id == Track.id).where(
        Organiser.slug == organiser_slug, Track.slug == track_slug,
        Edition.slug == edition_slug, Edition.draft.is_(False))).first()
    return None if row is None else tuple(row)


# --- the coordinator's look-ups and lists ----------------------------------------------------------
def visible(s: Session, query, organiser_ids: list[int] | None):
    """The first row of a query that joins Track, if its organiser is among these."""
    return s.exec(scoped(query, organiser_ids)).first()


def track(s: Session, track_id: int, organiser_ids: list[int] | None) -> Track | None:
    return visible(s, select(Track).where(Track.id == track_id), organiser_ids)


def edition_with_track(s: Session, edition_id: int,
                       organiser_ids: list[int] | None) -> tuple[Edition, Track] | None:
    row = visible(s, select(Edition, Track).join(Track, Track.id == Edition.track_id)
                  .where(Edition.id == edition_id), organiser_ids)
    return None if row is None else tuple(row)


def in_edition(s: Session, model, row_id: int, organiser_ids: list[int] | None) -> tuple | None:
    """(row, edition, track) of a row of a table with an `edition_id` (a session, deadline or
    enrollment)."""
    row = visible(s, select(model, Edition, Track)
                  .join(Edition, Edition.id == model.edition_id)
                  .join(Track, Track.id == Edition.track_id)
                  .where(model.id == row_id), organiser_ids)
    return None if row is None else tuple(row)


def editions_with_tracks(s: Session, organiser_ids: list[int] | None) -> list[tuple[Edition, Track]]:
    return [tuple(r) for r in s.exec(scoped(
        select(Edition, Track).join(Track, Track.id == Edition.track_id)
        .order_by(Track.title, Edition.created_at, Edition.id), organiser_ids))]


def tracks_with_editions(s: Session, organiser_ids: list[int] | None
                         ) -> tuple[list[Track], dict[int, list[Edition]]]:
    """The coordinator's tracks by title, and each one's editions (drafts too) oldest first."""
    tracks = list(s.exec(scoped(select(Track), organiser_ids).order_by(Track.title)))
    editions = defaultdict(list)
    for edition in s.exec(select(Edition).where(Edition.track_id.in_([t.id for t in tracks]))
                          .order_by(Edition.created_at, Edition.id)):
        editions[edition.track_id].append(edition)
    return tracks, editions


def editions_of(s: Session, track_id: int) -> list[Edition]:
    """A track's editions (drafts too), oldest first."""
    return list(s.exec(select(Edition).where(Edition.track_id == track_id)
                       .order_by(Edition.created_at, Edition.id)))


def owned_ids(s: Session, organiser_ids: list[int]) -> tuple[set[int], set[int]]:
    """(track ids, edition ids) of these organisers: the records about them are theirs to see."""
    tracks = set(s.exec(select(Track.id).where(Track.organiser_id.in_(organiser_ids))))
    editions = set(s.exec(select(Edition.id).where(Edition.track_id.in_(tracks))))
    return tracks, editions


# --- regional meetings ---------------------------------------------------------------------------
def regional_meetings(s: Session) -> list[dict]:
    """Every published edition of a regional-meeting track, with its track, organiser, status
    and meeting (the first one not cancelled), by date; three queries whatever their number."""
    rows = list(s.exec(select(Edition, Track, Organiser)
                       .join(Track, Track.id == Edition.track_id)
                       .join(Organiser, Organiser.id == Track.organiser_id)
                       .where(Track.kind == TrackKind.REGIONAL_MEETING, Edition.draft.is_(False))))
    ids = [edition.id for edition, _, _ in rows]
    first: dict[int, Meeting] = {}
    for meeting in s.exec(select(Meeting).where(Meeting.edition_id.in_(ids),
                                                Meeting.status == MeetingStatus.SCHEDULED)
                          .order_by(Meeting.on_date, Meeting.starts_at)):
        first.setdefault(meeting.edition_id, meeting)
    edition_spans = spans(s, ids)
    now = utcnow()
    found = [{"edition": edition, "track": track, "organiser": organiser,
              "meeting": first.get(edition.id), "day": edition_spans[edition.id].first,
              "status": edition_status(edition, edition_spans[edition.id], now)}
             for edition, track, organiser in rows]
    return sorted(found, key=lambda r: (r["day"] is None, r["day"] or now.date(),
                                        r["edition"].region))
