"""The demo programmes from the source documents, loaded through the CLI."""

from datetime import date, time

from sqlalchemy import func
from sqlmodel import select

from trajectories.accounts.models import Coordinator
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.core.clock import to_local
from trajectories.core.models import EventRecord
from trajectories.people.models import Enrollment, Participant
from trajectories.schedule.models import Deadline, Meeting


def _counts(session):
    return {m.__name__: session.exec(select(func.count()).select_from(m)).one()
            for m in (Organiser, Track, Edition, Meeting, Deadline, Participant, Enrollment,
                      Coordinator, EventRecord)}


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
    assert vng == {"praktijkproef-inclusie", "youngchallengers"}
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
