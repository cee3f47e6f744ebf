"""Serving and publishing feeds: headers, 304s, HEAD, tokens, files under calendars/, pages that
advertise their feeds."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update
from sqlmodel import select

from tests import factories
from tests.feeds_helpers import parse_both, vevents
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.feeds import cache, personal_feed_path, publish, rotate_feed_token  # package API
from trajectories.feeds.models import PublicationRequest
from trajectories.people import services as people
from trajectories.people.models import Participant
from trajectories.schedule import services as schedule
from trajectories.schedule.models import Meeting


@pytest.fixture
def s(app):
    """A session on the app's own database: its commits publish into the app's calendars/."""
    with app.extensions["trajectories.db"].session(actor="test") as session:
        yield session


@pytest.fixture
def kickoff(s):
    """VNG's track g4gg, its edition 2030 and that edition's Kick-off on 13 April 2030:
    (organiser, track, edition, meeting)."""
    organiser = factories.organiser(s, slug="vng", name="VNG")
    track = factories.track(s, organiser, slug="g4gg", title="Gemeenten4GlobalGoals")
    edition = factories.edition(s, track, slug="2030", name="2030")
    meeting = factories.meeting(s, edition, title="Kick-off", on_date=date(2030, 4, 13))
    return organiser, track, edition, meeting


EDITION_URL = "/feeds/vng/g4gg/2030.ics"


def _backdate(app, s, hours: int = 2) -> None:
    past = datetime.now(UTC) - timedelta(hours=hours)
    for model in (Organiser, Track, Edition, Meeting):
        s.exec(update(model).values(updated_at=past))
    s.commit()
    s.expunge_all()
    app.extensions["trajectories.feeds.cache"].clear()


def test_edition_feed_is_served_with_caching_headers(client, kickoff):
    response = client.get(EDITION_URL)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="2030.ics"'
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert re.fullmatch(r'"[0-9a-f]{64}"', response.headers["ETag"])
    assert parsedate_to_datetime(response.headers["Last-Modified"]) <= datetime.now(UTC)
    loose, strict = parse_both(response.data)
    assert set(vevents(loose)) == {kickoff[3].uid}
    assert strict.events[0].summary == "Gemeenten4GlobalGoals: Kick-off"


@pytest.mark.parametrize("url", ["/feeds/vng.ics", "/feeds/vng/g4gg.ics", EDITION_URL])
def test_every_public_feed_answers_304_to_a_client_that_has_it(client, kickoff, url):
    first = client.get(url)

    by_etag = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    by_date = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    stale = client.get(url, headers={"If-None-Match": '"0000"'})

    assert (by_etag.status_code, by_etag.data) == (304, b"")
    assert by_etag.headers["ETag"] == first.headers["ETag"]
    assert (by_date.status_code, by_date.data) == (304, b"")
    assert stale.status_code == 200 and stale.data == first.data


def test_feeds_never_set_a_cookie_even_for_a_visitor_with_a_session(client, kickoff):
    client.get("/taal/en")  # the visitor now has a session cookie
    assert client.get_cookie("session") is not None

    for url in ("/feeds/vng.ics", EDITION_URL):
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
    # Pages still keep the visitor's choice.
    assert b'<html lang="en"' in client.get("/").data


def test_head_gives_the_headers_without_the_body(client, kickoff):
    get = client.get(EDITION_URL)
    head = client.head(EDITION_URL)

    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.data))


def test_a_change_gives_a_new_etag_and_a_later_last_modified(app, client, s, kickoff):
    _backdate(app, s)
    before = client.get(EDITION_URL)

    schedule.cancel_meeting(s, s.get(Meeting, kickoff[3].id))
    after = client.get(EDITION_URL, headers={"If-None-Match": before.headers["ETag"],
                                            "If-Modified-Since": before.headers["Last-Modified"]})

    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert parsedate_to_datetime(after.headers["Last-Modified"]) > parsedate_to_datetime(
        before.headers["Last-Modified"])
    assert str(vevents(parse_both(after.data)[0])[kickoff[3].uid]["STATUS"]) == "CANCELLED"


def test_unchanged_feed_is_byte_identical_across_rebuilds(app, client, kickoff):
    first = client.get(EDITION_URL)
    app.extensions["trajectories.feeds.cache"].clear()
    second = client.get(EDITION_URL)

    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Last-Modified"] == first.headers["Last-Modified"]


@pytest.mark.parametrize("url", ["/feeds/nope.ics", "/feeds/vng/nope.ics", "/feeds/vng/g4gg/nope.ics",
                                 "/feeds/nope/g4gg/2030.ics"])
def test_unknown_feed_is_404(client, kickoff, url):
    assert client.get(url).status_code == 404


# --- published files -----------------------------------------------------------------------------
def _calendars(app) -> Path:
    """The published files, once the background publisher has written what is due."""
    publish.wait_idle()
    return Path(app.config["SETTINGS"].calendars_dir)


@pytest.mark.parametrize("url", ["/feeds/vng.ics", "/feeds/vng/g4gg.ics", EDITION_URL])
def test_published_files_equal_the_served_bytes_after_every_change(app, client, s, kickoff, url):
    path = _calendars(app) / url.removeprefix("/feeds/")
    schedule.set_deadline(s, s.get(Edition, kickoff[2].id), title="Actieplan, versie 1",
                          due_date=date(2030, 5, 1))
    served = client.get(url)

    publish.wait_idle()
    assert path.read_bytes() == served.data
    assert datetime.fromtimestamp(path.stat().st_mtime, UTC) == parsedate_to_datetime(
        served.headers["Last-Modified"])
    assert "Actieplan" in path.read_text()

    schedule.reschedule_meeting(s, s.get(Meeting, kickoff[3].id), on_date=date(2030, 4, 14))
    publish.wait_idle()
    assert path.read_bytes() == client.get(url).data
    assert not list(path.parent.glob(".*.tmp"))  # no temporary files left behind


def test_track_rename_republishes_every_feed_of_the_track(app, client, s, kickoff):
    from trajectories.catalogue import services as catalogue

    catalogue.update_track(s, s.get(Track, kickoff[1].id), title="G4GG, vernieuwd", sdgs=[1])

    for url in ("/feeds/vng.ics", "/feeds/vng/g4gg.ics", EDITION_URL):
        body = (_calendars(app) / url.removeprefix("/feeds/")).read_bytes()
        assert body == client.get(url).data
        assert "G4GG\\, vernieuwd: Kick-off" in body.decode()


def test_publish_calendars_command_rebuilds_all_and_removes_stale_feeds(app, runner, client,
        kickoff):
    root = _calendars(app)
    for path in root.rglob("*.ics"):
        path.unlink()
    stale = root / "vng" / "weg.ics"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")

    result = runner.invoke(args=["publish-calendars"])

    assert result.exit_code == 0, result.output
    assert "3 feeds published" in result.output
    assert not stale.exists()
    for url in ("/feeds/vng.ics", "/feeds/vng/g4gg.ics", EDITION_URL):
        assert (root / url.removeprefix("/feeds/")).read_bytes() == client.get(url).data


# --- personal feeds ------------------------------------------------------------------------------
def test_personal_feed_by_token_and_rotation(client, s, kickoff):
    edition = s.get(Edition, kickoff[2].id)
    me = factories.participant(s)
    people.enroll(s, edition, me)

    token = rotate_feed_token(s, me)
    response = client.get(f"/feeds/p/{token}.ics")

    assert len(token) >= 22  # at least 128 random bits
    assert s.get(Participant, me.id).feed_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert kickoff[3].uid in response.data.decode()
    again = client.get(f"/feeds/p/{token}.ics", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304

    new_token = rotate_feed_token(s, me)
    rotated = client.get(f"/feeds/p/{token}.ics")
    unknown = client.get(f"/feeds/p/{'A' * 43}.ics")
    malformed = client.get("/feeds/p/kort.ics")

    assert client.get(f"/feeds/p/{new_token}.ics").status_code == 200
    assert rotated.status_code == unknown.status_code == malformed.status_code == 404
    assert rotated.data == unknown.data == malformed.data  # no hint that it ever existed


def test_personal_feed_follows_changes_without_a_stale_cache(client, s, kickoff):
    edition = s.get(Edition, kickoff[2].id)
    me = factories.participant(s)
    people.enroll(s, edition, me)
    token = rotate_feed_token(s, me)
    deadline = schedule.set_deadline(s, edition, title="Plan", due_date=date(2030, 5, 1))
    first = client.get(f"/feeds/p/{token}.ics")

    people.submit(s, deadline, me, text="Klaar")
    second = client.get(f"/feeds/p/{token}.ics")

    assert "Ingeleverd: Deadline: Plan" not in first.data.decode()
    assert "Ingeleverd: Deadline: Plan" in second.data.decode()
    assert second.headers["ETag"] != first.headers["ETag"]


# --- pages ---------------------------------------------------------------------------------------
def test_track_page_advertises_its_feeds_in_the_head_and_with_buttons(app, client, kickoff):
    base = app.config["SETTINGS"].base_url
    html = client.get("/vng/g4gg/").data.decode()
    head = html.split("</head>")[0]

    feed_url = f"{base}/feeds/vng/g4gg/2030.ics"
    assert (f'<link rel="alternate" type="text/calendar" title="Gemeenten4GlobalGoals – 2030"'
            f' href="{feed_url}">') in head
    assert f'href="{base}/feeds/vng/g4gg.ics"' in head
    body = html.split("</head>")[1]
    webcal = "webcal://" + feed_url.split("://")[1]
    assert f'href="{webcal}"' in body
    google = re.search(r'href="(https://calendar\.google\.com/[^"]+)"', body).group(1)
    assert parse_qs(urlsplit(google.replace("&amp;", "&")).query)["cid"] == [
        "webcal://" + f"{base}/feeds/vng/g4gg.ics".split("://")[1]]
    outlook = re.findall(r'href="(https://outlook\.office\.com/[^"]+)"', body)
    assert any(parse_qs(urlsplit(u.replace("&amp;", "&")).query)["url"] == [feed_url]
               for u in outlook)
    assert 'download="2030.ics"' in body
    assert f'value="{feed_url}"' in body
    assert client.get(urlsplit(feed_url).path).status_code == 200


def test_organiser_page_and_catalogue_advertise_the_organiser_feed(app, client, kickoff):
    base = app.config["SETTINGS"].base_url
    for url in ("/", "/vng/"):
        head = client.get(url).data.decode().split("</head>")[0]
        assert f'type="text/calendar" title="Alle leertrajecten van VNG" href="{base}/feeds/vng.ics"' \
            in head
    assert "webcal://" in client.get("/vng/").data.decode()


def test_personal_feed_token_never_reaches_the_request_log(client, s, kickoff, caplog):
    me = factories.participant(s)
    token = rotate_feed_token(s, me)

    with caplog.at_level("INFO", logger="trajectories.request"):
        assert client.get(personal_feed_path(token)).status_code == 200
        assert client.get(f"/feeds/p/{'B' * 43}.ics").status_code == 404

    logged = " ".join(r.getMessage() + str(getattr(r, "fields", "")) for r in caplog.records)
    assert "/feeds/p/<token>.ics" in logged
    assert token not in logged and "B" * 43 not in logged


def test_a_change_committed_elsewhere_is_seen_once_the_version_is_checked(client, s, kickoff,
                                                                          monkeypatch):
    """Another worker's commit fires no handler here: this worker finds it through the versions
    (Edition.updated_at), within cache.FRESH_SECONDS."""
    first = client.get(EDITION_URL)
    s.exec(update(Meeting).values(title="Elders gewijzigd"))
    s.exec(update(Edition).values(updated_at=datetime.now(UTC) + timedelta(seconds=1)))
    s.commit()  # no domain event: as if another process had changed it

    assert client.get(EDITION_URL).data == first.data  # still within FRESH_SECONDS
    monkeypatch.setattr(cache, "FRESH_SECONDS", 0.0)
    assert "Elders gewijzigd" in client.get(EDITION_URL).data.decode()


def test_a_change_through_another_database_handle_in_this_process_shows_at_once(client, session):
    """Services called on any session of this process (CLI, tests, the scheduler's jobs) make
    every app here check versions again: no stale feed for FRESH_SECONDS."""
    organiser = factories.organiser(session, slug="vvsg")
    track = factories.track(session, organiser, slug="lmb")
    edition = factories.edition(session, track, slug="2030")
    meeting = factories.meeting(session, edition, title="Eerste versie")
    assert "Eerste versie" in client.get("/feeds/vvsg/lmb/2030.ics").data.decode()

    schedule.update_meeting(session, meeting, title="Tweede versie")

    assert "Tweede versie" in client.get("/feeds/vvsg/lmb/2030.ics").data.decode()


def _count_queries(engine):
    from sqlalchemy import event as sa_event

    counter = {"n": 0}

    def count(*_args):
        counter["n"] += 1

    sa_event.listen(engine, "before_cursor_execute", count)
    return counter, lambda: sa_event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("url", ["/feeds/vng.ics", "/feeds/vng/g4gg.ics", EDITION_URL, "personal"])
def test_building_a_feed_takes_the_same_number_of_queries_for_1_and_3_of_everything(
        app, client, s, url):
    """No query per edition, session, material or deadline (N+1)."""
    counts = []
    for size in (1, 3):
        organiser = factories.organiser(s, slug="vng" if size == 1 else "vng3")
        track = factories.track(s, organiser, slug="g4gg")
        me = factories.participant(s)
        for n in range(size):
            edition = factories.edition(s, track, slug="2030" if n == 0 else f"20{31 + n}")
            for _ in range(size):
                meeting = factories.meeting(s, edition)
                schedule.add_material(s, meeting, title="Slides", url="https://example.org/s")
                deadline = schedule.set_deadline(s, edition, title="Plan", due_date=date(2030, 5, 1))
            people.enroll(s, edition, me)
            people.submit(s, deadline, me, text="klaar")
        token = rotate_feed_token(s, me)
        target = personal_feed_path(token) if url == "personal" else (
            url if size == 1 else url.replace("/vng", "/vng3"))
        app.extensions["trajectories.feeds.cache"].clear()
        publish.wait_idle()  # the background publisher's queries are not this feed's
        counter, stop = _count_queries(app.extensions["trajectories.db"].engine)
        try:
            assert client.get(target).status_code == 200
        finally:
            stop()
        counts.append(counter["n"])
    assert 0 < counts[0] == counts[1], counts


def test_a_token_rotated_elsewhere_stops_working_once_checked(app, client, s, monkeypatch):
    me = factories.participant(s)
    token = rotate_feed_token(s, me)
    assert client.get(personal_feed_path(token)).status_code == 200
    s.exec(update(Participant).values(feed_token_hash="0" * 64))
    s.commit()  # no domain event: as if another process had rotated it

    monkeypatch.setattr(cache, "FRESH_SECONDS", 0.0)

    assert client.get(personal_feed_path(token)).status_code == 404


# --- publishing: shared rows and events, the background publisher -------------------------------
def _published_world(s):
    """Two organisers, tracks with several editions, materials, deadlines, and one edition whose
    only entry the window has dropped (its own Last-Modified)."""
    for slug in ("vng", "vvsg"):
        organiser = factories.organiser(s, slug=slug)
        for t in range(2):
            track = factories.track(s, organiser, slug=f"t{t}")
            for c in range(2):
                edition = factories.edition(s, track, slug=f"e{c}",
                                          timezone="Europe/Brussels" if c else "Europe/Amsterdam")
                meeting = factories.meeting(s, edition, on_date=date(2030, 4, 13 + c))
                schedule.add_material(s, meeting, title="Slides", url="https://example.org/s")
                schedule.set_deadline(s, edition, title="Plan", due_date=date(2030, 5, 1 + t))
    old = factories.meeting(s, edition, title="Lang geleden", on_date=date(2030, 1, 1))
    s.exec(update(Meeting).where(Meeting.id == old.id).values(
        on_date=date(2020, 1, 1), starts_at=datetime(2020, 1, 1, 12, tzinfo=UTC),
        ends_at=datetime(2020, 1, 1, 13, tzinfo=UTC)))
    s.commit()


def test_a_publish_run_sharing_rows_and_events_writes_the_bytes_of_a_cold_build(
        app, runner, client, s):
    _published_world(s)
    root = _calendars(app)
    for path in root.rglob("*.ics"):
        path.unlink()

    assert "14 feeds published" in runner.invoke(args=["publish-calendars"]).output

    for path in sorted(root.rglob("*.ics")):
        app.extensions["trajectories.feeds.cache"].clear()
        served = client.get(f"/feeds/{path.relative_to(root)}")  # built alone, from scratch
        assert path.read_bytes() == served.data, path
        assert datetime.fromtimestamp(path.stat().st_mtime, UTC) == parsedate_to_datetime(
            served.headers["Last-Modified"]), path


def test_a_save_returns_before_the_organiser_feed_and_later_saves_are_coalesced(
        app, client, s, kickoff, monkeypatch):
    import threading

    from trajectories.feeds import requests

    started, release, calls = threading.Event(), threading.Event(), []
    real = requests._publish_organiser

    def slow(session, settings, organiser_id, due):
        calls.append((len(due.ids), due.tracks))
        started.set()
        release.wait(60)
        real(session, settings, organiser_id, due)

    # The fixture's own feeds are written first: only this test's saves meet the slow worker.
    edition_file, organiser_file = (_calendars(app) / p for p in ("vng/g4gg/2030.ics", "vng.ics"))
    before = organiser_file.read_bytes()
    monkeypatch.setattr(requests, "_publish_organiser", slow)
    track_id, meeting_id = kickoff[1].id, kickoff[3].id

    schedule.reschedule_meeting(s, s.get(Meeting, meeting_id), on_date=date(2030, 4, 14))
    assert started.wait(10)  # the worker has taken the first change and blocks
    for day in (15, 16):
        schedule.reschedule_meeting(s, s.get(Meeting, meeting_id), on_date=date(2030, 4, day))
    assert "20300416" in edition_file.read_text()  # the edition's feed is written at once
    assert organiser_file.read_bytes() == before

    # The two saves made meanwhile wait as one run of the organiser (with its track): their
    # requests are in the database, merged when the worker reads them.
    assert list(publish.background._pending) == [app.extensions["trajectories.db"]]
    assert len(s.exec(select(PublicationRequest)).all()) == 3  # none done until written
    s.rollback()  # (SQLite: a reader's open transaction would block the worker's commit)
    release.set()
    assert publish.wait_idle(10)
    # The first save, then one run for the other two.
    assert calls == [(1, {track_id}), (2, {track_id})]
    assert s.exec(select(PublicationRequest)).all() == []
    s.rollback()
    for url in ("/feeds/vng.ics", "/feeds/vng/g4gg.ics", EDITION_URL):
        body = (_calendars(app) / url.removeprefix("/feeds/")).read_bytes()
        assert body == client.get(url).data
        assert "20300416" in body.decode()
