"""The personal feed from the participant's side: make the link on "my trajectories", see it
once, subscribe, make a new one — through the real sign-in by mail."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from tests import factories
from tests.feeds_helpers import parse_both, vevents
from tests.public_world import closing_client, follow_link, open_edition, submit
from trajectories.core.clock import utcnow
from trajectories.people import services as people


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def client(app, session):
    return closing_client(app, session)


@pytest.fixture
def signed_in(client, session, smtp_sink):
    edition = open_edition(session)
    me = factories.participant(session, name="Sanne Bakker", email="s.bakker@noordenveld.example")
    people.enroll(session, edition, me)
    meeting = factories.meeting(session, edition, title="Werksessie",
                                on_date=utcnow().date() + timedelta(days=7))
    submit(client, "/mijn/inloggen", {"email": me.email})
    follow_link(client, smtp_sink.wait_for(1)[0])
    return meeting


FEED_RE = re.compile(r'value="(https?://[^"]+/feeds/p/[^"]+\.ics)"')


def test_participant_makes_sees_once_and_renews_their_feed_link(client, signed_in):
    home = client.get("/mijn/").get_data(as_text=True)
    assert "Mijn agenda-link maken" in home and not FEED_RE.search(home)

    shown = client.post("/mijn/agenda/nieuwe-link",
                        data={"csrf_token": _csrf(home)}).get_data(as_text=True)
    assert "oude link" not in shown  # there was none
    first = FEED_RE.search(shown).group(1)
    assert "webcal://" + first.split("://")[1] in shown
    feed = client.get(urlsplit(first).path)
    assert feed.status_code == 200
    assert set(vevents(parse_both(feed.data)[0])) == {signed_in.uid}

    again = client.get("/mijn/").get_data(as_text=True)
    assert not FEED_RE.search(again)  # shown once: only its hash is kept
    assert "Nieuwe agenda-link maken" in again

    renewed = client.post("/mijn/agenda/nieuwe-link",
                          data={"csrf_token": _csrf(again)}).get_data(as_text=True)
    assert "De oude link werkt niet meer" in renewed
    second = FEED_RE.search(renewed).group(1)
    assert second != first
    assert client.get(urlsplit(first).path).status_code == 404
    assert client.get(urlsplit(second).path).status_code == 200


def test_new_feed_link_is_shown_in_the_answer_and_never_travels_in_the_cookie(app, client,
                                                                          signed_in):
    home = client.get("/mijn/").get_data(as_text=True)
    answer = client.post("/mijn/agenda/nieuwe-link", data={"csrf_token": _csrf(home)})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    html = answer.get_data(as_text=True)
    link = FEED_RE.search(html).group(1)
    token = urlsplit(link).path.rsplit("/", 1)[1].removesuffix(".ics")
    assert html.count(f'value="{link}"') == 1  # shown once

    serializer = app.session_interface.get_signing_serializer(app)
    cookies = answer.headers.getlist("Set-Cookie")
    for header in cookies:
        value = header.split(";", 1)[0].split("=", 1)[1]
        assert token not in header
        if value:
            assert token not in repr(serializer.loads(value))
    later = client.get("/mijn/")
    assert token not in later.get_data(as_text=True)
    for header in later.headers.getlist("Set-Cookie"):
        assert token not in repr(serializer.loads(header.split(";", 1)[0].split("=", 1)[1]))


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
