"""The province pages are built once per change and language, like the catalogue: a second visit
answers from memory without a query; a new ambassador, a newly published Menukaart example or a
new municipality taking part shows on the next visit (in this process at once, from another
process once the version is checked); the municipalities come from a query of that province."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, update
from sqlmodel import select

from tests import factories
from tests.conftest import stand_clock_still
from tests.menukaart.helpers import example_data
from tests.public_world import closing_client
from tests.web.test_page_cache import html
from trajectories.ambassadors import provinces
from trajectories.ambassadors import queries as ambassador_queries
from trajectories.ambassadors import services as ambassadors
from trajectories.ambassadors.models import Ambassador
from trajectories.menukaart import services as menukaart
from trajectories.menukaart.models import Example, ExampleStatus
from trajectories.people import services as people
from trajectories.people.models import Organisation
from trajectories.web.page_cache import page_cache

START = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
PAGE = "/provincies/overijssel"
PAGES = ("/provincies/", PAGE, f"{PAGE}?lang=en")
APPOINTED = {"province": "overijssel", "name": "Femke Jansen", "role": "wethouder",
             "municipality_code": "GM0193", "contact_email": "", "starts_on": date(2023, 1, 1),
             "ends_on": None}


@pytest.fixture
def own_clock(monkeypatch):
    return stand_clock_still(monkeypatch, START)


@pytest.fixture
def world(app, session, own_clock):
    vng = factories.organiser(session, slug="vng", name="VNG", country="NL")
    edition = factories.edition(session, trk=factories.track(session, vng, slug="inclusie"),
                                slug="2031", name="2031", capacity=20)
    zwolle = factories.municipality(session, name="Zwolle", code="GM0193")
    take_part(session, edition, zwolle)
    session.commit()
    return {"vng": vng, "edition": edition}


def take_part(session, edition, organisation) -> None:
    n = session.info.setdefault("n", [0])
    n[0] += 1
    person = factories.participant(session, organisation_id=organisation.id,
                                   email=f"deelnemer{n[0]}@{organisation.code.lower()}.example")
    people.admit(session, people.enroll(session, edition, person))


@pytest.fixture
def client(app, session, own_clock):
    return closing_client(app, session)


@pytest.mark.parametrize("path", PAGES)
def test_a_province_page_seen_before_is_answered_without_a_query(app, session, world,
                                                                 statements, path):
    session.close()
    client = app.test_client()
    first = html(client.get(path))
    statements.clear()
    assert html(client.get(path)) == first
    assert statements == []


def test_the_municipalities_taking_part_are_read_for_that_province_only(app, session, world,
                                                                        statements):
    session.close()
    assert "<li>Zwolle</li>" in html(app.test_client().get(PAGE))
    reads = [q for q in statements if "enrollment.status" in q]  # who took part
    assert len(reads) == 1 and "organisation_1.province = " in reads[0], reads


def test_a_new_ambassador_shows_at_once(client, session, world):
    for path in PAGES:
        assert "Femke Jansen" not in html(client.get(path))
    ambassadors.appoint(session, world["vng"], APPOINTED)
    session.commit()
    for path in PAGES:
        assert "Femke Jansen" in html(client.get(path))


def test_a_newly_published_example_shows_at_once(app, client, session, world):
    with app.test_request_context():
        example = menukaart.create_example(session, world["vng"], example_data(
            municipality="GM0193", title="Zwolse repaircafés"))
        session.commit()
    assert "Zwolse repaircafés" not in html(client.get(PAGE))
    menukaart.publish(session, session.get(Example, example.id))
    session.commit()
    assert "Zwolse repaircafés" in html(client.get(PAGE))
    assert "Zwolse repaircafés" in html(client.get(f"{PAGE}?lang=en"))


def test_a_new_municipality_taking_part_shows_at_once(client, session, world):
    assert "Deventer" not in html(client.get(PAGE))
    take_part(session, world["edition"], factories.municipality(session, name="Deventer",
                                                                code="GM0150"))
    session.commit()
    page = html(client.get(PAGE))
    assert "<li>Deventer</li>" in page and "<li>Zwolle</li>" in page
    assert "2 gemeenten uit Overijssel namen deel" in page


def test_a_change_from_another_process_shows_once_the_version_is_checked(app, client, session,
                                                                         world):
    """Rows written past this process's sessions (as another worker would): the page stays as
    it was until its version is checked (FRESH_SECONDS), then shows them."""
    with app.test_request_context():
        example = menukaart.create_example(session, world["vng"], example_data(
            municipality="GM0193", title="Zwolse repaircafés"))
    session.commit()
    before = [html(client.get(path)) for path in PAGES]
    engine = app.extensions["trajectories.db"].engine
    with engine.begin() as conn:
        conn.execute(insert(Ambassador).values(
            organiser_id=world["vng"].id, country="NL", province="Overijssel", name="Henk Bos",
            role="wethouder", municipality_code="GM0193", municipality="Zwolle",
            starts_on=date(2023, 1, 1), created_at=START, updated_at=START))
        conn.execute(update(Example).where(Example.id == example.id).values(
            status=ExampleStatus.PUBLISHED, published_at=START,
            updated_at=START + timedelta(seconds=1)))
    assert [html(client.get(path)) for path in PAGES] == before  # still fresh
    with app.app_context():
        page_cache().forget_recent()  # FRESH_SECONDS passed
    for path in PAGES:
        assert "Henk Bos" in html(client.get(path))
    assert "Zwolse repaircafés" in html(client.get(PAGE))


def test_a_merged_municipality_is_named_with_the_new_one(app, session, world):
    """As in the reach report: a former municipality's participation counts under the one that
    replaced it, named beside it; the other country's provinces stay apart."""
    dalfsen = factories.municipality(session, name="Dalfsen", code="GM0148")
    take_part(session, world["edition"], dalfsen)
    zwolle = session.exec(select(Organisation).where(Organisation.code == "GM0193")).one()
    dalfsen.merged_into_id = zwolle.id
    session.add(dalfsen)
    session.commit()
    with app.test_request_context():
        names = ambassador_queries.participating(session, provinces.by_slug("overijssel"))
        assert names == ["Zwolle (incl. voormalig Dalfsen)"]
        assert ambassador_queries.participating(session, provinces.by_slug("limburg-be")) == []


@pytest.mark.parametrize("slug", ["atlantis", "Overijssel", "limburg"])
def test_an_unknown_province_still_answers_404_after_a_cached_visit(client, world, slug):
    html(client.get(PAGE))
    assert client.get(f"/provincies/{slug}").status_code == 404
    assert client.get(f"/provincies/{slug}").status_code == 404
