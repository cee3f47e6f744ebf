"""The demo programmes from the source documents, loaded through the CLI."""

from datetime import date, time

from sqlalchemy import func
from sqlmodel import select

from trajectories.accounts.models import Coordinator
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.catalogue.status import registration_open
from trajectories.core.clock import to_local
from trajectories.core.models import EventRecord
from trajectories.interest.models import InterestEntry
from trajectories.people.models import Attendance, Enrollment, Organisation, Participant, Submission
from trajectories.schedule.models import Deadline, Material, Meeting


def _counts(session):
    return {m.__name__: session.exec(select(func.count()).select_from(m)).one()
            for m in (Organiser, Track, Edition, Meeting, Deadline, Participant, Enrollment,
                      Coordinator, EventRecord, Material, Attendance, InterestEntry)}


def test_demo_loads_the_inclusion_pilot_exactly(runner, db):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "coordinator@vng.example" in result.output
    with db.session() as s:
        pilot = s.exec(select(Edition).join(Track).where(
            Track.slug == "praktijkproef-inclusie", Edition.slug == "2021")).one()
        meetings = s.exec(select(Meeting).where(Meeting.edition_id == pilot.id)
                          .order_by(Meeting.on_date)).all()
        deadline = s.exec(select(Deadline).where(Deadline.edition_id == pilot.id)).one()
    assert [m.on_date for m in meetings] == [
        date(2021, 4, 13), date(2021, 4, 29), date(2021, 5, 27), date(2021, 6, 24),
        date(2021, 9, 16), date(2021, 10, 7)]
    first = meetings[0]
    assert (to_local(first.starts_at, "Europe/Amsterdam").time(),
            to_local(first.ends_at, "Europe/Amsterdam").time()) == (time(13, 30), time(15, 30))
    assert all(m.time_to_be_announced for m in meetings[1:])
    assert meetings[-1].kind == "congress"
    assert deadline.due_date == date(2021, 8, 15)
    assert (pilot.capacity, pilot.eligibility) == (5, "municipalities")


def test_demo_has_six_vvsg_tracks_and_youngchallengers(runner, db):
    runner.invoke(args=["demo"])
    with db.session() as s:
        vvsg = s.exec(select(Track).join(Organiser).where(Organiser.slug == "vvsg")).all()
        vng = {t.slug for t in s.exec(select(Track).join(Organiser).where(Organiser.slug == "vng"))}
        purchasing = s.exec(select(Edition).join(Track).where(
            Track.slug == "duurzaam-aankoopbeleid")).one()
        purchasing_sessions = s.exec(select(func.count()).select_from(Meeting).where(
            Meeting.edition_id == purchasing.id)).one()
    assert len(vvsg) == 6
    assert vng == {"praktijkproef-inclusie", "youngchallengers", "regionale-bijeenkomsten",
                   "prijs"}  # the award's track: one edition per round (tests/award)
    assert purchasing_sessions == 4


def test_demo_twice_changes_nothing(runner, db):
    runner.invoke(args=["demo"])
    with db.session() as s:
        before = _counts(s)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0
    with db.session() as s:
        assert _counts(s) == before


def test_catalogue_shows_statuses_of_demo_tracks(runner, client):
    runner.invoke(args=["demo"])
    page = client.get("/vvsg/").get_data(as_text=True)
    assert "Ethisch bankieren" in page
    for label in ("afgerond", "loopt", "inschrijving open", "binnenkort"):
        assert label in page


def _edition(s, track_slug, edition_slug=None):
    query = select(Edition).join(Track).where(Track.slug == track_slug)
    if edition_slug:
        query = query.where(Edition.slug == edition_slug)
    return s.exec(query).all()


def test_demo_is_true_to_its_sources(runner, db):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with db.session() as s:
        [purchasing] = _edition(s, "duurzaam-aankoopbeleid")
        # "Dit traject loopt momenteel: ... inschrijven": running and open.
        assert registration_open(purchasing)
        held = s.exec(select(Meeting).where(Meeting.edition_id == purchasing.id)
                      .order_by(Meeting.on_date)).all()[:2]
        presentations = s.exec(select(Material.meeting_id)).all()
        assert {m.id for m in held} <= set(presentations)
        # No status the sources do not give: these tracks have no edition.
        for slug in ("alternatieve-samenwerking", "migratie-integratie-ontwikkeling",
                     "participatie"):
            assert _edition(s, slug) == []
        # Invented details say they are examples.
        [second] = _edition(s, "praktijkproef-inclusie", "tweede-editie")
        assert "voorbeeld" in second.name
        assert all("Voorbeeld" in m.description for m in s.exec(
            select(Meeting).where(Meeting.edition_id == second.id)))


def test_demo_tracks_without_a_status_say_so_and_offer_the_list(runner, client):
    runner.invoke(args=["demo"])
    page = client.get("/vvsg/migratie-integratie-ontwikkeling/").get_data(as_text=True)
    assert "nog geen editie" in page and "binnenkort" not in page.split("<main")[-1][:3000]
    assert "Houd me op de hoogte" in page
    assert "nog geen editie" in client.get("/vvsg/").get_data(as_text=True)


def test_demo_pilot_2021_is_history_with_attendance_and_four_texts(runner, db):
    runner.invoke(args=["demo"])
    with db.session() as s:
        [pilot] = _edition(s, "praktijkproef-inclusie", "2021")
        enrolled = s.exec(select(Enrollment).where(Enrollment.edition_id == pilot.id)).all()
        provinces = set(s.exec(select(Organisation.province).join(
            Participant, Participant.organisation_id == Organisation.id).join(
            Enrollment, Enrollment.participant_id == Participant.id).where(
            Enrollment.edition_id == pilot.id)))
        attendance = s.exec(select(Attendance).join(Meeting).where(
            Meeting.edition_id == pilot.id)).all()
        delivered = s.exec(select(func.count()).select_from(Submission).join(Deadline).where(
            Deadline.edition_id == pilot.id)).one()
        first = s.exec(select(Meeting).where(Meeting.edition_id == pilot.id)
                       .order_by(Meeting.on_date)).first()
        links = {m.url for m in s.exec(select(Material).where(Material.meeting_id == first.id))}
    assert len(enrolled) == 5 and {e.status for e in enrolled} == {"admitted"}
    assert pilot.place_unit == "organisation" and pilot.capacity == 5  # five municipalities
    assert len(provinces) >= 3
    assert len(attendance) == 5 * 6 and 0 < sum(not a.present for a in attendance) < 5
    assert delivered == 4
    assert {"https://www.vng.nl/iedereen-doet-mee",
            "https://www.vng.nl/gemeenten4globalgoals"} <= links


def test_demo_regional_meetings_five_held_in_2016_and_one_ahead(runner, client, db):
    runner.invoke(args=["demo"])
    with db.session() as s:
        meetings = _edition(s, "regionale-bijeenkomsten")
    held = [e for e in meetings if e.slug.startswith("2016")]
    assert len(held) == 5 and len({e.region for e in held}) == 5
    assert all("voorbeeld" in e.name for e in meetings)
    [ahead] = [e for e in meetings if e.slug == "volgende"]
    assert registration_open(ahead)
    catalogue = client.get("/").get_data(as_text=True)
    assert "Regionale bijeenkomsten Gemeenten4GlobalGoals" in catalogue
    assert 'href="/bijeenkomsten/"' in catalogue
    listing = client.get("/bijeenkomsten/").get_data(as_text=True)
    assert "Noord-Nederland" in listing and "Eerder gehouden" in listing
    assert listing.index("Oost-Nederland") < listing.index("Eerder gehouden")
    only_north = client.get("/bijeenkomsten/?regio=Noord-Nederland").get_data(as_text=True)
    assert "Regionale bijeenkomst Global Goals Noord-Nederland" in only_north
    assert "Regionale bijeenkomst Global Goals Zuid-Nederland" not in only_north
