"""The embeddable catalogue: the coordinator lists the websites allowed to frame it (each
checked), gets a snippet to paste; the embed page lists the organiser's current tracks, follows
?lang=, opens every link out of the frame, and is the only route a listed website may frame."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from tests import factories
from trajectories.api.services import origin
from trajectories.catalogue.models import Organiser
from trajectories.core.models import EventRecord

URL = "/beheer/organisatoren/{}/insluiten"


@pytest.mark.parametrize("typed,kept", [
    ("https://www.vng.nl", "https://www.vng.nl"), ("https://www.VNG.nl/", "https://www.vng.nl"),
    ("https://www.vng.nl:443", "https://www.vng.nl"), ("http://localhost:8080", "http://localhost:8080"),
    ("http://127.0.0.1:5001", "http://127.0.0.1:5001"), ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
])
def test_good_origins_are_kept_in_the_form_browsers_send(typed, kept):
    assert origin(typed) == kept


@pytest.mark.parametrize("typed", [
    "www.vng.nl", "ftp://vng.nl", "https://vng.nl/catalogus", "https://*.vng.nl",
    "https://user@vng.nl", "https://vng.nl?x=1", "https://vng.nl:99999", "javascript:alert(1)",
    "https://", "https://vng..nl", "https://vng.nl#top", "'self'", "https://vng.nl 'unsafe-inline'",
])
def test_bad_origins_are_refused(typed):
    with pytest.raises(ValueError):
        origin(typed)


def test_the_coordinator_lists_origins_and_copies_the_snippet(nl, session, coordinator_world):
    organiser_id = coordinator_world.nl.id
    page = nl.get(URL.format(organiser_id)).get_data(as_text=True)
    assert "Catalogus insluiten" in page and "/embed/vng/" in page and "&lt;iframe" in page
    response = nl.post(URL.format(organiser_id), data={
        "origins": "https://www.vng.nl/\n\nhttp://localhost:8080\nhttps://www.vng.nl"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Organiser, organiser_id).embed_origins == [
        "https://www.vng.nl", "http://localhost:8080"]
    assert session.exec(select(EventRecord).where(
        EventRecord.name == "EmbedOriginsChanged")).one().payload["organiser_id"] == organiser_id


def test_a_bad_origin_names_its_line_and_changes_nothing(nl, session, coordinator_world):
    organiser_id = coordinator_world.nl.id
    response = nl.post(URL.format(organiser_id), data={
        "origins": "https://www.vng.nl\nwww.gemeente.nl/agenda"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Geen geldige herkomst: regel 2 (www.gemeente.nl/agenda)" in text
    session.expire_all()
    assert session.get(Organiser, organiser_id).embed_origins == []


def test_another_organisers_settings_answer_404(nl, coordinator_world):
    assert nl.get(URL.format(coordinator_world.be.id)).status_code == 404
    assert nl.post(URL.format(coordinator_world.be.id),
                   data={"origins": "https://evil.example"}).status_code == 404


def test_only_the_embed_route_may_be_framed_and_only_by_listed_origins(client, session):
    vng = factories.organiser(session, slug="vng", name="VNG",
                              )
    vng.embed_origins = ["https://www.vng.nl", "http://localhost:8080"]
    session.add(vng)
    factories.edition(session, factories.track(session, vng, slug="t", title="Traject"))
    session.commit()
    embed = client.get("/embed/vng/")
    assert embed.status_code == 200
    policy = embed.headers["Content-Security-Policy"]
    assert "frame-ancestors https://www.vng.nl http://localhost:8080" in policy
    assert "X-Frame-Options" not in embed.headers
    for path in ("/", "/vng/", "/vng/t/", "/api/", "/beheer/inloggen", "/api/v1/tracks"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path
    assert client.get("/embed/nobody/").status_code == 404


def test_no_origin_listed_means_nobody_frames_it(client, session):
    factories.organiser(session, slug="vng", name="VNG")
    session.commit()
    assert "frame-ancestors 'none'" in client.get("/embed/vng/").headers["Content-Security-Policy"]


def test_the_embed_lists_current_tracks_in_the_visitors_language(client, session):
    vng = factories.organiser(session, slug="vng", name="VNG")
    current = factories.track(session, vng, slug="nu", title="Lopend traject")
    factories.meeting(session, factories.edition(session, current, slug="2030", name="2030"),
                      on_date=date.today() + timedelta(days=30))
    old = factories.track(session, vng, slug="oud", title="Oud traject")
    factories.meeting(session, factories.edition(session, old, slug="2019", name="2019"),
                      on_date=date(2019, 5, 1))
    factories.track(session, factories.organiser(session, slug="vvsg"), slug="be", title="Ander")
    session.commit()
    page = client.get("/embed/vng/").get_data(as_text=True)
    assert "Lopend traject" in page and "Oud traject" not in page and "Ander" not in page
    assert '<base target="_blank">' in page and 'lang="nl"' in page
    assert "http://127.0.0.1:5000/vng/nu/" in page
    english = client.get("/embed/vng/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Learning tracks of VNG" in english
    assert "http://127.0.0.1:5000/vng/nu/?lang=en" in english
