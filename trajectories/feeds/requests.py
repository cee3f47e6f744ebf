"""Publication requests: which track and organiser feed files a change made stale, recorded in the
change's own transaction, and the one publisher that writes them.

Every commit that records an event wired to `publish.republish_edition` or `republish_track`
adds `PublicationRequest` rows (before the commit, so the change and its request commit or roll
back together). `publish_requested` reads the rows, merges them per organiser (a newer request
supersedes the older ones: one build, from the data as it is now, which includes every change
whose request was read), writes the files by rename, and only then deletes the rows it read. A
publisher killed mid-way leaves them for the next one: nothing is lost, and since each build
reads the database after the requests it answers, no file goes back to older data.

Who publishes (`Settings.feed_publisher`): "scheduler" — the scheduler's leader runs
`run_publisher` in a thread beside its keeper (one publisher per database, so no two writers
race); "web" — the saving process's background thread (`publish.Background`), for
`trajectories serve` without --scheduler and for tests with only an app. The leader publishes
whatever is requested in either mode.

Wake-up: on PostgreSQL a commit that adds requests also sends `NOTIFY feed_requests` (delivered
only if it commits), and the publisher, listening on its own connection, starts at once; it
still looks every POLL_SECONDS (SQLite, a notification lost with a dropped connection). The rows
remain the only record of what is due: a notification just says "look now".
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import psycopg
from sqlalchemy import delete, text
from sqlalchemy import event as sa_event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.core import events
from trajectories.core.config import Settings
from trajectories.feeds import publish
from trajectories.feeds.models import PublicationRequest

log = logging.getLogger(__name__)

#: How often the leader looks for requests (seconds) without a notification: a reschedule's
#: track and organiser feeds are written well within a second of the save.
POLL_SECONDS = 0.2
#: The PostgreSQL channel a commit with publication requests notifies.
CHANNEL = "feed_requests"


# --- writing requests with the change ------------------------------------------------------------
def request_feeds(session: OrmSession) -> list[PublicationRequest]:
    """The requests for the feeds this transaction's pending events make stale (not added)."""
    pending = session.info.get(events._PENDING) or ()
    wiring = events.subscriptions()
    wanted: dict[tuple[int, int, int | None], None] = {}
    for domain_event in pending:
        kinds = {getattr(h, "publishes", None) for h in wiring.get(type(domain_event), ())}
        if "edition" in kinds:
            edition = session.get(Edition, domain_event.edition_id)
            if edition is None or edition.draft:
                continue
            track_id, edition_id = edition.track_id, edition.id
        elif "track" in kinds:
            track_id, edition_id = domain_event.track_id, None
        else:
            continue
        track = session.get(Track, track_id)
        if track is not None:
            wanted[(track.organiser_id, track.id, edition_id)] = None
    return [PublicationRequest(organiser_id=o, track_id=t, edition_id=e) for o, t, e in wanted]


@sa_event.listens_for(OrmSession, "before_commit")
def _before_commit(session: OrmSession) -> None:
    if session.in_nested_transaction() or not session.info.get(events._PENDING):
        return
    if publish._settings_for(session.info.get("db")) is None:
        return  # a bare session (no app): nothing is published
    requests = request_feeds(session)
    if requests:
        session.add_all(requests)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"NOTIFY {CHANNEL}"))


# --- publishing them -----------------------------------------------------------------------------
@dataclass
class _Due:
    """What the requests of one organiser ask for, merged."""

    ids: list[int] = field(default_factory=list)
    tracks: set[int] = field(default_factory=set)
    editions: set[int] = field(default_factory=set)
    whole_tracks: set[int] = field(default_factory=set)


def pending(session) -> dict[int, _Due]:
    """The requests per organiser, in the order of each organiser's oldest request."""
    due: dict[int, _Due] = {}
    for request in session.exec(select(PublicationRequest).order_by(PublicationRequest.id)):
        entry = due.setdefault(request.organiser_id, _Due())
        entry.ids.append(request.id)
        if request.track_id is not None:
            entry.tracks.add(request.track_id)
            if request.edition_id is not None:
                entry.editions.add(request.edition_id)
            else:
                entry.whole_tracks.add(request.track_id)
    return due


def _publish_organiser(session, settings: Settings, organiser_id: int, due: _Due) -> None:
    organiser = session.get(Organiser, organiser_id)
    if organiser is None:  # deleted: `publish-calendars` removes its files
        return
    publisher = publish.Publisher(session, settings)
    tracks = {t.id: t for t in session.exec(select(Track).where(
        Track.id.in_(sorted(due.tracks)), Track.organiser_id == organiser.id))}
    editions = session.exec(select(Edition).where(
        Edition.draft.is_(False),
        Edition.id.in_(sorted(due.editions)) | Edition.track_id.in_(sorted(due.whole_tracks))
    ).order_by(Edition.id)).all() if due.tracks else []
    # The edition feeds again too: the saving process wrote them at once, but two processes may
    # have written them out of order; this write reads the newest data (a no-op when equal).
    for edition in editions:
        if edition.track_id in tracks:
            publisher.edition(organiser, tracks[edition.track_id], edition)
    rows = publisher.rows(organiser)
    for track_id in sorted(tracks):
        publisher.track(organiser, tracks[track_id], rows)
    publisher.organiser(organiser, rows)


def publish_requested(db, settings: Settings, stop=None) -> int:
    """Write every requested feed; the requests read are deleted per organiser once its files
    are in place. Returns the number of organisers published. `stop()`: give up between
    organisers (the rest stay requested)."""
    done = 0
    with db.session() as session:
        due = pending(session)
        session.rollback()  # each organiser's build reads the data as it is now
        for organiser_id, entry in due.items():
            if stop is not None and stop():
                break
            _publish_organiser(session, settings, organiser_id, entry)
            session.exec(delete(PublicationRequest).where(
                PublicationRequest.id.in_(entry.ids)))
            session.commit()
            session.expunge_all()
            done += 1
    return done


class _Wakeup:
    """Waits until a commit notifies CHANNEL or `timeout` passes (PostgreSQL: on a connection of
    its own, listening from before the first look, so no request goes unnoticed; SQLite, or
    while that connection is down: the timeout alone)."""

    def __init__(self, database_url: str):
        url = make_url(database_url)
        self.conninfo = None if url.drivername.startswith("sqlite") else \
            url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection = None
        self._listen()

    def _listen(self) -> None:
        if self.conninfo is None or self.connection is not None:
            return
        try:
            self.connection = psycopg.connect(self.conninfo, autocommit=True)
            self.connection.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            log.warning("cannot listen for publication requests; polling", exc_info=True)
            self.close()

    def wait(self, stop_event: threading.Event, timeout: float) -> None:
        self._listen()
        if self.connection is None:
            stop_event.wait(timeout)
            return
        try:
            for _ in self.connection.notifies(timeout=timeout, stop_after=1):
                pass
        except psycopg.Error:
            log.warning("lost the connection listening for publication requests", exc_info=True)
            self.close()
            stop_event.wait(timeout)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None


def run_publisher(db, settings: Settings, stop_event: threading.Event,
                  poll_seconds: float = POLL_SECONDS) -> None:
    """The scheduler leader's publisher thread: publishes requests until `stop_event`, as soon
    as a commit notifies them, or every `poll_seconds`."""
    wakeup = _Wakeup(db.url)
    try:
        while not stop_event.is_set():
            try:
                publish_requested(db, settings, stop=stop_event.is_set)
            except Exception:
                log.exception("publishing the requested feeds failed; trying again")
                stop_event.wait(5)
            wakeup.wait(stop_event, poll_seconds)
    finally:
        wakeup.close()


# Where no scheduler publishes, the saving process's background thread writes the requests.
publish.background.publish = publish_requested
