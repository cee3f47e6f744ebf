"""The feeds themselves: which editions and entries each holds, its bytes, ETag and
Last-Modified, and its *version*.

A feed is built once per change, not once per request. Each feed has a cheap version (the
`updated_at` columns the services move forward on every change, and the window's first day); the
bytes are cached per process under that version (`trajectories.feeds.cache`), so an unchanged
feed costs one small query.

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
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial

from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.feeds import links, splice
from trajectories.feeds.calendar import (
    deadline_entry,
    meeting_entry,
    page_url,
    with_alarm,
)
from trajectories.feeds.models import DEFAULT_ALARM_MINUTES, FeedPreference
from trajectories.feeds.rows import Rows, load_rows
from trajectories.feeds.texts import texts
from trajectories.people.models import TAKING_PART, Enrollment, Participant, Submission
from trajectories.people.queries import team_submissions
from trajectories.schedule.models import Deadline, DeadlineExtension, DeliveredBy


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


def _document(body: bytes, last_modified: datetime, filename: str) -> FeedDocument:
    return FeedDocument(body, hashlib.sha256(body).hexdigest(), last_modified, filename)


def _public_events(rows: Rows, editions: dict[int, Edition], tracks: dict[int, Track],
                   organiser: Organiser, base_url: str, language: str):
    """The VEVENT texts of `rows`; each is built once per change (`splice.public_text`: a public
    entry's VEVENT is the same in every feed), and looked up once per Rows."""
    for meeting in rows.meetings:
        key = ("meeting", meeting.id, base_url, language)
        if key not in rows.events:
            edition = editions[meeting.edition_id]
            track = tracks[edition.track_id]
            materials = rows.materials.get(meeting.id, ())
            rows.events[key] = splice.public_text(
                splice.meeting_key(meeting, materials, edition, track, organiser, base_url,
                                   language),
                partial(meeting_entry, meeting, edition, track, organiser, base_url=base_url,
                        language=language, materials=materials))
        yield rows.events[key]
    for deadline in rows.deadlines:
        key = ("deadline", deadline.id, base_url, language)
        if key not in rows.events:
            edition = editions[deadline.edition_id]
            track = tracks[edition.track_id]
            rows.events[key] = splice.public_text(
                splice.deadline_key(deadline, edition, track, organiser, base_url, language),
                partial(deadline_entry, deadline, edition, track, organiser,
                        base_url=base_url, language=language))
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
    body = splice.feed_bytes(
        # The calendar's UID predates the word "edition": subscribers keep it.
        uid=f"cohort-{edition.id}@trajectories",
        name=links.edition_title(track, edition, language),
        description=_description(
            t["edition_desc"].format(track=track.title, edition=edition.name,
                                    organiser=organiser.name),
            t["history"]),
        timezone=edition.timezone,
        texts=_public_events(rows, {edition.id: edition}, {track.id: track}, organiser,
                              base_url, language),
        language=language)
    return _document(body,
                     _latest(edition.updated_at, track.updated_at, organiser.updated_at,
                             rows.dropped_at),
                     links.edition_path(organiser, track, edition).rsplit("/", 1)[-1])


def _zone_of(editions: Iterable[Edition], default: str) -> str:
    zones = sorted({c.timezone for c in editions})
    return zones[0] if len(zones) == 1 else default


def build_track_feed(session: Session, organiser: Organiser, track: Track, *, base_url: str,
                     start: date, default_zone: str = "Europe/Amsterdam",
                     language: str = "nl", rows: Rows | None = None,
                     editions: Iterable[Edition] | None = None) -> FeedDocument:
    """`editions`: the track's published editions, when the caller has them already."""
    t = texts(language)
    if editions is None:
        editions = session.exec(select(Edition).where(Edition.track_id == track.id,
                                                      Edition.draft.is_(False)))
    editions = {c.id: c for c in editions}
    rows = load_rows(session, sorted(editions), start) if rows is None else rows.of(editions)
    body = splice.feed_bytes(
        uid=f"track-{track.id}@trajectories",
        name=links.track_title(track, language),
        description=_description(
            t["track_desc"].format(track=track.title, organiser=organiser.name),
            t["window"].format(url=page_url(base_url, organiser, track))),
        timezone=_zone_of(editions.values(), default_zone),
        texts=_public_events(rows, editions, {track.id: track}, organiser, base_url, language),
        language=language)
    return _document(body,
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
    body = splice.feed_bytes(
        uid=f"organiser-{organiser.id}@trajectories",
        name=links.organiser_title(organiser, language),
        description=_description(
            t["organiser_desc"].format(organiser=organiser.name),
            t["window"].format(url=f"{base_url.rstrip('/')}/{organiser.slug}/")),
        timezone=_zone_of(editions.values(), default_zone),
        texts=_public_events(rows, editions, tracks, organiser, base_url, language),
        language=language)
    return _document(body,
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
    #: Deadlines delivered per municipality that a colleague handed in: {deadline_id:
    #: (submission, colleague's name, municipality's name)}; done for the whole team.
    team: dict[int, tuple[Submission, str, str]]

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
            tuple((d, s.id, s.submitted_at) for d, (s, _, _) in self.team.items()),
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
    team = {}
    if editions and participant.organisation_id is not None:
        team = team_submissions(session, participant, list(session.exec(select(Deadline).where(
            Deadline.edition_id.in_(sorted(editions)),
            Deadline.delivered_by == DeliveredBy.ORGANISATION,
            Deadline.id.not_in(sorted(submissions))))))
    return _Personal(participant, session.get(FeedPreference, participant.id), enrollments,
                     editions, tracks, organisers, submissions, team)


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

    entries = []
    for meeting in rows.meetings:
        entry = meeting_entry(meeting, *parents(meeting.edition_id), base_url=base_url,
                              language=language, materials=rows.materials.get(meeting.id, ()))
        if data.alarm_minutes:
            entry = with_alarm(entry, data.alarm_minutes, language)
        entries.append(entry)
    for deadline in rows.deadlines:
        extension = extensions.get(deadline.id)
        submission = data.submissions.get(deadline.id)
        team = None if submission else data.team.get(deadline.id)
        if team:
            submission = team[0]
        entries.append(deadline_entry(
            deadline, *parents(deadline.edition_id), base_url=base_url, language=language,
            due_date=extension.due_date if extension else None,
            delivered_at=submission.submitted_at if submission else None,
            delivered_by_team=team[2] if team else None,
            changed_at=_latest(extension.created_at if extension else None,
                               submission.submitted_at if submission else None)
            if (extension or submission) else None))

    body = splice.feed_bytes(
        uid=f"participant-{participant.id}@trajectories",
        name=links.personal_title(language),
        description=_description(t["personal_desc"], t["history"]),
        timezone=_zone_of(data.editions.values(), default_zone),
        texts=map(splice.entry_text, entries), language=language)
    return _document(body, _latest(
        data.preference.updated_at if data.preference else None,
        *(e.updated_at for e in data.enrollments),
        *(c.updated_at for c in data.editions.values()),
        *(tr.updated_at for tr in data.tracks.values()),
        *(s.submitted_at for s in data.submissions.values()),
        *(s.submitted_at for s, _, _ in data.team.values()),
        *(x.created_at for x in extensions.values()),
    ), "agenda.ics")
