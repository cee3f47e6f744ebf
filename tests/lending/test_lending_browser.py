"""Lending in real headless Chromium: a municipality asks for the Tijdscapsule on its public
page (bad input first), confirms by the link from a real SMTP server, the coordinator approves
it in /beheer, the public page shows it; a second, overlapping request is refused on approval
with the message. Every page passes axe (WCAG 2.1 A/AA) and fits a 320px screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_reflows
from tests.interest.test_interest_browser import assert_accessible
from tests.lending.helpers import days, requested, world
from tests.public_world import deliver, text_of
from trajectories.accounts import services as accounts

pytestmark = pytest.mark.browser

PASSWORD = "een-lang-wachtwoord-2026"
CONFIRM_RE = re.compile(r"https?://\S+?/uitlenen/bevestigen\?t=[\w.\-]+")


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def capsule(app, session):
    with app.test_request_context():
        vng, capsule = world(session)
    accounts.create_coordinator(session, email="carla@vng.example", name="Carla",
                                password=PASSWORD, organiser=vng)
    session.close()
    return capsule


def local(live_server: str, link: str) -> str:
    return live_server + re.sub(r"^https?://[^/]+", "", link)


def test_request_confirm_approve_and_an_overlap_refused(app, live_server, page, smtp_sink,
                                                       session, capsule):
    page.goto(live_server + "/uitlenen/")
    assert_accessible(page, "objects")
    page.get_by_role("link", name="Tijdscapsule").click()
    expect(page.get_by_role("heading", name="Tijdscapsule", level=1)).to_be_visible()
    assert_accessible(page, "object page with the form")
    assert_reflows(page)

    form = page.locator("form.loan-form")
    form.get_by_label("Naam", exact=True).fill("Fatima el Amrani")
    form.get_by_label("E-mailadres").fill("f.elamrani@zwolle.example")
    form.get_by_label("Gemeente").select_option("GM0193")
    form.get_by_label("Van (dag van de overdracht)").fill(days(20).isoformat())
    form.get_by_label("Tot en met (dag van het terugbrengen)").fill(days(10).isoformat())
    form.get_by_label("Plaats en adres van de overdracht").fill("Stadhuis Zwolle")
    form.get_by_role("button", name="Periode aanvragen").click()
    expect(page.get_by_text("De einddatum ligt vóór de begindatum.").first).to_be_visible()
    assert_accessible(page, "request form with errors")
    page.get_by_label("Tot en met (dag van het terugbrengen)").fill(days(27).isoformat())
    page.get_by_role("button", name="Periode aanvragen").click()
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()

    deliver(app)
    [confirmation] = smtp_sink.wait_for(1)
    page.goto(local(live_server, CONFIRM_RE.search(text_of(confirmation)).group(0)))
    assert_accessible(page, "confirm page")
    page.get_by_role("button", name="Ja, bevestig mijn aanvraag").click()
    expect(page.get_by_text("Je aanvraag staat in de wachtrij.")).to_be_visible()

    # A second municipality asks for overlapping days (already confirmed).
    with app.test_request_context():
        requested(session, capsule, days(25), days(30), name="Bram de Vries",
                  email="b.devries@utrecht.example", municipality="GM0344")
    session.close()

    page.goto(live_server + "/beheer/")
    page.get_by_label("E-mailadres").fill("carla@vng.example")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Uitlenen").first.click()
    assert_accessible(page, "coordinator: objects and calendar")
    page.get_by_role("link", name="Tijdscapsule", exact=True).click()
    assert_accessible(page, "coordinator: the queue")
    queue = page.locator("ol.loan-queue > li")
    expect(queue).to_have_count(2)
    expect(queue.nth(0)).to_contain_text("Zwolle")  # first come, first served
    expect(queue.nth(1)).to_contain_text("Utrecht")
    queue.nth(0).get_by_role("button", name=re.compile("^Goedkeuren")).click()
    expect(page.get_by_text("De uitlening is goedgekeurd")).to_be_visible()
    queue.nth(0).get_by_role("button", name=re.compile("^Goedkeuren")).click()  # Utrecht
    expect(page.get_by_text("Deze periode overlapt met een goedgekeurde uitlening van "
                            "Tijdscapsule")).to_be_visible()
    assert_accessible(page, "coordinator: the overlap refused")
    expect(page.locator("ol.loan-queue > li")).to_have_count(1)

    page.goto(live_server + "/beheer/uitlenen/")
    expect(page.get_by_role("cell", name="Zwolle", exact=True)).to_be_visible()
    page.get_by_role("link", name="Nieuw object").click()
    assert_accessible(page, "coordinator: new object")

    page.goto(live_server + "/uitlenen/tijdscapsule")
    where = page.locator("table.loans")
    expect(where).to_contain_text("Zwolle")
    expect(where).not_to_contain_text("Utrecht")
    expect(page.get_by_text("f.elamrani@zwolle.example")).to_have_count(0)
    deliver(app)
    approved = [m for m in smtp_sink.wait_for(2) if "Goedgekeurd" in str(m["Subject"])]
    assert [str(m["To"]) for m in approved] == ["f.elamrani@zwolle.example"]
