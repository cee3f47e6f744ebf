"""A civil servant not yet known here signs up for the award (the round's edition, by the
double opt-in registration every edition has), is signed in by the confirmation link, and
nominates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.award.world import build, new_round
from tests.public_world import closing_client, follow_link, register_form, submit
from trajectories.award import queries
from trajectories.core.clock import local_today


@pytest.fixture
def app(mail_app):
    return mail_app


def test_an_unknown_civil_servant_signs_up_then_nominates(app, session, smtp_sink):
    world = build(session)
    today = local_today("Europe/Amsterdam")
    award_round = new_round(session, world.vng, year=today.year + 1,
                            opens_on=today - timedelta(days=3), closes_on=today + timedelta(days=9))
    round_id, year = award_round.id, award_round.year
    client = closing_client(app, session)
    page = client.get(f"/prijs/{year}").get_data(as_text=True)
    signup = f"/vng/prijs/{year}/inschrijven"
    assert signup in page
    answer = submit(client, signup, register_form())
    assert answer.status_code == 200, answer.get_data(as_text=True)
    follow_link(client, smtp_sink.wait_for(1)[0])
    url = f"/prijs/nomineren/{round_id}"
    assert "Begin de nominatie" in client.get(url).get_data(as_text=True)
    submit(client, url, {"action": "start"})
    submit(client, url, {"action": "submit", "title": "Noordenveld: inclusie",
                         "text": "Het sociaal domein werkt aan doel 10."})
    [row] = queries.nominations(session, session.get(type(award_round), round_id))
    assert row["organisation"].code == "GM1699" and row["nomination"].submitted_at is not None
