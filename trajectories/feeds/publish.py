"""Publishing the public feeds as files under `calendars/`, so nginx serves them from disk at the
same paths the app serves (`/feeds/<path>` ↔ `calendars/<path>`, see docs/deploy.md).

Every committed change rewrites the affected feeds (edition, track, organiser) through the
after-commit handlers below; each file is written to a temporary file beside it and renamed over
the old one, so a reader never sees half a feed. Its modification time is the feed's
Last-Modified, so nginx answers If-Modified-Since like the app does. `trajectories
publish-calendars` rebuilds them all and removes feeds of editions that no longer exist; run it
daily too (cron or a systemd timer), since the one-year window moves with the date.
"""

from __future__ import annotations

import logging
import os
import tempfile
import weakref
from pathlib import Path

from sqlmodel import Session, select

from .. import events
from ..config import Settings
from ..models import Cohort, Organiser, Track
from . import build, links

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
        self.start = build.window_start()

    def _write(self, path: str, document: build.FeedDocument) -> None:
        write_atomic(self.root / path, document.body, document.last_modified.timestamp())

    def _common(self) -> dict:
        return {"base_url": self.settings.base_url, "start": self.start}

    def organiser(self, organiser: Organiser) -> None:
        self._write(links.organiser_path(organiser), build.build_organiser_feed(
            self.session, organiser, default_zone=self.settings.timezone, **self._common()))

    def track(self, organiser: Organiser, track: Track) -> None:
        self._write(links.track_path(organiser, track), build.build_track_feed(
            self.session, organiser, track, default_zone=self.settings.timezone,
            **self._common()))

    def cohort(self, organiser: Organiser, track: Track, cohort: Cohort) -> None:
        self._write(links.cohort_path(organiser, track, cohort), build.build_cohort_feed(
            self.session, organiser, track, cohort, **self._common()))

    def remove(self, path: str) -> None:
        (self.root / path).unlink(missing_ok=True)

    def everything(self) -> int:
        """Every public feed; removes .ics files of feeds that no longer exist."""
        wanted: set[Path] = set()
        for organiser in self.session.exec(select(Organiser)):
            self.organiser(organiser)
            wanted.add(self.root / links.organiser_path(organiser))
            for track in self.session.exec(select(Track).where(
                    Track.organiser_id == organiser.id)):
                self.track(organiser, track)
                wanted.add(self.root / links.track_path(organiser, track))
                for cohort in self.session.exec(select(Cohort).where(
                        Cohort.track_id == track.id)):
                    self.cohort(organiser, track, cohort)
                    wanted.add(self.root / links.cohort_path(organiser, track, cohort))
        if self.root.exists():
            for stale in self.root.rglob("*.ics"):
                if stale not in wanted:
                    stale.unlink()
        return len(wanted)


def publish_all(db, settings: Settings) -> int:
    with db.session() as session:
        return Publisher(session, settings).everything()


# --- after-commit handlers -----------------------------------------------------------------------
def _settings_for(db) -> Settings | None:
    return _settings.get(db) if db is not None else None


def _publish_cohort(db, cohort_id: int) -> None:
    settings = _settings_for(db)
    if settings is None:
        return
    with db.session() as session:
        cohort = session.get(Cohort, cohort_id)
        if cohort is None:
            return
        track = session.get(Track, cohort.track_id)
        organiser = session.get(Organiser, track.organiser_id)
        publisher = Publisher(session, settings)
        publisher.cohort(organiser, track, cohort)
        publisher.track(organiser, track)
        publisher.organiser(organiser)


@events.subscribe(events.CohortSaved, events.MeetingPlanned, events.MeetingChanged,
                  events.MeetingRescheduled, events.MeetingCancelled, events.DeadlineSet,
                  events.DeadlineRemoved, events.DeadlineExtended)
def republish_cohort(event, db) -> None:
    """An edition, its sessions or deadlines changed: its feed, its track's and organiser's."""
    _publish_cohort(db, event.cohort_id)


@events.subscribe(events.TrackSaved)
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
        for cohort in session.exec(select(Cohort).where(Cohort.track_id == track.id)):
            publisher.cohort(organiser, track, cohort)
        publisher.track(organiser, track)
        publisher.organiser(organiser)


@events.subscribe(events.CohortDeleted)
def unpublish_cohort(event, db) -> None:
    """A deleted edition's feed disappears; its track and organiser feeds lose its entries."""
    settings = _settings_for(db)
    if settings is None:
        return
    with db.session() as session:
        publisher = Publisher(session, settings)
        publisher.remove(f"{event.organiser_slug}/{event.track_slug}/{event.cohort_slug}.ics")
        track = session.get(Track, event.track_id)
        organiser = session.get(Organiser, event.organiser_id)
        if organiser is not None:
            if track is not None:
                publisher.track(organiser, track)
            publisher.organiser(organiser)
