"""A copied (or newly made) edition is a draft that only coordinators see: the catalogue, the
public and personal feeds (also the files under calendars/), registration and the scheduler
ignore it until a coordinator publishes it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from tests import factories
from tests.coordinator_helpers import PASSWORD, Browser
from tests.feeds_helpers import parse_both, vevents
from trajectories.accounts import services as accounts
from trajectories.catalogue import services as catalogue
from trajectories.catalogue.models import Edition
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.models import EventRecord
from trajectories.feeds import publish, rotate_feed_token
from trajectories.people import services as people
from trajectories.schedule import copying as editions
from trajectories.schedule.models import Meeting
from trajectories.scheduler.models import MomentStatus, PlannedMoment


def _published_edition(session):
    """VNG's track with a published edition that is open for registration, one session ahead."""
    organiser = factories.organiser(session, slug="vng", name="VNG")
    accounts.create_coordinator(session, email="nl@example.org", name="Coördinator",
                                password=PASSWORD, organiser=organiser)
    track = factories.track(session, organiser, slug="inclusie", title="Inclusie")
    now = utcnow()
    edition = factories.edition(session, track, slug="2030", name="2030",
                              registration_opens_at=now - timedelta(days=1),
                              registration_closes_at=now + timedelta(days=300),
                              coordinator_email="team@vng.example")
    factories.meeting(session, edition, on_date=now.date() + timedelta(days=30), title="Start")
    return track, edition


def _planned(db, edition_id: int) -> list[PlannedMoment]:
    with db.session() as s:
        return list(s.exec(select(PlannedMoment).where(
            PlannedMoment.edition_id == edition_id, PlannedMoment.status == MomentStatus.PLANNED)))


def _login(page, base):
    page.goto(base + "/beheer/")
    page.get_by_label("E-mailadres").fill("nl@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", name="Overzicht").wait_for()


@pytest.mark.browser
def test_a_copy_stays_out_of_sight_until_a_coordinator_publishes_it(app, live_server, page):
    db = app.extensions["trajectories.db"]
    with db.session() as s:
        _track, edition = _published_edition(s)
        original_id = edition.id
        first = s.exec(select(Meeting).where(Meeting.edition_id == edition.id)).one().on_date
    calendars = Path(app.config["SETTINGS"].calendars_dir)
    _login(page, live_server)
    page.goto(f"{live_server}/beheer/edities/{original_id}/kopie")
    page.get_by_label("Naam van de nieuwe editie").fill("2031")
    page.get_by_label("Korte naam (in webadressen)").fill("2031")
    page.get_by_label("Datum van de eerste sessie in de nieuwe editie").fill(
        (first + timedelta(weeks=52)).isoformat())
    page.get_by_role("button", name="Kopie maken").click()
    page.get_by_text("Editie 2031 gemaakt als kopie van 2030.").wait_for()
    assert page.get_by_role("heading", name="Inclusie, 2031 Concept").is_visible()
    with db.session() as s:
        copy = s.exec(select(Edition).where(Edition.slug == "2031")).one()
        copy_uids = {m.uid for m in s.exec(select(Meeting).where(Meeting.edition_id == copy.id))}
    assert copy.draft and len(copy_uids) == 1

    # Nobody outside sees the draft: catalogue, track page, feeds, files, registration.
    visitor = app.test_client()
    track_page = visitor.get("/vng/inclusie/").get_data(as_text=True)
    assert "Editie 2030" in track_page and "Editie 2031" not in track_page
    assert "2031" not in visitor.get("/").get_data(as_text=True)
    assert visitor.get("/feeds/vng/inclusie/2031.ics").status_code == 404
    assert visitor.get("/vng/inclusie/2031/inschrijven").status_code == 404
    for feed in ("/feeds/vng/inclusie.ics", "/feeds/vng.ics"):
        assert not set(vevents(parse_both(visitor.get(feed).data)[0])) & copy_uids, feed
    publish.wait_idle()
    assert not (calendars / "vng" / "inclusie" / "2031.ics").exists()
    assert copy_uids.isdisjoint(set(vevents(parse_both(
        (calendars / "vng" / "inclusie.ics").read_bytes())[0])))
    # ...and the scheduler plans nothing for it.
    assert _planned(db, copy.id) == []

    page.get_by_role("button", name="Publiceren").click()
    page.get_by_text("Editie 2031 is gepubliceerd").wait_for()
    assert not page.get_by_role("button", name="Publiceren").is_visible()
    assert page.get_by_role("heading", name="Inclusie, 2031", exact=True).is_visible()
    assert "Editie 2031" in visitor.get("/vng/inclusie/").get_data(as_text=True)
    assert set(vevents(parse_both(visitor.get("/feeds/vng/inclusie/2031.ics").data)[0])) \
        == copy_uids
    assert copy_uids <= set(vevents(parse_both(visitor.get("/feeds/vng.ics").data)[0]))
    publish.wait_idle()
    assert copy_uids == set(vevents(parse_both(
        (calendars / "vng" / "inclusie" / "2031.ics").read_bytes())[0]))
    assert copy_uids <= set(vevents(parse_both(
        (calendars / "vng" / "inclusie.ics").read_bytes())[0]))
    assert {m.kind for m in _planned(db, copy.id)} >= {"reminder", "digest"}
    with db.session() as s:
        record = s.exec(select(EventRecord).where(EventRecord.name == "EditionPublished")).one()
    assert record.payload["edition_id"] == copy.id and record.actor.startswith("coordinator:")


def test_a_new_edition_made_in_the_interface_is_a_draft_too(client, session):
    track, _edition = _published_edition(session)
    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    response = browser.post(f"/beheer/trajecten/{track.id}/edities/nieuw",
                            {"name": "Najaar", "slug": "najaar", "timezone": "Europe/Amsterdam",
                             "eligibility": "anyone"}, follow_redirects=True)
    assert "Concept" in response.get_data(as_text=True)
    edition = session.exec(select(Edition).where(Edition.slug == "najaar")).one()
    assert edition.draft
    edition_id = edition.id
    assert "Najaar" not in browser.get("/vng/inclusie/").get_data(as_text=True)
    # In English too.
    browser.get("/taal/en")
    page = browser.get(f"/beheer/edities/{edition_id}").get_data(as_text=True)
    assert "Draft" in page and "Publish" in page


def test_drafts_refuse_registration_and_stay_out_of_personal_feeds(app, client, session):
    _track, edition = _published_edition(session)
    copy = editions.copy_edition(session, edition, slug="2031", name="2031",
                                first_date=date.today() + timedelta(days=400))
    person = factories.participant(session)
    people.enroll(session, copy, person)  # a coordinator may prepare the list
    token = rotate_feed_token(session, person)
    copy_uids = {m.uid for m in session.exec(select(Meeting).where(Meeting.edition_id == copy.id))}
    session.close()
    assert not copy_uids & set(vevents(parse_both(client.get(f"/feeds/p/{token}.ics").data)[0]))
    assert _planned(app.extensions["trajectories.db"], copy.id) == []
    with pytest.raises(InvalidInput):
        catalogue.publish_edition(session, session.get(Edition, edition.id))  # already public
    catalogue.publish_edition(session, session.get(Edition, copy.id))
    session.close()
    assert copy_uids <= set(vevents(parse_both(client.get(f"/feeds/p/{token}.ics").data)[0]))
    # Whoever was admitted while it was a draft gets the welcome now.
    kinds = {m.kind for m in _planned(app.extensions["trajectories.db"], copy.id)}
    assert {"welcome", "reminder"} <= kinds
