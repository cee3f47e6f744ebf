"""The scheduler's leader publishes track and organiser feeds (real `trajectories scheduler`
processes): a reschedule saved through the web app's database ends up in the track and organiser
feed files the scheduler writes; a leader killed with SIGKILL in the middle of publishing leaves
the request to the next leader, which writes it."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from tests import factories
from tests.scheduler_processes import Schedulers, wait
from trajectories.app import create_app
from trajectories.catalogue.models import Edition
from trajectories.feeds import publish
from trajectories.feeds.models import PublicationRequest
from trajectories.schedule import services as schedule
from trajectories.schedule.models import Meeting

pytestmark = pytest.mark.slow


@pytest.fixture
def app(app_config):
    from tests.conftest import _close

    application = create_app({**app_config, "feed_publisher": "scheduler"})
    yield application
    _close(application)


def _schedulers(app, db, smtp_sink, tmp_path) -> Schedulers:
    schedulers = Schedulers(db, smtp_sink, tmp_path)
    schedulers.env.update({"TRAJECTORIES_CALENDARS_DIR": str(_root(app)),
                           "TRAJECTORIES_FEED_PUBLISHER": "scheduler"})
    return schedulers


def _root(app) -> Path:
    return Path(app.config["SETTINGS"].calendars_dir)


def _requests(db) -> int:
    with db.session() as session:
        return session.exec(select(func.count()).select_from(PublicationRequest)).one()


def _holds(path: Path, text: str) -> bool:
    try:
        return text in path.read_text()
    except FileNotFoundError:
        return False


def _many_editions(session, track, count: int, sessions: int = 8) -> None:
    """`count` editions of `track` with sessions ahead, written directly (no requests)."""
    editions = [Edition(track_id=track.id, slug=f"bulk-{n}", name=f"Editie {n}",
                        coordinator_email="coordinator@vng.example") for n in range(count)]
    session.add_all(editions)
    session.flush()
    first = date.today() + timedelta(days=30)
    for n, edition in enumerate(editions):
        for number in range(sessions):
            day = first + timedelta(days=n % 60 + 14 * number)
            start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)
            session.add(Meeting(edition_id=edition.id, title=f"Bijeenkomst {number + 1}",
                                on_date=day, starts_at=start, ends_at=start + timedelta(hours=2)))
    session.commit()


def test_a_reschedule_saved_in_the_web_app_is_published_by_the_scheduler(
        app, smtp_sink, tmp_path):
    db = app.extensions["trajectories.db"]
    with db.session(actor="test") as s:
        organiser = factories.organiser(s, slug="vng", name="VNG")
        track = factories.track(s, organiser, slug="g4gg")
        edition = factories.edition(s, track, slug="2030")
        meeting_id = factories.meeting(s, edition, on_date=date(2030, 4, 13)).id
    publish.publish_all(db, app.config["SETTINGS"])
    organiser_file, track_file, edition_file = (
        _root(app) / p for p in ("vng.ics", "vng/g4gg.ics", "vng/g4gg/2030.ics"))
    schedulers = _schedulers(app, db, smtp_sink, tmp_path)
    try:
        leader = schedulers.start()
        assert wait(lambda: schedulers.leader_pid() == leader.pid, 60), schedulers.log(leader)
        with db.session(actor="test") as s:  # what the coordinator's save calls
            schedule.reschedule_meeting(s, s.get(Meeting, meeting_id), on_date=date(2030, 4, 20))
        saved = time.monotonic()
        assert _holds(edition_file, "20300420")  # written by the saving process at once
        assert wait(lambda: _holds(organiser_file, "20300420")
                    and _holds(track_file, "20300420"), 30), schedulers.log(leader)
        print(f"track and organiser feeds written {time.monotonic() - saved:.2f} s after the save")
        assert wait(lambda: _requests(db) == 0, 10)
    finally:
        schedulers.stop_all()
    # Nothing else ran here: the web process wrote only the edition's feed.
    assert not publish.background._pending


def test_a_leader_killed_while_publishing_leaves_the_request_to_the_next_leader(
        app, smtp_sink, tmp_path):
    db = app.extensions["trajectories.db"]
    with db.session(actor="test") as s:
        organiser = factories.organiser(s, slug="vng", name="VNG")
        small = factories.track(s, organiser, slug="klein")
        edition = factories.edition(s, small, slug="2030")
        meeting_id = factories.meeting(s, edition, on_date=date(2030, 4, 13)).id
        # A big track makes the organiser's feed slow to build in a fresh process.
        _many_editions(s, factories.track(s, organiser, slug="groot"), 250)
    publish.publish_all(db, app.config["SETTINGS"])
    organiser_file, track_file = _root(app) / "vng.ics", _root(app) / "vng/klein.ics"
    schedulers = _schedulers(app, db, smtp_sink, tmp_path)
    try:
        first = schedulers.start()
        assert wait(lambda: schedulers.leader_pid() == first.pid, 60), schedulers.log(first)
        with db.session(actor="test") as s:
            schedule.reschedule_meeting(s, s.get(Meeting, meeting_id), on_date=date(2030, 4, 20))
        # Kill it as soon as it wrote the track's feed (before the organiser's, if in time).
        assert wait(lambda: _holds(track_file, "20300420"), 30, every=0.005), \
            schedulers.log(first)
        schedulers.kill(first)
        mid_way = not _holds(organiser_file, "20300420")
        left = _requests(db)
        # Never marked done before its files are in place.
        assert left == 1 if mid_way else left in (0, 1)
        print(f"killed {'mid-way' if mid_way else 'after the organiser feed'}; "
              f"{left} request left")
        second = schedulers.start()
        assert wait(lambda: schedulers.leader_pid() == second.pid, 60), schedulers.log(second)
        assert wait(lambda: _holds(organiser_file, "20300420") and _requests(db) == 0, 60), \
            schedulers.log(second)
    finally:
        schedulers.stop_all()
