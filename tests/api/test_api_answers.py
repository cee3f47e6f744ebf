"""What a client of the API notices: the numbers it reads, errors it can act on, drafts out of
sight, 304 while nothing changed and a fresh answer once something did, open CORS."""

from datetime import date, timedelta
from datetime import time as clock_time

import pytest
from sqlalchemy import update

from tests import factories
from trajectories.catalogue.models import Edition
from trajectories.core.clock import utcnow
from trajectories.people import services as people
from trajectories.schedule import services as schedule


@pytest.fixture
def world(session):
    """VNG with one track: an open edition (3 places, 1 taken), a draft, an on-site session
    in Brussels' zone moved once, and a cancelled one."""
    vng = factories.organiser(session, slug="vng", name="VNG")
    track = factories.track(session, vng, slug="inclusie", title="Inclusie", theme="Inclusie",
                            sdgs=[10])
    now = utcnow()
    edition = factories.edition(session, track, slug="2030", name="2030", capacity=3,
                                timezone="Europe/Brussels",
                                registration_opens_at=now - timedelta(days=1),
                                registration_closes_at=now + timedelta(days=60))
    draft = factories.edition(session, track, slug="concept", name="Concept", draft=True)
    factories.meeting(session, draft, title="Geheim")
    moved = factories.meeting(session, edition, title="Start", on_date=date(2030, 7, 2),
                              mode="on_site", location="Huis van de Gemeente, Brussel")
    schedule.reschedule_meeting(session, moved, on_date=date(2030, 7, 3), start=clock_time(10),
                                end=clock_time(12))
    cancelled = factories.meeting(session, edition, title="Afgelast", on_date=date(2030, 8, 1))
    schedule.cancel_meeting(session, cancelled)
    person = factories.participant(session)
    people.admit(session, people.enroll(session, edition, person))
    factories.track(session, factories.organiser(session, slug="vvsg", name="VVSG"),
                    slug="ander", title="Ander", sdgs=[4])
    session.commit()
    return {"track": track.id, "edition": edition.id, "draft": draft.id}


def test_an_edition_reads_places_times_in_both_zones_and_statuses(client, world):
    body = client.get(f"/api/v1/editions/{world['edition']}").get_json()
    assert (body["capacity"], body["places_left"], body["status"]) == (3, 2, "registration_open")
    assert body["registration"]["open"] is True
    assert body["registration"]["url"].endswith("/vng/inclusie/2030/inschrijven")
    start, cancelled = body["sessions"]
    assert (start["start_utc"], start["start_local"]) == ("2030-07-03T08:00:00Z",
                                                          "2030-07-03T10:00:00+02:00")
    assert (start["rescheduled"], start["location"], start["mode"]) == (
        True, "Huis van de Gemeente, Brussel", "on_site")
    assert cancelled["status"] == "cancelled"
    assert "online_url" not in start and "Geheim" not in client.get(
        f"/api/v1/tracks/{world['track']}").get_data(as_text=True)


def test_drafts_are_never_visible(client, world):
    response = client.get(f"/api/v1/editions/{world['draft']}")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
    assert client.get(f"/api/v1/editions/{world['draft']}/sessions").status_code == 404
    track = client.get(f"/api/v1/tracks/{world['track']}").get_json()
    assert [e["slug"] for e in track["editions"]] == ["2030"]


def test_filters_match_the_catalogue(client, world):
    def titles(query):
        return [t["title"] for t in client.get(f"/api/v1/tracks?{query}").get_json()["data"]]
    assert titles("organiser=vng") == ["Inclusie"]
    assert titles("sdg=4") == ["Ander"]
    assert titles("status=registration_open") == ["Inclusie"]
    assert titles("theme=inclusie") == titles("thema=Inclusie") == ["Inclusie"]
    assert titles("q=ander") == ["Ander"]
    assert titles("q=nergens") == []


@pytest.mark.parametrize("query,status", [
    ("/api/v1/tracks?sdg=18", 400), ("/api/v1/tracks?sdg=tien", 400),
    ("/api/v1/tracks?status=open", 400), ("/api/v1/tracks?organiser=nobody", 400),
    ("/api/v1/tracks?page=0", 400), ("/api/v1/tracks?page=-1", 400),
    ("/api/v1/tracks?page=abc", 400), ("/api/v1/tracks?page=99999999999999999999", 400),
    ("/api/v1/tracks?page=2", 404), ("/api/v1/tracks?per_page=101", 400),
    ("/api/v1/tracks?colour=red", 400), ("/api/v1/tracks?theme=" + "x" * 101, 400),
    ("/api/v1/tracks/2147483648", 404), ("/api/v1/tracks/123456", 404),
    ("/api/v1/tracks/abc", 404), ("/api/v1/editions/0", 404), ("/api/v1/nothing", 404),
    ("/api/v1/organisers/nobody", 404), ("/api/v1/organisers?page=5", 404),
])
def test_bad_input_gets_a_json_error_with_its_status(client, world, query, status):
    response = client.get(query)
    assert response.status_code == status
    assert response.content_type == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "message"} and body["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_errors_are_dutch_and_english_with_lang(client, world):
    assert "moet een Global Goal" in client.get("/api/v1/tracks?sdg=0").get_json()["message"]
    assert "Global Goal" in client.get("/api/v1/tracks?sdg=0&lang=en").get_json()["message"]
    assert "moet" not in client.get("/api/v1/tracks?sdg=0&lang=en").get_json()["message"]


def test_a_post_is_refused_in_json(client, world):
    response = client.post("/api/v1/tracks")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"


def test_paging_links_walk_every_track(client, world):
    first = client.get("/api/v1/tracks?per_page=1").get_json()
    assert first["paging"] == {"page": 1, "per_page": 1, "total": 2, "pages": 2}
    assert first["links"]["prev"] is None
    second = client.get(first["links"]["next"].split("5000", 1)[1]).get_json()
    assert second["links"]["next"] is None
    assert {first["data"][0]["title"], second["data"][0]["title"]} == {"Inclusie", "Ander"}


def test_etag_gives_304_until_a_change(app, client, world):
    url = f"/api/v1/editions/{world['edition']}"
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    db = app.extensions["trajectories.db"]
    with db.session() as s:
        edition = s.get(Edition, world["edition"])
        people.admit(s, people.enroll(s, edition, factories.participant(s)))
        s.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()["places_left"] == 1
    assert changed.headers["ETag"] != etag


def test_cors_is_open_for_get_and_preflight(client, world):
    response = client.get("/api/v1/tracks", headers={"Origin": "https://www.vng.nl"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers
    preflight = client.options("/api/v1/tracks", headers={
        "Origin": "https://www.vng.nl", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]


def test_the_developers_page_is_dutch_and_english(client, world):
    page = client.get("/api/").get_data(as_text=True)
    assert "API voor ontwikkelaars" in page and "/api/v1/openapi.json" in page
    client.get("/taal/en")
    assert "API for developers" in client.get("/api/").get_data(as_text=True)


def test_a_registration_window_opening_shows_without_any_change(app, client, session):
    """Statuses follow the clock: the cached answer is rebuilt when a window opens, though no
    row changed. The clock is not waited for: the opening moment is moved into the past behind
    the services' back (no updated_at moves), as time passing would."""
    track = factories.track(session, factories.organiser(session, slug="vng"), slug="t")
    now = utcnow()
    edition = factories.edition(session, track, slug="2030", name="2030",
                                registration_opens_at=now + timedelta(days=1),
                                registration_closes_at=now + timedelta(days=30))
    factories.meeting(session, edition, on_date=date(2030, 5, 1))
    session.commit()
    url = f"/api/v1/editions/{edition.id}"
    assert client.get(url).get_json()["status"] == "upcoming"
    session.execute(update(Edition).where(Edition.id == edition.id)
                    .values(registration_opens_at=now - timedelta(minutes=1)))
    session.commit()
    app.extensions["trajectories.api.cache"].forget_recent()  # skip the few seconds' freshness
    assert client.get(url).get_json()["status"] == "registration_open"
