"""Every public track page carries schema.org JSON-LD that parses back: a Course whose
CourseInstances (editions) hold the sessions as Events with zone offsets, places, statuses and
offers. Demo data: the inclusion pilot of 2021."""

import json
import re
from datetime import date, time, timedelta

import pytest
from sqlmodel import select

from tests import factories
from trajectories.catalogue.models import Organiser, Track
from trajectories.core.clock import utcnow
from trajectories.schedule import services as schedule

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def jsonld(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200
    found = LD.findall(response.get_data(as_text=True))
    assert len(found) == 1
    return json.loads(found[0])


def test_every_demo_track_page_carries_a_course_and_the_pilot_its_sessions(app, runner, client):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.extensions["trajectories.db"].session() as s:
        pages = [f"/{o.slug}/{t.slug}/" for t, o in s.exec(
            select(Track, Organiser).join(Organiser, Organiser.id == Track.organiser_id))]
    assert len(pages) >= 8
    with_editions = 0
    for page in pages:
        course = jsonld(client, page)
        assert course["@context"] == "https://schema.org" and course["@type"] == "Course"
        assert course["provider"]["@type"] == "Organization"
        # Tracks the sources give no edition (Migratie, Participatie, ...) have none in the demo.
        assert isinstance(course["hasCourseInstance"], list), page
        with_editions += bool(course["hasCourseInstance"])
    assert with_editions >= 5

    pilot = jsonld(client, "/vng/praktijkproef-inclusie/")
    edition = next(i for i in pilot["hasCourseInstance"] if i["name"].endswith("2021"))
    events = edition["subEvent"]
    assert [e["startDate"][:10] for e in events] == [
        "2021-04-13", "2021-04-29", "2021-05-27", "2021-06-24", "2021-09-16", "2021-10-07"]
    first = events[0]
    assert (first["startDate"], first["endDate"]) == ("2021-04-13T13:30:00+02:00",
                                                      "2021-04-13T15:30:00+02:00")
    assert first["location"]["@type"] == "VirtualLocation"
    assert first["eventStatus"] == "https://schema.org/EventScheduled"
    assert events[-1]["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert edition["offers"]["availability"] == "https://schema.org/Discontinued"
    assert edition["startDate"] == "2021-04-13T13:30:00+02:00"


def test_cancelled_moved_and_full_show_in_the_markup(session, client):
    vng = factories.organiser(session, slug="vng", name="VNG")
    track = factories.track(session, vng, slug="t", title="Traject")
    now = utcnow()
    edition = factories.edition(session, track, slug="2030", name="2030", capacity=0,
                                timezone="Europe/Brussels",
                                registration_opens_at=now - timedelta(days=1),
                                registration_closes_at=now + timedelta(days=30))
    moved = factories.meeting(session, edition, title="Verplaatst", on_date=date(2030, 3, 1),
                              mode="hybrid", location="Antwerpen")
    schedule.reschedule_meeting(session, moved, on_date=date(2030, 3, 8), start=time(9),
                                end=time(11))
    cancelled = factories.meeting(session, edition, title="Weg", on_date=date(2030, 4, 1))
    schedule.cancel_meeting(session, cancelled)
    session.commit()
    course = jsonld(client, "/vng/t/")
    instance = course["hasCourseInstance"][0]
    assert instance["offers"]["availability"] == "https://schema.org/SoldOut"
    by_name = {e["name"]: e for e in instance["subEvent"]}
    assert by_name["Weg"]["eventStatus"] == "https://schema.org/EventCancelled"
    move = by_name["Verplaatst"]
    assert move["eventStatus"] == "https://schema.org/EventRescheduled"
    assert move["previousStartDate"] == "2030-03-01T13:30:00+01:00"
    assert move["startDate"] == "2030-03-08T09:00:00+01:00"
    assert {p["@type"] for p in move["location"]} == {"Place", "VirtualLocation"}


@pytest.mark.parametrize("title", ["</script><script>alert(1)</script>"])
def test_markup_cannot_break_out_of_its_script(session, client, title):
    factories.edition(session, factories.track(session, factories.organiser(session, slug="x"),
                                               slug="t", title=title))
    session.commit()
    assert jsonld(client, "/x/t/")["name"] == title
