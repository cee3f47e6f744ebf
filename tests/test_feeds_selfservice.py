"""The personal feed from the participant's side: make the link on "my trajectories", see it
once, subscribe, make a new one — through the real sign-in by mail."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from tests import factories
from tests.feeds_helpers import parse_both, vevents
from tests.public_world import closing_client, follow_link, open_cohort, submit
from trajectories.clock import utcnow
from trajectories.services import people


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def client(app, session):
    return closing_client(app, session)


@pytest.fixture
def signed_in(client, session, smtp_sink):
    cohort = open_cohort(session)
    me = factories.participant(session, name="Sanne Bakker", email="s.bakker@noordenveld.example")
    people.enroll(session, cohort, me)
    meeting = factories.meeting(session, cohort, title="Werksessie",
                                on_date=utcnow().date() + timedelta(days=7))
    submit(client, "/mijn/inloggen", {"email": me.email})
    follow_link(client, smtp_sink.wait_for(1)[0])
    return meeting


FEED_RE = re.compile(r'value="(https?://[^"]+/feeds/p/[^"]+\.ics)"')


def test_participant_makes_sees_once_and_renews_their_feed_link(client, signed_in):
    home = client.get("/mijn/").get_data(as_text=True)
    assert "Mijn agenda-link maken" in home and not FEED_RE.search(home)

    client.post("/mijn/agenda/nieuwe-link", data={"csrf_token": _csrf(home)})
    shown = client.get("/mijn/").get_data(as_text=True)
    first = FEED_RE.search(shown).group(1)
    assert "webcal://" + first.split("://")[1] in shown
    feed = client.get(urlsplit(first).path)
    assert feed.status_code == 200
    assert set(vevents(parse_both(feed.data)[0])) == {signed_in.uid}

    again = client.get("/mijn/").get_data(as_text=True)
    assert not FEED_RE.search(again)  # shown once: only its hash is kept
    assert "Nieuwe agenda-link maken" in again

    client.post("/mijn/agenda/nieuwe-link", data={"csrf_token": _csrf(again)})
    second = FEED_RE.search(client.get("/mijn/").get_data(as_text=True)).group(1)
    assert second != first
    assert client.get(urlsplit(first).path).status_code == 404
    assert client.get(urlsplit(second).path).status_code == 200


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
