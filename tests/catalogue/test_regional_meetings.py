"""Regional meetings: a kind of track whose editions are single meetings per region, listed by
region and date, with registration and feeds, and no deadlines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from tests import factories
from trajectories.catalogue import services as catalogue
from trajectories.catalogue.models import Edition
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.schedule import services as schedule
from trajectories.schedule.models import Deadline, MeetingKind
from trajectories.scheduler.models import PlannedMoment
from trajectories.scheduler.plan import plan_all


@pytest.fixture
def regional(coordinator_world, session):
    track = factories.track(session, coordinator_world.nl, slug="regionaal",
                            title="Regionale bijeenkomsten", kind="regional_meeting")
    now = utcnow()
    north = factories.edition(session, track, slug="noord", name="Noord", region="Noord",
                              registration_opens_at=now - timedelta(days=1),
                              registration_closes_at=now + timedelta(days=20))
    factories.meeting(session, north, on_date=now.date() + timedelta(days=30),
                      title="Bijeenkomst Noord", kind=MeetingKind.REGIONAL_MEETING)
    south = factories.edition(session, track, slug="zuid-2016", name="Zuid 2016", region="Zuid")
    factories.meeting(session, south, on_date=date(2016, 5, 1), title="Bijeenkomst Zuid",
                      kind=MeetingKind.REGIONAL_MEETING)
    return {"track": track, "north": north, "south": south}


def test_a_regional_meeting_refuses_a_deadline(session, regional):
    with pytest.raises(InvalidInput, match="geen deadlines"):
        schedule.set_deadline(session, regional["north"], title="Verslag",
                              due_date=date(2030, 1, 1))
    assert session.exec(select(Deadline).where(
        Deadline.edition_id == regional["north"].id)).first() is None


def test_a_regional_meeting_needs_its_region(session, regional):
    with pytest.raises(InvalidInput, match="regio"):
        factories.edition(session, regional["track"], slug="ergens", name="Ergens")
    with pytest.raises(InvalidInput, match="regio"):
        catalogue.update_edition(session, regional["north"], name="Noord", region=" ")
    assert session.get(Edition, regional["north"].id).region == "Noord"


def test_a_track_with_deadlines_cannot_become_a_regional_meeting(session, coordinator_world):
    with pytest.raises(InvalidInput, match="deadlines"):
        catalogue.update_track(session, coordinator_world.track_nl, title="Inclusie",
                               kind="regional_meeting")
    assert catalogue.update_track(session, coordinator_world.track_nl,
                                  title="Inclusie").kind == "trajectory"


def test_the_coordinator_sees_no_deadlines_and_a_clear_refusal(nl, session, regional):
    edition_page = nl.get(f"/beheer/edities/{regional['north'].id}").get_data(as_text=True)
    assert "Deadline toevoegen" not in edition_page
    assert "geen deadlines" in edition_page
    answer = nl.post(f"/beheer/edities/{regional['north'].id}/deadlines/nieuw",
                     {"title": "Verslag", "description": "", "due_date": "2030-11-01",
                      "due_time": "", "delivered_by": "participant"})
    assert answer.status_code in (400, 422)
    assert "geen deadlines" in answer.get_data(as_text=True)


def test_listing_by_region_and_date(client, session, regional):
    session.close()
    page = client.get("/bijeenkomsten/").get_data(as_text=True)
    assert page.index("Bijeenkomst Noord") < page.index("Eerder gehouden") < page.index(
        "Bijeenkomst Zuid")
    assert "/vng/regionaal/noord/inschrijven" in page  # registration open: a link to register
    south = client.get("/bijeenkomsten/?regio=Zuid").get_data(as_text=True)
    assert "Bijeenkomst Zuid" in south and "Bijeenkomst Noord" not in south
    assert client.get("/bijeenkomsten/?regio=<b>").status_code == 200
    assert "BEGIN:VEVENT" in client.get("/feeds/vng/regionaal/noord.ics").get_data(as_text=True)


def test_a_coordinator_makes_a_regional_meeting_track_and_a_bad_kind_is_refused(nl, session,
                                                                               coordinator_world):
    data = dict(slug="regio", title="Regio's", summary="", goals="", target_group="", theme="",
                contact_name="", contact_email="", sdgs=["11"])
    refused = nl.post("/beheer/trajecten/nieuw", {**data, "kind": "feest"})
    assert refused.status_code in (400, 422)
    assert "soort" in refused.get_data(as_text=True)
    made = nl.post("/beheer/trajecten/nieuw", {**data, "kind": "regional_meeting"})
    assert made.status_code == 302
    track_id = int(made.location.rstrip("/").split("/")[-1])
    form = nl.get(f"/beheer/trajecten/{track_id}/edities/nieuw").get_data(as_text=True)
    assert 'name="region"' in form


def test_a_regional_meeting_is_not_completed_and_has_no_evaluation(nl, session, regional,
                                                                    coordinator_world):
    """One gathering: its session's feedback question is all; no completion (no certificates
    after a meeting), no end-of-edition evaluation, no deadline settings on its mail page."""
    plan_all(session)
    session.commit()
    kinds = set(session.exec(select(PlannedMoment.kind).where(
        PlannedMoment.edition_id == regional["north"].id)))
    assert "reminder" in kinds
    assert not kinds & {"completion", "evaluation", "evaluation_reminder"}
    trajectory = set(session.exec(select(PlannedMoment.kind).where(
        PlannedMoment.edition_id == coordinator_world.edition_nl.id)))
    assert {"completion", "evaluation"} <= trajectory  # a learning track's edition still is

    north = regional["north"].id
    edition_page = nl.get(f"/beheer/edities/{north}").get_data(as_text=True)
    assert "Afronding" not in edition_page
    assert nl.get(f"/beheer/edities/{north}/afronding").status_code == 404
    outbox = nl.get(f"/beheer/edities/{north}/berichten").get_data(as_text=True)
    assert "Herinneringen aan een sessie" in outbox
    assert "Herinneringen aan een deadline" not in outbox
    learning = nl.get(f"/beheer/edities/{coordinator_world.edition_nl.id}").get_data(as_text=True)
    assert "Afronding" in learning
