"""The deliverables page of a deadline: the count and the list agree and say what they count
(municipalities for a deadline delivered per municipality, participants otherwise), and a
coordinator gives a participant or a whole municipality more time there; the nudges and the
personal feed follow at once."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
from sqlmodel import select

from tests import factories
from tests.coordinator_helpers import PASSWORD
from trajectories.accounts import services as accounts
from trajectories.core.clock import utcnow
from trajectories.core.models import EventRecord
from trajectories.feeds import rotate_feed_token
from trajectories.people import services as people
from trajectories.schedule import services as schedule
from trajectories.schedule.models import DeadlineExtension, DeliveredBy
from trajectories.scheduler.models import MomentStatus, PlannedMoment


def _four_towns(session, delivered_by):
    """Five participants of four municipalities (Assen has two); one of Assen delivered."""
    organiser = factories.organiser(session, slug="vng", name="VNG")
    accounts.create_coordinator(session, email="nl@example.org", name="Coördinator",
                                password=PASSWORD, organiser=organiser)
    edition = factories.edition(session, factories.track(session, organiser), slug="2031")
    towns = {name: factories.municipality(session, name) for name in
             ("Assen", "Borger-Odoorn", "Coevorden", "Emmen")}
    people_by_name = {}
    for name, town in [("Anna", "Assen"), ("Arend", "Assen"), ("Bea", "Borger-Odoorn"),
                       ("Cas", "Coevorden"), ("Eva", "Emmen")]:
        person = factories.participant(session, name=name, organisation_id=towns[town].id)
        people.enroll(session, edition, person)
        people_by_name[name] = person
    due = (utcnow() + timedelta(days=30)).date()
    deadline = schedule.set_deadline(session, edition, title="Lokaal plan", due_date=due,
                                     delivered_by=delivered_by)
    people.submit(session, deadline, people_by_name["Arend"], text="Ons plan")
    return edition, deadline, towns, people_by_name


def _login(page, base):
    page.goto(base + "/beheer/")
    page.get_by_label("E-mailadres").fill("nl@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", name="Overzicht").wait_for()


def _rows(page) -> list[str]:
    return [" ".join(r.split()) for r in page.locator("table tbody tr").all_inner_texts()]


@pytest.mark.browser
def test_a_municipality_deadline_is_counted_and_listed_per_municipality(app, live_server, page):
    db = app.extensions["trajectories.db"]
    with db.session() as s:
        _edition, deadline, _towns, _people = _four_towns(s, DeliveredBy.ORGANISATION)
        deadline_id = deadline.id
    _login(page, live_server)
    page.goto(f"{live_server}/beheer/deadlines/{deadline_id}")
    assert page.get_by_text("1 van 4 gemeenten ingeleverd").is_visible()
    rows = _rows(page)
    assert len(rows) == 4
    assert rows[0].startswith("Assen Anna, Arend")
    assert "door Arend" in rows[0]
    assert [r.split()[-2:] for r in rows[1:]] == [["nog", "niet"]] * 3
    assert rows[1].startswith("Borger-Odoorn Bea")
    # The list and the extension form pass axe-core (WCAG 2.1 A/AA).
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]})
    assert result.violations_count == 0, result.generate_report()


@pytest.mark.browser
def test_a_personal_deadline_is_counted_and_listed_per_participant(app, live_server, page):
    db = app.extensions["trajectories.db"]
    with db.session() as s:
        _edition, deadline, _towns, _people = _four_towns(s, DeliveredBy.PARTICIPANT)
        deadline_id = deadline.id
    _login(page, live_server)
    page.goto(f"{live_server}/beheer/deadlines/{deadline_id}")
    assert page.get_by_text("1 van 5 deelnemers ingeleverd").is_visible()
    rows = _rows(page)
    assert len(rows) == 5
    assert sum(1 for r in rows if r.endswith("nog niet")) == 4
    # The edition page says the same.
    page.goto(f"{live_server}/beheer/edities/{_edition.id}")
    assert page.get_by_text("1 van 5 deelnemers ingeleverd").is_visible()


def _feed_due(client, token: str, title: str) -> date:
    response = client.get(f"/feeds/p/{token}.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    event = next(e for e in calendar.walk("VEVENT") if title in str(e["SUMMARY"]))
    return event["DTSTART"].dt


@pytest.mark.browser
def test_extension_for_a_municipality_moves_its_peoples_feed_and_nudges(app, live_server, page):
    db = app.extensions["trajectories.db"]
    with db.session() as s:
        _edition, deadline, _towns, by_name = _four_towns(s, DeliveredBy.ORGANISATION)
        deadline_id, due = deadline.id, deadline.due_date
        bea_id, cas_id = by_name["Bea"].id, by_name["Cas"].id
        bea_token = rotate_feed_token(s, by_name["Bea"])
        cas_token = rotate_feed_token(s, by_name["Cas"])
    client = app.test_client()
    assert _feed_due(client, bea_token, "Lokaal plan") == due
    _login(page, live_server)
    page.goto(f"{live_server}/beheer/deadlines/{deadline_id}")
    # A date before the deadline itself is refused beside the field, and nothing changes.
    page.get_by_label("Voor wie").select_option(label="Borger-Odoorn")
    page.get_by_label("Nieuwe datum").fill((due - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Verlengen").click()
    assert "Een verlenging moet na de gewone deadline vallen." in \
        page.locator("#due_date-error").inner_text()
    with db.session() as s:
        assert s.exec(select(DeadlineExtension)).all() == []
    new_due = due + timedelta(days=14)
    page.get_by_label("Voor wie").select_option(label="Borger-Odoorn")
    page.get_by_label("Nieuwe datum").fill(new_due.isoformat())
    page.get_by_role("button", name="Verlengen").click()
    page.get_by_text("Verlenging opgeslagen: Borger-Odoorn levert uiterlijk").wait_for()
    assert "verlengd tot" in _rows(page)[1]
    # Bea's own feed shows the new date at once; Cas (another municipality) keeps the old one.
    assert _feed_due(client, bea_token, "Lokaal plan") == new_due
    assert _feed_due(client, cas_token, "Lokaal plan") == due
    with db.session() as s:
        moments = s.exec(select(PlannedMoment).where(
            PlannedMoment.subject == f"deadline:{deadline_id}",
            PlannedMoment.participant_id == bea_id,
            PlannedMoment.status == MomentStatus.PLANNED)).all()
        assert moments, "Bea's nudges follow her new date"
        assert max(m.due_at for m in moments).date() >= new_due - timedelta(days=1)
        assert not s.exec(select(PlannedMoment).where(
            PlannedMoment.subject == f"deadline:{deadline_id}",
            PlannedMoment.participant_id == cas_id)).all()
        assert s.exec(select(EventRecord).where(
            EventRecord.name == "DeadlineExtended")).all()


def test_extension_of_one_participant_in_english_and_bad_input(app, client, session):
    _edition, deadline, _towns, by_name = _four_towns(session, DeliveredBy.PARTICIPANT)
    from tests.coordinator_helpers import Browser

    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    client.get("/taal/en")
    url = f"/beheer/deadlines/{deadline.id}"
    page = browser.get(url).get_data(as_text=True)
    assert "1 of 5 participants delivered" in page
    assert "Give more time" in page
    # Someone who is not in this edition: refused, nothing stored.
    response = browser.post(url, {"who": "p999999", "due_date": "2099-01-01"})
    assert response.status_code == 400
    assert "Choose a participant or municipality of this edition." in \
        response.get_data(as_text=True)
    response = browser.post(url, {"who": f"p{by_name['Eva'].id}", "due_date": "morgen"})
    assert response.status_code == 400
    # The form keeps the choice, among every participant and escaped as any other.
    assert (f'<option selected value="p{by_name["Eva"].id}">Eva (Emmen)</option>'
            in response.get_data(as_text=True))
    assert session.exec(select(DeadlineExtension)).all() == []
    new_due = deadline.due_date + timedelta(days=7)
    response = browser.post(url, {"who": f"p{by_name['Eva'].id}",
                                  "due_date": new_due.isoformat()}, follow_redirects=True)
    assert "Extension saved" in response.get_data(as_text=True)
    extension = session.exec(select(DeadlineExtension)).one()
    assert (extension.participant_id, extension.due_date) == (by_name["Eva"].id, new_due)


@pytest.mark.parametrize("delivered_by", [DeliveredBy.ORGANISATION, DeliveredBy.PARTICIPANT])
def test_names_on_the_deliverables_page_lead_to_the_history_pages(app, client, session,
                                                                   delivered_by):
    _edition, deadline, towns, by_name = _four_towns(session, delivered_by)
    from tests.coordinator_helpers import Browser

    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    page = browser.get(f"/beheer/deadlines/{deadline.id}").get_data(as_text=True)
    assert f'href="/beheer/gemeenten/{towns["Assen"].id}"' in page
    assert f'href="/beheer/deelnemers/{by_name["Arend"].id}"' in page
    # The links lead somewhere: Assen's page names Arend, who delivered for it.
    assert "Arend" in browser.get(f"/beheer/gemeenten/{towns['Assen'].id}").get_data(as_text=True)
