"""A finished edition's feed and a participant's personal feed keep their whole history (a
calendar deletes what a subscription drops); only the track and organiser feeds keep a window.
The 2021 pilot of the demo is more than a year past."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from tests.feeds_helpers import parse_both, vevents
from trajectories.catalogue.models import Edition, Track
from trajectories.demo.loader import load_demo
from trajectories.feeds import publish, rotate_feed_token
from trajectories.people.models import Participant
from trajectories.schedule.models import Deadline, Meeting

PILOT = "/feeds/vng/praktijkproef-inclusie/2021.ics"
TRACK = "/feeds/vng/praktijkproef-inclusie.ics"


@pytest.fixture
def pilot(app):
    """The demo, and the UIDs of the 2021 pilot's sessions and deadline."""
    db = app.extensions["trajectories.db"]
    list(load_demo(db))
    with db.session() as s:
        edition = s.exec(select(Edition).join(Track).where(
            Track.slug == "praktijkproef-inclusie", Edition.slug == "2021")).one()
        uids = {m.uid for m in s.exec(select(Meeting).where(Meeting.edition_id == edition.id))}
        uids |= {d.uid for d in s.exec(select(Deadline).where(Deadline.edition_id == edition.id))}
    assert len(uids) == 7
    return uids


def _uids(body: bytes) -> set[str]:
    return set(vevents(parse_both(body)[0]))


def test_the_2021_pilot_feed_keeps_every_session_and_deadline(app, client, runner, pilot):
    served = client.get(PILOT)
    assert served.status_code == 200
    assert _uids(served.data) == pilot
    assert "staan niet in deze agenda" not in served.get_data(as_text=True)
    # The published file that nginx serves says the same.
    assert "feeds published" in runner.invoke(args=["publish-calendars"]).output
    publish.wait_idle()
    published = Path(app.config["SETTINGS"].calendars_dir) / PILOT.removeprefix("/feeds/")
    assert _uids(published.read_bytes()) == pilot
    # The track's feed (every edition, it grows) keeps its one-year window.
    assert _uids(client.get(TRACK).data) & pilot == set()


def test_a_personal_feed_keeps_the_participants_own_history(app, client, pilot):
    db = app.extensions["trajectories.db"]
    with db.session() as s:
        participant = s.exec(select(Participant).where(
            Participant.email == "s.bakker@noordenveld.example")).one()
        token = rotate_feed_token(s, participant)
    response = client.get(f"/feeds/p/{token}.ics")
    assert response.status_code == 200
    events = vevents(parse_both(response.data)[0])
    assert pilot <= set(events)
    delivered = [str(e["SUMMARY"]) for uid, e in events.items() if uid in pilot
                 and str(e["SUMMARY"]).startswith("Ingeleverd:")]
    assert len(delivered) == 1
