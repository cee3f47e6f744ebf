"""Publishing the public feeds as files under `calendars/`, so nginx serves them from disk at the
same paths the app serves (`/feeds/<path>` ↔ `calendars/<path>`, see docs/deploy.md).

Every committed change rewrites the affected feeds: the edition's feed at once, through the
after-commit handlers below (wired in `trajectories.app`); its track's and organiser's are
requested in the change's transaction and written by one publisher (`requests`: the scheduler's
leader, or with `Settings.feed_publisher == "web"` the `Background` thread here; `wait_idle()`
waits for it), since an organiser feed of thousands of entries is too big for a save to wait on. A publish run loads an organiser's rows once and builds each VEVENT once for all the feeds
that show it (`rows.Rows`). Each file is written to a temporary file beside it and renamed over
the old one, so a reader never sees half a feed. Its modification time is the feed's
Last-Modified, so nginx answers If-Modified-Since like the app does. `trajectories
publish-calendars` rebuilds them all and removes feeds of editions that no longer exist; run it
daily too (cron or a systemd timer), since the one-year window of the track and organiser feeds
moves with the date (edition feeds keep their whole history).
"""

from __future__ import annotations

import atexit
import logging
import os
import tempfile
import threading
import weakref
from pathlib import Path

from sqlalchemy import delete, func
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.core.config import Settings
from trajectories.feeds import build, links
from trajectories.feeds.models import PublicationRequest
from trajectories.feeds.rows import Rows, load_rows, window_start

log = logging.getLogger(__name__)

#: Which settings (calendars_dir, base_url) each app's database publishes with. A database
#: without an app (a bare test session) publishes nothing.
_settings: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def configure(db, settings: Settings) -> None:
    _settings[db] = settings


def write_atomic(path: Path, body: bytes, mtime: float) -> bool:
    """Write `body` to `path` by rename; False when the file already held exactly this."""
    try:
        stat = path.stat()
        if stat.st_size == len(body) and int(stat.st_mtime) == int(mtime) \
                and path.read_bytes() == body:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # No fsync: feeds are a cache that `publish-calendars` rebuilds (after a crash too), and
        # an fsync per feed on every save made coordinators wait on the disk.
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.chmod(tmp, 0o644)
        os.utime(tmp, (mtime, mtime))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


class Publisher:
    """Writes public feeds of one database into one calendars directory."""

    def __init__(self, session: Session, settings: Settings):
        self.session = session
        self.settings = settings
        self.root = Path(settings.calendars_dir)
        self.start = window_start()

    def _write(self, path: str, document: build.FeedDocument) -> None:
        write_atomic(self.root / path, document.body, document.last_modified.timestamp())

    def _common(self) -> dict:
        return {"base_url": self.settings.base_url, "start": self.start}

    def rows(self, organiser: Organiser, *, whole: bool = False) -> Rows:
        """The entries of an organiser's feed (its window), to share with its track feeds;
        `whole`: every entry, for the edition feeds too (window them with `Rows.since`)."""
        edition_ids = select(Edition.id).join(Track, Edition.track_id == Track.id).where(
            Track.organiser_id == organiser.id, Edition.draft.is_(False))
        return load_rows(self.session, edition_ids, None if whole else self.start)

    def organiser(self, organiser: Organiser, rows: Rows | None = None) -> None:
        self._write(links.organiser_path(organiser), build.build_organiser_feed(
            self.session, organiser, default_zone=self.settings.timezone, rows=rows,
            **self._common()))

    def track(self, organiser: Organiser, track: Track, rows: Rows | None = None,
              editions: list[Edition] | None = None) -> None:
        self._write(links.track_path(organiser, track), build.build_track_feed(
            self.session, organiser, track, default_zone=self.settings.timezone, rows=rows,
            editions=editions, **self._common()))

    def edition(self, organiser: Organiser, track: Track, edition: Edition,
               rows: Rows | None = None) -> None:
        self._write(links.edition_path(organiser, track, edition), build.build_edition_feed(
            self.session, organiser, track, edition, rows=rows,
            base_url=self.settings.base_url))

    def everything(self) -> int:
        """Every public feed; removes .ics files of feeds that no longer exist."""
        wanted: set[Path] = set()
        for organiser in self.session.exec(select(Organiser)).all():
            whole = self.rows(organiser, whole=True)
            rows = whole.since(self.start)
            self.organiser(organiser, rows)
            wanted.add(self.root / links.organiser_path(organiser))
            tracks = self.session.exec(select(Track).where(
                Track.organiser_id == organiser.id)).all()
            editions: dict[int, list[Edition]] = {t.id: [] for t in tracks}
            for edition in self.session.exec(select(Edition).join(
                    Track, Edition.track_id == Track.id).where(
                    Track.organiser_id == organiser.id, Edition.draft.is_(False))):
                editions[edition.track_id].append(edition)
            for track in tracks:
                self.track(organiser, track, rows, editions[track.id])
                wanted.add(self.root / links.track_path(organiser, track))
                for edition in editions[track.id]:
                    self.edition(organiser, track, edition, whole)
                    wanted.add(self.root / links.edition_path(organiser, track, edition))
        if self.root.exists():
            for stale in self.root.rglob("*.ics"):
                if stale not in wanted:
                    stale.unlink()
        return len(wanted)


def publish_all(db, settings: Settings) -> int:
    """Every public feed; the publication requests made before it started are done then."""
    with db.session() as session:
        last = session.exec(select(func.max(PublicationRequest.id))).one()
        session.rollback()  # the feeds read the data as it is now
        count = Publisher(session, settings).everything()
        if last is not None:
            session.exec(delete(PublicationRequest).where(PublicationRequest.id <= last))
            session.commit()
        return count


# --- the background publisher (TRAJECTORIES_FEED_PUBLISHER=web) ------------------------------------
class Background:
    """One thread per process that publishes the requested track and organiser feeds after
    changes (`requests.publish_requested`), so a save returns once its edition's feed is written
    (an organiser feed of thousands of entries takes a while). Only where no scheduler publishes
    (`Settings.feed_publisher == "web"`: `trajectories serve` without --scheduler, tests);
    several processes doing this can race, the scheduler's single publisher cannot."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        #: Databases with requests to publish, in order.
        self._pending: dict[object, None] = {}
        self._busy = False
        self._thread: threading.Thread | None = None
        #: What writes one database's requested feeds: `requests.publish_requested`, set when
        #: that module loads (it builds with this module's Publisher).
        self.publish = None

    def submit(self, db) -> None:
        with self._changed:
            self._pending[db] = None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="publish-feeds",
                                                daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is pending or being written; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._pending and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending)
                db = next(iter(self._pending))
                del self._pending[db]
                self._busy = True
            try:
                settings = _settings_for(db)
                if settings is not None and self.publish is not None:
                    self.publish(db, settings)
            except Exception:  # the requests stay: the next change or publisher writes them
                log.exception("publishing the requested feeds failed")
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()


background = Background()
wait_idle = background.wait_idle
# A forked worker starts with nothing pending and no thread (the parent keeps its own).
os.register_at_fork(after_in_child=background.__init__)
# A command that changed something (and exits) still writes the feeds it made stale.
atexit.register(wait_idle, 120)


# --- after-commit handlers -----------------------------------------------------------------------
def _settings_for(db) -> Settings | None:
    return _settings.get(db) if db is not None else None


def _in_background(db, settings: Settings) -> None:
    """The track and organiser feeds: requested in the change's transaction already
    (`requests`); published here only when no scheduler does."""
    if settings.feed_publisher == "web":
        background.submit(db)


def republish_edition(event, db) -> None:
    """An edition, its sessions or deadlines changed: its feed now; its track's and organiser's
    by the publisher (requested in the same transaction)."""
    settings = _settings_for(db)
    if settings is None:
        return
    with db.session() as session:
        edition = session.get(Edition, event.edition_id)
        if edition is None or edition.draft:  # a draft has no public feed until it is published
            return
        track = session.get(Track, edition.track_id)
        organiser = session.get(Organiser, track.organiser_id)
        Publisher(session, settings).edition(organiser, track, edition)
    _in_background(db, settings)


def republish_track(event, db) -> None:
    """Every entry carries the track's name: all its feeds change."""
    settings = _settings_for(db)
    if settings is None:
        return
    with db.session() as session:
        track = session.get(Track, event.track_id)
        if track is None:
            return
        organiser = session.get(Organiser, track.organiser_id)
        publisher = Publisher(session, settings)
        for edition in session.exec(select(Edition).where(Edition.track_id == track.id,
                                                        Edition.draft.is_(False))):
            publisher.edition(organiser, track, edition)
    _in_background(db, settings)


#: What the publication requests of each handler's events name (`requests.request_feeds`).
republish_edition.publishes = "edition"
republish_track.publishes = "track"
