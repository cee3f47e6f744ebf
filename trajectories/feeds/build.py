"""The feeds themselves: which rows go in, their bytes, ETag and Last-Modified.

A feed is built once per change, not once per request. Each feed has a cheap *version* (the
`updated_at` columns the services move forward on every change, and the window's first day); the
bytes are cached per process under that version, so every worker and every host sees a change at
its next request without any message between them, and an unchanged feed costs one small query.

Window: the track and organiser feeds hold one year back and everything ahead (they grow with
every edition, and Google Calendar stops reading feeds near 1 MB); their description says so.
An edition's feed and a personal feed hold their whole history: they are bounded (one edition,
one person's editions), and a calendar deletes what a subscription drops, so a window would
erase a finished edition and a participant's own record from their calendar.

Last-Modified only moves forward: it is the newest `updated_at` of the feed's rows and parents
(services touch the edition and track on deletions and cancellations too), or the moment the
window last dropped an entry, whichever is later.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from time import monotonic as time_now

from icalendar import Event
from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.core.clock import utcnow
from trajectories.feeds import links
from trajectories.feeds.calendar import (
    add_alarm,
    deadline_event,
    feed_calendar,
    meeting_event,
    page_url,
    to_bytes,
)
from trajectories.feeds.models import DEFAULT_ALARM_MINUTES, FeedPreference
from trajectories.feeds.texts import texts
from trajectories.people.models import TAKING_PART, Enrollment, Participant, Submission
from trajectories.schedule.models import Deadline, DeadlineExtension, Material, Meeting

WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class FeedDocument:
    body: bytes
    #: Strong ETag (unquoted): the SHA-256 of the body.
    etag: str
    #: Whole seconds, UTC (HTTP dates have no fractions).
    last_modified: datetime
    filename: str


def _aware(moment: datetime) -> datetime:
    """In UTC (DTSTAMP must be): naive values are UTC already, aware ones may come back in the
    database connection's zone."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _latest(*moments: datetime | None) -> datetime:
    found = [_aware(m) for m in moments if m is not None]
    return max(found).replace(microsecond=0) if found else datetime(1970, 1, 1, tzinfo=UTC)


def window_start(now: datetime | None = None) -> date:
    return (now or utcnow()).date() - WINDOW


def _document(body: bytes, last_modified: datetime, filename: str) -> FeedDocument:
    return FeedDocument(body, hashlib.sha256(body).hexdigest(), last_modified, filename)


# --- rows -----------------------------------------------------------------------------------------
@dataclass
class Rows:
    """The window's entries of some editions. A publish run loads an organiser's once and gives
    each of its track and edition feeds their share (`of`), with the VEVENTs built once."""

    meetings: list[Meeting]
    materials: dict[int, list[Material]]
    deadlines: list[Deadline]
    #: Per edition, the day of its latest entry that the window leaves out.
    left_out: dict[int, date]
    #: Public VEVENTs built from these rows, shared by every feed that shows them.
    events: dict[Hashable, Event] = field(default_factory=dict)

    @property
    def dropped_at(self) -> datetime | None:
        """When the window last dropped an entry of these editions (None: it never did)."""
        if not self.left_out:
            return None
        # An entry on day D leaves the window on D + 366 days: from then on it is gone.
        return datetime.combine(max(self.left_out.values()) + WINDOW + timedelta(days=1), time(),
                                tzinfo=UTC)

    def since(self, start: date) -> Rows:
        """The entries from `start` on (a window), sharing the built VEVENTs; what it leaves
        out is remembered per edition for Last-Modified."""
        left_out = dict(self.left_out)
        for edition_id, day in [*((m.edition_id, m.on_date) for m in self.meetings),
                               *((d.edition_id, d.due_date) for d in self.deadlines)]:
            if day < start:
                left_out[edition_id] = max(day, left_out.get(edition_id, day))
        return Rows([m for m in self.meetings if m.on_date >= start], self.materials,
                    [d for d in self.deadlines if d.due_date >= start], left_out, self.events)

    def of(self, edition_ids: Iterable[int]) -> Rows:
        ids = set(edition_ids)
        meetings, deadlines = self._by_edition
        return Rows([m for c in ids for m in meetings.get(c, ())], self.materials,
                    [d for c in ids for d in deadlines.get(c, ())],
                    {c: day for c, day in self.left_out.items() if c in ids}, self.events)

    @cached_property
    def _by_edition(self) -> tuple[dict[int, list[Meeting]], dict[int, list[Deadline]]]:
        # A publish run takes thousands of shares: reading every row's edition_id for each
        # (an ORM attribute) took a quarter of the run.
        meetings, deadlines = defaultdict(list), defaultdict(list)
        for meeting in self.meetings:
            meetings[meeting.edition_id].append(meeting)
        for deadline in self.deadlines:
            deadlines[deadline.edition_id].append(deadline)
        return meetings, deadlines


def load_rows(session: Session, edition_ids: list[int], start: date | None) -> Rows:
    """The entries of these editions from `start` on; all of them when `start` is None."""
    if not edition_ids:
        return Rows([], {}, [], {})
    meeting_query = select(Meeting).where(Meeting.edition_id.in_(edition_ids))
    deadline_query = select(Deadline).where(Deadline.edition_id.in_(edition_ids))
    if start is not None:
        meeting_query = meeting_query.where(Meeting.on_date >= start)
        deadline_query = deadline_query.where(Deadline.due_date >= start)
    meetings = list(session.exec(meeting_query))
    materials: dict[int, list[Material]] = defaultdict(list)
    if meetings:
        for material in session.exec(select(Material).where(
                Material.meeting_id.in_([m.id for m in meetings])).order_by(Material.id)):
            materials[material.meeting_id].append(material)
    deadlines = list(session.exec(deadline_query))
    left_out: dict[int, date] = {}
    if start is None:
        return Rows(meetings, materials, deadlines, left_out)
    for edition_id, day in [
        *session.exec(select(Meeting.edition_id, func.max(Meeting.on_date)).where(
            Meeting.edition_id.in_(edition_ids), Meeting.on_date < start)
            .group_by(Meeting.edition_id)),
        *session.exec(select(Deadline.edition_id, func.max(Deadline.due_date)).where(
            Deadline.edition_id.in_(edition_ids), Deadline.due_date < start)
            .group_by(Deadline.edition_id)),
    ]:
        left_out[edition_id] = max(day, left_out.get(edition_id, day))
    return Rows(meetings, materials, deadlines, left_out)


def _public_events(rows: Rows, editions: dict[int, Edition], tracks: dict[int, Track],
                   organiser: Organiser, base_url: str, language: str):
    """The VEVENTs of `rows`; each is built once per Rows (a public entry's VEVENT depends only
    on its row, edition, track, organiser, base URL and language: the same in every feed)."""
    for meeting in rows.meetings:
        key = ("meeting", meeting.id, base_url, language)
        if key not in rows.events:
            edition = editions[meeting.edition_id]
            rows.events[key] = meeting_event(
                meeting, edition, tracks[edition.track_id], organiser, base_url=base_url,
                language=language, materials=rows.materials.get(meeting.id, ()))
        yield rows.events[key]
    for deadline in rows.deadlines:
        key = ("deadline", deadline.id, base_url, language)
        if key not in rows.events:
            edition = editions[deadline.edition_id]
            rows.events[key] = deadline_event(deadline, edition, tracks[edition.track_id],
                                              organiser, base_url=base_url, language=language)
        yield rows.events[key]


def _description(intro: str, window_note: str) -> str:
    # One line: icalendar 7.3 refuses a newline in the calendar's X-WR-CALDESC.
    return f"{intro} {window_note}"


# --- public feeds --------------------------------------------------------------------------------
def build_edition_feed(session: Session, organiser: Organiser, track: Track, edition: Edition, *,
                      base_url: str, language: str = "nl",
                      rows: Rows | None = None) -> FeedDocument:
    """The edition's whole programme, past entries included (no window).
    `rows`: a publish run's whole rows of (at least) this edition; loaded when not given."""
    t = texts(language)
    rows = load_rows(session, [edition.id], None) if rows is None else rows.of([edition.id])
    calendar = feed_calendar(
        # The calendar's UID predates the word "edition": subscribers keep it.
        uid=f"cohort-{edition.id}@trajectories",
        name=links.edition_title(track, edition, language),
        description=_description(
            t["edition_desc"].format(track=track.title, edition=edition.name,
                                    organiser=organiser.name),
            t["history"]),
        timezone=edition.timezone,
        events=_public_events(rows, {edition.id: edition}, {track.id: track}, organiser,
                              base_url, language),
        language=language)
    return _document(to_bytes(calendar),
                     _latest(edition.updated_at, track.updated_at, organiser.updated_at,
                             rows.dropped_at),
                     links.edition_path(organiser, track, edition).rsplit("/", 1)[-1])


def _zone_of(editions: Iterable[Edition], default: str) -> str:
    zones = sorted({c.timezone for c in editions})
    return zones[0] if len(zones) == 1 else default


def build_track_feed(session: Session, organiser: Organiser, track: Track, *, base_url: str,
                     start: date, default_zone: str = "Europe/Amsterdam",
                     language: str = "nl", rows: Rows | None = None) -> FeedDocument:
    t = texts(language)
    editions = {c.id: c for c in session.exec(select(Edition).where(
        Edition.track_id == track.id, Edition.draft.is_(False)))}
    rows = load_rows(session, sorted(editions), start) if rows is None else rows.of(editions)
    calendar = feed_calendar(
        uid=f"track-{track.id}@trajectories",
        name=links.track_title(track, language),
        description=_description(
            t["track_desc"].format(track=track.title, organiser=organiser.name),
            t["window"].format(url=page_url(base_url, organiser, track))),
        timezone=_zone_of(editions.values(), default_zone),
        events=_public_events(rows, editions, {track.id: track}, organiser, base_url, language),
        language=language)
    return _document(to_bytes(calendar),
                     _latest(track.updated_at, organiser.updated_at, rows.dropped_at,
                             *(c.updated_at for c in editions.values())),
                     links.track_path(organiser, track).rsplit("/", 1)[-1])


def build_organiser_feed(session: Session, organiser: Organiser, *, base_url: str, start: date,
                         default_zone: str = "Europe/Amsterdam",
                         language: str = "nl", rows: Rows | None = None) -> FeedDocument:
    t = texts(language)
    tracks = {tr.id: tr for tr in session.exec(select(Track).where(
        Track.organiser_id == organiser.id))}
    editions = {c.id: c for c in session.exec(select(Edition).where(
        Edition.track_id.in_(sorted(tracks)), Edition.draft.is_(False)))} if tracks else {}
    rows = load_rows(session, sorted(editions), start) if rows is None else rows.of(editions)
    calendar = feed_calendar(
        uid=f"organiser-{organiser.id}@trajectories",
        name=links.organiser_title(organiser, language),
        description=_description(
            t["organiser_desc"].format(organiser=organiser.name),
            t["window"].format(url=f"{base_url.rstrip('/')}/{organiser.slug}/")),
        timezone=_zone_of(editions.values(), default_zone),
        events=_public_events(rows, editions, tracks, organiser, base_url, language),
        language=language)
    return _document(to_bytes(calendar),
                     _latest(organiser.updated_at, rows.dropped_at,
                             *(tr.updated_at for tr in tracks.values()),
                             *(c.updated_at for c in editions.values())),
                     links.organiser_path(organiser))


# --- versions: what the cache compares on every request ------------------------------------------
def edition_version(organiser: Organiser, track: Track, edition: Edition) -> Hashable:
    return (edition.updated_at, track.updated_at, organiser.updated_at)


def track_version(session: Session, organiser: Organiser, track: Track, start: date) -> Hashable:
    # Every change in an edition touches its track; the count catches a deleted edition.
    count = session.exec(select(func.count()).select_from(Edition).where(
        Edition.track_id == track.id)).one()
    return (track.updated_at, organiser.updated_at, count, start)


def organiser_version(session: Session, organiser: Organiser, start: date) -> Hashable:
    latest, count = session.exec(select(func.max(Track.updated_at), func.count()).where(
        Track.organiser_id == organiser.id)).one()
    editions = session.exec(select(func.count()).select_from(Edition).join(
        Track, Edition.track_id == Track.id).where(Track.organiser_id == organiser.id)).one()
    return (organiser.updated_at, latest, count, editions, start)


# --- the personal feed ---------------------------------------------------------------------------
@dataclass
class _Personal:
    """Everything a participant's feed depends on, read in a fixed number of queries."""

    participant: Participant
    preference: FeedPreference | None
    enrollments: list[Enrollment]
    editions: dict[int, Edition]
    tracks: dict[int, Track]
    organisers: dict[int, Organiser]
    submissions: dict[int, Submission]

    @property
    def alarm_minutes(self) -> int:
        return self.preference.alarm_minutes if self.preference else DEFAULT_ALARM_MINUTES

    def version(self) -> Hashable:
        return (
            self.participant.language, self.alarm_minutes,
            self.preference.updated_at if self.preference else None,
            tuple((e.edition_id, e.status, e.updated_at) for e in self.enrollments),
            tuple((c.id, c.updated_at) for c in self.editions.values()),
            tuple((t.id, t.updated_at) for t in self.tracks.values()),
            tuple((s.deadline_id, s.submitted_at) for s in self.submissions.values()),
        )


def load_personal(session: Session, participant: Participant) -> _Personal:
    enrollments = list(session.exec(select(Enrollment).where(
        Enrollment.participant_id == participant.id).order_by(Enrollment.edition_id)))
    shown = sorted(e.edition_id for e in enrollments if e.status in TAKING_PART)
    # A draft edition stays out until it is published (its updated_at moves then).
    editions = {c.id: c for c in session.exec(select(Edition).where(
        Edition.id.in_(shown), Edition.draft.is_(False)))} if shown else {}
    tracks = {t.id: t for t in session.exec(select(Track).where(
        Track.id.in_(sorted({c.track_id for c in editions.values()}))))} if editions else {}
    organisers = {o.id: o for o in session.exec(select(Organiser).where(
        Organiser.id.in_(sorted({t.organiser_id for t in tracks.values()}))))} if tracks else {}
    submissions = {s.deadline_id: s for s in session.exec(select(Submission).where(
        Submission.participant_id == participant.id))}
    return _Personal(participant, session.get(FeedPreference, participant.id), enrollments,
                     editions, tracks, organisers, submissions)


def build_personal_feed(session: Session, data: _Personal, *, base_url: str,
                        default_zone: str = "Europe/Amsterdam") -> FeedDocument:
    """The participant's sessions and deadlines, past ones included (no window): their own
    record stays in their calendar."""
    participant = data.participant
    language = participant.language
    t = texts(language)
    rows = load_rows(session, sorted(data.editions), None)
    extensions = {x.deadline_id: x for x in session.exec(select(DeadlineExtension).where(
        DeadlineExtension.participant_id == participant.id))}

    def parents(edition_id: int):
        edition = data.editions[edition_id]
        track = data.tracks[edition.track_id]
        return edition, track, data.organisers[track.organiser_id]

    events = []
    for meeting in rows.meetings:
        event = meeting_event(meeting, *parents(meeting.edition_id), base_url=base_url,
                              language=language, materials=rows.materials.get(meeting.id, ()))
        if data.alarm_minutes:
            add_alarm(event, data.alarm_minutes, language)
        events.append(event)
    for deadline in rows.deadlines:
        extension = extensions.get(deadline.id)
        submission = data.submissions.get(deadline.id)
        events.append(deadline_event(
            deadline, *parents(deadline.edition_id), base_url=base_url, language=language,
            due_date=extension.due_date if extension else None,
            delivered_at=submission.submitted_at if submission else None,
            changed_at=_latest(extension.created_at if extension else None,
                               submission.submitted_at if submission else None)
            if (extension or submission) else None))

    calendar = feed_calendar(
        uid=f"participant-{participant.id}@trajectories",
        name=links.personal_title(language),
        description=_description(t["personal_desc"], t["history"]),
        timezone=_zone_of(data.editions.values(), default_zone),
        events=events, language=language)
    return _document(to_bytes(calendar), _latest(
        data.preference.updated_at if data.preference else None,
        *(e.updated_at for e in data.enrollments),
        *(c.updated_at for c in data.editions.values()),
        *(tr.updated_at for tr in data.tracks.values()),
        *(s.submitted_at for s in data.submissions.values()),
        *(x.created_at for x in extensions.values()),
    ), "agenda.ics")


# --- the per-process cache -----------------------------------------------------------------------
#: How long a worker answers a public feed from memory before it asks the database whether the
#: feed changed. The worker that commits a change forgets at once (handlers below); other workers
#: and hosts follow within this many seconds. Clients poll hourly.
FRESH_SECONDS = 5.0


class FeedCache:
    """Built feeds by key, each kept with the version it was built from (LRU, bounded); and, by
    URL, the feed last served and when its version was last checked. One per app."""

    def __init__(self, size: int = 512):
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[Hashable, FeedDocument]] = OrderedDict()
        self._recent: dict[str, tuple[float, FeedDocument]] = {}
        self._lock = threading.Lock()
        _caches.add(self)

    def recent(self, path: str) -> FeedDocument | None:
        """The feed served at `path` if its version was checked less than FRESH_SECONDS ago."""
        entry = self._recent.get(path)
        if entry is not None and time_now() - entry[0] < FRESH_SECONDS:
            return entry[1]
        return None

    def remember(self, path: str, document: FeedDocument) -> None:
        with self._lock:
            if len(self._recent) >= self.size:
                self._recent.clear()
            self._recent[path] = (time_now(), document)

    def forget_recent(self) -> None:
        """Something changed: check versions again on the next request of every feed."""
        with self._lock:
            self._recent.clear()

    def get(self, key: Hashable, version: Hashable,
            build: Callable[[], FeedDocument]) -> FeedDocument:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                return entry[1]
        document = build()
        with self._lock:
            self._entries[key] = (version, document)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return document

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._recent.clear()


_caches: weakref.WeakSet[FeedCache] = weakref.WeakSet()


def forget_recent_everywhere() -> None:
    """A change was committed in this process (through whichever app or database): every cache
    here checks versions again on its next request."""
    for feed_cache in list(_caches):
        feed_cache.forget_recent()
