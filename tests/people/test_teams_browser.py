"""A team in real Chromium: two civil servants of Utrecht register for an edition of five places
counted per municipality; the second is told they join Utrecht's team, the public page shows four
places left for municipalities, one hands in the municipality's text, and the scheduler's nudges
(fired through the same code path the running scheduler uses) stop for both; the other sees
the deadline done for the team."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests import factories
from tests.coordinator_helpers import PASSWORD
from tests.public_world import LINK_RE, deliver, open_edition, text_of
from tests.schedule.test_deliverables_page import _login
from tests.web.test_public_browser import assert_accessible, hand_in, local
from trajectories.accounts import services as accounts
from trajectories.core.clock import utcnow
from trajectories.mail.models import OutboxMessage
from trajectories.people.models import Enrollment
from trajectories.schedule import services as schedule
from trajectories.schedule.models import DeliveredBy, Meeting
from trajectories.scheduler.jobs import process_moment
from trajectories.scheduler.models import PlannedMoment

pytestmark = pytest.mark.browser

TEAM = "Je gemeente neemt al deel: je wordt toegevoegd aan het team van Utrecht."


@pytest.fixture
def app(mail_app):
    return mail_app


def _text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def _link_to(app, smtp_sink, address: str) -> str:
    """The confirmation link of the last mail to `address` (the outbox drained first: the drain
    returns once the SMTP server accepted the mail)."""
    deliver(app)
    links = [LINK_RE.search(text_of(m)) for m in smtp_sink.to(address)]
    confirmations = [m.group(0) for m in links if m and "bevestigen" in m.group(0)]
    assert confirmations, f"no confirmation link mailed to {address}"
    return confirmations[-1]


def _register(app, live_server, page, smtp_sink, name: str, email: str) -> str:
    """Register from Utrecht and confirm from the mail: the text of the page after the form."""
    page.goto(live_server + "/vng/inclusie/")
    page.get_by_role("link", name="Inschrijven voor editie 2030").click()
    page.get_by_label("Naam", exact=True).fill(name)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Gemeente of organisatie").select_option(label="Utrecht")
    assert_accessible(page, "registration form, places per municipality")
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()
    assert_accessible(page, "check your mail")
    after_form = _text(page)
    page.goto(local(live_server, _link_to(app, smtp_sink, email)))
    page.get_by_role("button", name="Ja, ik bevestig mijn inschrijving").click()
    expect(page.get_by_role("heading", name="Mijn leertrajecten", level=1)).to_be_visible()
    return after_form


def test_a_team_of_two_takes_one_place_and_one_hand_in_stops_the_nudges_for_both(
        app, live_server, browser, page, smtp_sink, session):
    vng = factories.organiser(session, slug="vng", name="VNG")
    accounts.create_coordinator(session, email="nl@example.org", name="Coördinator",
                                password=PASSWORD, organiser=vng)
    track = factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie")
    edition = open_edition(session, trk=track, slug="2030", name="2030", capacity=5,
                           place_unit="organisation", eligibility="municipalities")
    factories.meeting(session, edition, on_date=utcnow().date() + timedelta(days=7),
                      title="Werksessie")
    deadline = schedule.set_deadline(session, edition, title="Lokale tekst",
                                     due_date=utcnow().date() + timedelta(days=20),
                                     delivered_by=DeliveredBy.ORGANISATION)
    deadline_id = deadline.id
    session.close()

    page.goto(live_server + "/vng/inclusie/")
    assert "nog 5 plaatsen voor gemeenten vrij van 5" in _text(page)
    first = _register(app, live_server, page, smtp_sink, "Anna de Wit", "anna@utrecht.example")
    assert TEAM not in first and TEAM not in _text(page)

    # The colleague, in a browser of their own, is told they join Utrecht's team.
    context = browser.new_context(locale="nl-NL")
    colleague = context.new_page()
    try:
        second = _register(app, live_server, colleague, smtp_sink, "Bert Visser",
                           "bert@utrecht.example")
        assert TEAM in second
        assert TEAM in _text(colleague)

        # One place taken for the two of them.
        page.goto(live_server + "/vng/inclusie/")
        assert "nog 4 plaatsen voor gemeenten vrij van 5" in _text(page)
        with app.extensions["trajectories.db"].session() as s:
            assert [e.status for e in s.exec(select(Enrollment))] == ["admitted", "admitted"]

        def moment(offset: str) -> PlannedMoment:
            with app.extensions["trajectories.db"].session() as s:
                return s.exec(select(PlannedMoment).where(
                    PlannedMoment.job_id == f"nudge:deadline:{deadline_id}:{offset}")).one()

        def nudges() -> dict[str, list[str]]:
            deliver(app)
            with app.extensions["trajectories.db"].session() as s:
                rows = s.exec(select(OutboxMessage).where(
                    OutboxMessage.kind.in_(["nudge", "overdue"])).order_by(OutboxMessage.id))
                found: dict[str, list[str]] = {}
                for row in rows:
                    found.setdefault(row.to, []).append(row.status)
                return found

        # Before the hand-in the scheduler nudges the whole team.
        early = moment("P14D")
        assert process_moment(app, early.job_id, now=early.due_at) == "sent"
        assert nudges() == {"anna@utrecht.example": ["sent"], "bert@utrecht.example": ["sent"]}

        colleague.reload()
        hand_in(colleague, "Lokale tekst")
    finally:
        context.close()

    # After it, no later moment reaches either of them.
    for offset in ("P3D", "P0D"):
        later = moment(offset)
        process_moment(app, later.job_id, now=later.due_at)
    with app.extensions["trajectories.db"].session() as s:
        overdue = s.exec(select(PlannedMoment).where(
            PlannedMoment.job_id == f"overdue:deadline:{deadline_id}:P2D")).one()
    process_moment(app, overdue.job_id, now=overdue.due_at)
    assert nudges() == {"anna@utrecht.example": ["sent"], "bert@utrecht.example": ["sent"]}

    # Anna sees the deadline done for Utrecht, by her colleague.
    page.goto(live_server + "/mijn/")
    assert "ingeleverd door Bert Visser voor Utrecht" in _text(page)
    page.get_by_role("link", name=re.compile(r"^Inleveren\W+Lokale tekst$")).click()
    assert "Bert Visser leverde dit op" in _text(page)
    assert "dat geldt voor je hele gemeente, en je krijgt er geen herinneringen meer voor" \
        in _text(page)
    assert_accessible(page, "a deadline the team delivered")

    # The coordinator sees the team's hand-in and that its reminders stopped.
    _login(page, live_server)
    page.goto(f"{live_server}/beheer/deadlines/{deadline_id}")
    deliverables = _text(page)
    assert "1 van 1 gemeente ingeleverd" in deliverables
    assert "In deze editie: 1 gemeente · 2 deelnemers." in deliverables
    row = " ".join(page.locator("table tbody tr").first.inner_text().split())
    assert row.startswith("Utrecht Anna de Wit, Bert Visser")
    assert "Herinneringen: gestopt voor het hele team" in row and "door Bert Visser" in row
    assert_accessible(page, "deliverables per team")
    # The enrollments and attendance pages group the team too, and pass axe-core.
    page.get_by_role("link", name="Inschrijvingen").first.click()
    assert "Toegelaten: 1 gemeente · 2 deelnemers. 1 van 5 plaatsen voor gemeenten bezet" \
        in _text(page)
    expect(page.get_by_role("rowheader", name="Utrecht · 2 deelnemers")).to_be_visible()
    assert_accessible(page, "enrollments per team")
    with app.extensions["trajectories.db"].session() as s:
        meeting_id = s.exec(select(Meeting.id)).one()
    page.goto(f"{live_server}/beheer/sessies/{meeting_id}/aanwezigheid")
    expect(page.get_by_role("group", name="Utrecht · 2 deelnemers")).to_be_visible()
    assert_accessible(page, "attendance per team")
