"""A visitor sees how many places are left, and that a full edition puts them on the waiting list,
before they register: on the catalogue, the track page and the registration form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from tests import factories
from tests.public_world import open_edition
from trajectories.catalogue.models import Edition
from trajectories.core.clock import utcnow
from trajectories.people import services as people


def _edition_with_admitted(session, admitted: int):
    vng = factories.organiser(session, slug="vng", name="VNG")
    track = factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie")
    edition = open_edition(session, trk=track, slug="2030", name="2030", capacity=5)
    factories.meeting(session, edition, on_date=utcnow().date() + timedelta(days=30))
    for _ in range(admitted):
        people.enroll(session, edition, factories.participant(session))
    session.close()


def _text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


@pytest.mark.browser
def test_a_full_edition_says_so_before_anyone_registers(app, live_server, page, session):
    _edition_with_admitted(session, admitted=5)
    page.goto(live_server + "/")
    catalogue = _text(page)
    assert "Editie 2030 vol — je komt op de wachtlijst" in catalogue
    assert "inschrijving open" not in catalogue.split("Editie 2030", 1)[1]
    page.goto(live_server + "/vng/inclusie/")
    track = _text(page)
    assert "vol — je komt op de wachtlijst" in track
    assert "5 plaatsen" not in track and "inschrijving open" not in track
    page.get_by_role("link", name="Inschrijven voor editie 2030").click()
    assert "Deze editie is vol. Schrijf je je toch in, dan kom je op de wachtlijst" in _text(page)


@pytest.mark.browser
def test_places_left_are_shown_while_there_are_some(app, live_server, page, session):
    _edition_with_admitted(session, admitted=3)
    page.goto(live_server + "/")
    assert "inschrijving open nog 2 plaatsen vrij van 5" in _text(page)
    page.goto(live_server + "/vng/inclusie/")
    assert "nog 2 plaatsen vrij van 5" in _text(page)
    page.get_by_role("link", name="Inschrijven voor editie 2030").click()
    assert "wachtlijst" not in _text(page)


def test_places_in_english(client, session):
    _edition_with_admitted(session, admitted=4)
    client.get("/taal/en")
    html = " ".join(client.get("/vng/inclusie/").get_data(as_text=True).split())
    assert "1 place left of 5" in html
    people.enroll(session, session.exec(select(Edition)).one(), factories.participant(session))
    session.close()
    html = " ".join(client.get("/").get_data(as_text=True).split())
    assert "full — you go on the waiting list" in html
