"""Publication requests (trajectories.feeds.requests): written with the change, merged per
organiser (newer supersede older), done only once the files are in place; and VEVENT texts
spliced into feeds give the bytes of a whole build (trajectories.feeds.splice)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from time import monotonic as time_now
from time import sleep

import pytest
from sqlalchemy import text
from sqlmodel import select

from tests import factories
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.feeds import publish, requests, splice
from trajectories.feeds.build import build_organiser_feed
from trajectories.feeds.calendar import deadline_event, feed_calendar, meeting_event, to_bytes
from trajectories.feeds.models import PublicationRequest
from trajectories.feeds.rows import load_rows, window_start
from trajectories.schedule import services as schedule
from trajectories.schedule.models import Deadline, Meeting


@pytest.fixture
def app(app_config):
    """An app whose saves leave the track and organiser feeds to a scheduler (none runs here:
    the tests call the publisher themselves)."""
    from tests.conftest import _close
    from trajectories.app import create_app

    application = create_app({**app_config, "feed_publisher": "scheduler"})
    yield application
    _close(application)


@pytest.fixture
def db(app):
    return app.extensions["trajectories.db"]


@pytest.fixture
def s(db):
    with db.session(actor="test") as session:
        yield session


@pytest.fixture
def two(s):
    """VNG with tracks g4gg (edition 2030, a session) and klimaat (edition 2031, a session);
    published once, nothing requested."""
    organiser = factories.organiser(s, slug="vng", name="VNG")
    first = factories.track(s, organiser, slug="g4gg", title="G4GG")
    second = factories.track(s, organiser, slug="klimaat", title="Klimaat")
    editions = [factories.edition(s, t, slug=slug, name=slug)
                for t, slug in ((first, "2030"), (second, "2031"))]
    meetings = [factories.meeting(s, e, title="Kick-off", on_date=date(2030, 4, 13))
                for e in editions]
    s.commit()
    publish.publish_all(s.info["db"], _settings(s))
    s.exec(PublicationRequest.__table__.delete())
    s.commit()
    # Ids, not rows: a row read after the session's rollback would open a transaction (on
    # SQLite, a lock the publisher's session waits for).
    return (Ids(organiser.id), (Ids(first.id), Ids(second.id)), [Ids(e.id) for e in editions],
            [Ids(m.id) for m in meetings])


@dataclass(frozen=True)
class Ids:
    id: int


def _settings(s):
    return publish._settings_for(s.info["db"])


def _root(s) -> Path:
    return Path(_settings(s).calendars_dir)


def _requests(s) -> list[tuple[int, int | None, int | None]]:
    s.rollback()
    found = [(r.organiser_id, r.track_id, r.edition_id) for r in s.exec(
        select(PublicationRequest).order_by(PublicationRequest.id))]
    s.rollback()  # (SQLite: an open read would block the publisher's commit)
    return found


def test_a_change_requests_its_track_and_organiser_feeds_in_its_own_transaction(s, two):
    organiser, (first, _), (edition, _), (meeting, _) = two
    schedule.reschedule_meeting(s, s.get(Meeting, meeting.id), on_date=date(2030, 4, 20),
                                start=time(13, 30), end=time(15, 30))
    assert _requests(s) == [(organiser.id, first.id, edition.id)]
    # The edition feed is written at once; the organiser's waits for the publisher.
    assert "20300420" in (_root(s) / "vng/g4gg/2030.ics").read_text()
    assert "20300420" not in (_root(s) / "vng.ics").read_text()

    assert requests.publish_requested(s.info["db"], _settings(s)) == 1
    assert "20300420" in (_root(s) / "vng.ics").read_text()
    assert "20300420" in (_root(s) / "vng/g4gg.ics").read_text()
    assert _requests(s) == []


def test_a_rolled_back_change_requests_nothing(s, two):
    meeting = s.get(Meeting, two[3][0].id)
    meeting.title = "Niet bewaard"
    s.add(meeting)
    s.flush()
    s.rollback()
    assert _requests(s) == []


def test_newer_requests_of_one_organiser_are_published_in_one_build_from_the_newest_data(
        s, two, monkeypatch):
    organiser, (first, second), _, (meeting, other) = two
    for day in (20, 21, 22):
        schedule.reschedule_meeting(s, s.get(Meeting, meeting.id), on_date=date(2030, 4, day))
    schedule.reschedule_meeting(s, s.get(Meeting, other.id), on_date=date(2030, 5, 2))
    assert len(_requests(s)) == 4
    builds = []
    real = requests._publish_organiser
    monkeypatch.setattr(requests, "_publish_organiser", lambda *a: (builds.append(a[3]),
                                                                     real(*a)))
    requests.publish_requested(s.info["db"], _settings(s))
    [due] = builds
    assert len(due.ids) == 4 and due.tracks == {first.id, second.id}
    body = (_root(s) / "vng.ics").read_text()
    assert "20300422" in body and "20300420" not in body and "20300502" in body
    assert "20300502" in (_root(s) / "vng/klimaat.ics").read_text()


def test_a_publisher_that_fails_mid_way_leaves_every_request_it_did_not_finish(
        s, two, monkeypatch):
    """Organisers are published in the order of their oldest request; one that fails keeps its
    requests (and so do the ones after it), the ones before it are done."""
    _, _, (edition, _), (meeting, _) = two
    later = factories.organiser(s, slug="vvsg", name="VVSG")
    later_meeting = factories.meeting(s, factories.edition(
        s, factories.track(s, later, slug="sdg"), slug="2032"), on_date=date(2032, 1, 5))
    s.commit()
    later, later_meeting = Ids(later.id), Ids(later_meeting.id)
    s.exec(PublicationRequest.__table__.delete())
    s.commit()
    schedule.reschedule_meeting(s, s.get(Meeting, meeting.id), on_date=date(2030, 4, 20))
    schedule.reschedule_meeting(s, s.get(Meeting, later_meeting.id), on_date=date(2032, 1, 6))
    real = requests._publish_organiser

    def fail_on_vvsg(session, settings, organiser_id, due):
        if organiser_id == later.id:
            raise OSError("disk full")
        real(session, settings, organiser_id, due)

    monkeypatch.setattr(requests, "_publish_organiser", fail_on_vvsg)
    with pytest.raises(OSError):
        requests.publish_requested(s.info["db"], _settings(s))
    assert [r[0] for r in _requests(s)] == [later.id]
    monkeypatch.setattr(requests, "_publish_organiser", real)
    assert requests.publish_requested(s.info["db"], _settings(s)) == 1
    assert _requests(s) == []
    assert "20320106" in (_root(s) / "vvsg.ics").read_text()


def test_a_request_made_while_publishing_stays_for_the_next_round(s, two, monkeypatch):
    _, _, _, (meeting, _) = two
    schedule.reschedule_meeting(s, s.get(Meeting, meeting.id), on_date=date(2030, 4, 20))
    real = requests.pending
    db = s.info["db"]

    def save_meanwhile(session):
        due = real(session)
        session.rollback()
        with db.session() as other:  # a save commits after the requests were read
            schedule.reschedule_meeting(other, other.get(Meeting, meeting.id),
                                        on_date=date(2030, 4, 27))
        return due

    monkeypatch.setattr(requests, "pending", save_meanwhile)
    s.rollback()
    requests.publish_requested(db, _settings(s))
    # The build read the newer data, but the later save's request is not taken as done.
    assert "20300427" in (_root(s) / "vng.ics").read_text()
    assert len(_requests(s)) == 1
    monkeypatch.setattr(requests, "pending", real)
    requests.publish_requested(db, _settings(s))
    assert _requests(s) == []


def test_a_saved_track_requests_its_feeds_with_every_edition_feed_of_it(s, two):
    from trajectories.catalogue.events import TrackSaved
    from trajectories.core import events

    organiser, (first, _), _, _ = two
    s.info[events._PENDING] = [TrackSaved(track_id=first.id, organiser_id=organiser.id)]
    try:
        made = requests.request_feeds(s)
    finally:
        s.info.pop(events._PENDING)
    assert [(r.organiser_id, r.track_id, r.edition_id) for r in made] == [
        (organiser.id, first.id, None)]


def test_spliced_vevent_texts_give_the_bytes_of_a_whole_build(s, two):
    organiser, (first, second), editions, _ = two
    edition = s.get(Edition, editions[0].id)
    factories.meeting(s, edition, title="Online", on_date=date(2030, 6, 1))
    s.add(Deadline(edition_id=edition.id, title="Plan", due_date=date(2030, 5, 1)))
    s.commit()
    splice.clear()
    organiser = s.get(Organiser, organiser.id)
    tracks = {t.id: s.get(Track, t.id) for t in (first, second)}
    all_editions = {e.id: s.get(Edition, e.id) for e in editions}
    rows = load_rows(s, sorted(all_editions), window_start())
    events = [meeting_event(m, all_editions[m.edition_id],
                            tracks[all_editions[m.edition_id].track_id], organiser,
                            base_url="https://x.example", materials=rows.materials.get(m.id, ()))
              for m in rows.meetings]
    events += [deadline_event(d, all_editions[d.edition_id],
                              tracks[all_editions[d.edition_id].track_id], organiser,
                              base_url="https://x.example") for d in rows.deadlines]
    whole = to_bytes(feed_calendar(uid="u", name="n", description="d",
                                   timezone="Europe/Amsterdam", events=events))
    spliced = splice.feed_bytes(uid="u", name="n", description="d", timezone="Europe/Amsterdam",
                                texts=[splice.EventText(*_text(e)) for e in events])
    assert spliced == whole
    # And the organiser feed built twice (the second time from kept texts) is the same.
    first_build = build_organiser_feed(s, organiser, base_url="https://x.example",
                                       start=window_start())
    assert build_organiser_feed(s, organiser, base_url="https://x.example",
                                start=window_start()).body == first_build.body


def _text(event):
    from trajectories.feeds.calendar import event_years, sort_key

    start = event.start
    return (sort_key(event), getattr(getattr(start, "tzinfo", None), "key", None),
            event_years(event), event.to_ical())


def test_a_kept_vevent_text_is_built_anew_when_anything_it_shows_changed(s, two):
    _, _, _, (meeting, _) = two
    splice.clear()
    db = s.info["db"]
    requests.publish_requested(db, _settings(s))
    meeting = s.get(Meeting, meeting.id)
    meeting.title = "Nieuwe titel"  # even without moving updated_at
    s.add(meeting)
    s.commit()
    publish.publish_all(db, _settings(s))
    assert "Nieuwe titel" in (_root(s) / "vng.ics").read_text()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite has no NOTIFY
def test_on_postgresql_a_committed_change_wakes_the_publisher_without_waiting_for_its_poll(
        s, two):
    db, stop = s.info["db"], threading.Event()
    publisher = threading.Thread(target=requests.run_publisher,
                                 args=(db, _settings(s), stop, 3600))  # an hour between looks
    publisher.start()
    try:
        # The second change is made while the publisher waits (the first may meet its first look).
        for day in (20, 21):
            schedule.reschedule_meeting(s, s.get(Meeting, two[3][0].id),
                                        on_date=date(2030, 4, day))
            s.rollback()
            deadline = time_now() + 30
            while f"DTSTART;TZID=Europe/Amsterdam:203004{day}" not in \
                    (_root(s) / "vng.ics").read_text() and time_now() < deadline:
                sleep(0.05)
            assert f"203004{day}" in (_root(s) / "vng.ics").read_text()
    finally:
        stop.set()
        s.execute(text(f"NOTIFY {requests.CHANNEL}"))
        s.commit()
        publisher.join(30)
    assert not publisher.is_alive()
    assert _requests(s) == []
