"""The Menukaart in real headless Chromium: a municipality proposes an example through the
public form, confirms it by the link in the mail (from a real SMTP server), a coordinator
publishes it in /beheer, and it appears on /menukaart/ and on the municipality's page; an
example made from a deliverable needs the municipality's consent. Every page passes axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.interest.test_interest_browser import assert_accessible
from tests.public_world import deliver, text_of
from trajectories.accounts import services as accounts
from trajectories.people import services as people
from trajectories.schedule import services as schedule

pytestmark = pytest.mark.browser

PASSWORD = "een-lang-wachtwoord-2026"
CONFIRM_RE = re.compile(r"https?://\S+?/menukaart/bevestigen\?t=[\w\-]+")
CONSENT_RE = re.compile(r"https?://\S+?/menukaart/toestemming\?t=[\w\-]+")


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def vng(session):
    vng = factories.organiser(session, slug="vng", name="VNG", country="NL")
    accounts.create_coordinator(session, email="coordinator@vng.example", name="Coördinator",
                                password=PASSWORD, organiser=vng)
    session.close()
    return vng


def local(live_server: str, link: str) -> str:
    return live_server + re.sub(r"^https?://[^/]+", "", link)


def sign_in(page, live_server):
    tab = page.context.browser.new_context(locale="nl-NL").new_page()
    tab.goto(live_server + "/beheer/")
    tab.get_by_label("E-mailadres").fill("coordinator@vng.example")
    tab.get_by_label("Wachtwoord").fill(PASSWORD)
    tab.get_by_role("button", name="Inloggen").click()
    return tab


def test_propose_confirm_publish_and_find_it(app, live_server, page, smtp_sink, session, vng):
    page.goto(live_server + "/menukaart/")
    assert_accessible(page, "the Menukaart, empty")
    page.get_by_role("link", name="Stel een voorbeeld voor").first.click()
    assert_accessible(page, "the proposal form")
    # Bad input first: nothing is sent, the messages say what to fix.
    page.get_by_label("E-mailadres", exact=True).fill("geen-adres")
    page.get_by_role("button", name="Voorstel versturen").click()
    expect(page.get_by_text("Vul een geldig e-mailadres in").first).to_be_visible()
    expect(page.get_by_text("Kies de gemeente uit de lijst").first).to_be_visible()
    assert_accessible(page, "the proposal form with errors")
    page.get_by_label("Naam", exact=True).fill("Piet Jansen")
    page.get_by_label("E-mailadres", exact=True).fill("piet@zwolle.example")
    page.get_by_label("Gemeente", exact=True).select_option("GM0193")
    page.get_by_label("Titel van het voorbeeld").fill("Zwolse repaircafés")
    page.get_by_label("Korte beschrijving").fill("Repareren in plaats van weggooien.")
    page.get_by_label("Wat is er gedaan").fill("Elke maand een repaircafé in de wijkcentra.")
    page.get_by_label("12. ").check()
    page.get_by_label("Thema", exact=True).fill("Circulaire economie")
    page.get_by_label("Jaar", exact=True).fill("2025")
    page.get_by_label("Toon mijn naam en e-mailadres").check()
    page.get_by_role("button", name="Voorstel versturen").click()
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()

    deliver(app)
    mail = smtp_sink.wait_for(1)[0]
    assert str(mail["To"]) == "piet@zwolle.example"
    # Not confirmed yet: the coordinator does not see it.
    coordinator = sign_in(page, live_server)
    coordinator.goto(live_server + "/beheer/menukaart/voorstellen")
    expect(coordinator.get_by_text("Er wachten geen voorstellen.")).to_be_visible()

    page.goto(local(live_server, CONFIRM_RE.search(text_of(mail)).group(0)))
    assert_accessible(page, "confirming a proposal")
    page.get_by_role("button", name="Ja, bevestig mijn voorstel").click()
    expect(page.get_by_role("heading", name="Bedankt voor je voorstel")).to_be_visible()
    page.goto(live_server + "/menukaart/")
    expect(page.get_by_text("Zwolse repaircafés")).to_have_count(0)  # not before review

    coordinator.goto(live_server + "/beheer/menukaart")
    assert_accessible(coordinator, "the coordinator's Menukaart")
    coordinator.get_by_role("link", name="1 voorstel te beoordelen").click()
    assert_accessible(coordinator, "the review list")
    coordinator.get_by_role("button", name=re.compile(r"^Publiceren\W+Zwolse")).click()
    expect(coordinator.get_by_text("Het voorbeeld staat op de Menukaart.")).to_be_visible()
    assert_accessible(coordinator, "the example's form in /beheer")
    coordinator.context.close()

    page.goto(live_server + "/menukaart/")
    page.get_by_label("Provincie").select_option("Overijssel")
    page.get_by_label("Zoeken", exact=True).fill("repaircafé")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_text("1 voorbeeld gevonden")).to_be_visible()
    assert_accessible(page, "the Menukaart, filtered")
    page.get_by_role("link", name="Zwolse repaircafés").click()
    expect(page.get_by_role("heading", name="Zwolse repaircafés", level=1)).to_be_visible()
    expect(page.get_by_text("piet@zwolle.example")).to_be_visible()  # he agreed
    assert_accessible(page, "an example's page")
    page.get_by_role("link", name="Gemeente Zwolle").click()
    expect(page.get_by_role("heading", name="Gemeente Zwolle")).to_be_visible()
    expect(page.get_by_role("link", name="Zwolse repaircafés")).to_be_visible()
    assert_accessible(page, "a municipality's page")


def test_an_example_from_a_deliverable_waits_for_consent(app, live_server, page, smtp_sink,
                                                          session, vng):
    with app.app_context():
        track = factories.track(session, vng, slug="inclusie", title="Inclusie", sdgs=[10])
        edition = factories.edition(session, track, slug="2026", name="2026")
        deadline = schedule.set_deadline(session, edition, title="Inclusieagenda",
                                         due_date=edition.created_at.date())
        zwolle = people.create_organisation(session, name="Zwolle", kind="municipality",
                                            country="NL", code="GM0193")
        person = factories.participant(session, name="Sara Smit", email="sara@zwolle.example",
                                       organisation_id=zwolle.id)
        people.enroll(session, edition, person)
        submission = people.submit(session, deadline, person, text="Onze inclusieagenda.")
        submission_id = submission.id
    session.close()
    coordinator = sign_in(page, live_server)
    coordinator.goto(f"{live_server}/beheer/inzendingen/{submission_id}")
    coordinator.get_by_role("button", name="Maak voorbeeld").click()
    expect(coordinator.get_by_text("Concept gemaakt.")).to_be_visible()
    expect(coordinator.get_by_role("button", name="Publiceren")).to_have_count(0)
    coordinator.get_by_role("button", name="Toestemming vragen").click()
    expect(coordinator.get_by_text("Toestemming gevraagd aan sara@zwolle.example.")).to_be_visible()
    page.goto(live_server + "/menukaart/")
    expect(page.get_by_text("Inclusieagenda")).to_have_count(0)

    deliver(app)
    mail = smtp_sink.wait_for(1)[0]
    page.goto(local(live_server, CONSENT_RE.search(text_of(mail)).group(0)))
    assert_accessible(page, "the consent page")
    page.get_by_role("button", name="Ja, publiceer dit voorbeeld").click()
    expect(page.get_by_text("Het voorbeeld staat nu op de Menukaart.")).to_be_visible()
    page.goto(live_server + "/gemeenten/GM0193")
    expect(page.get_by_role("link", name=re.compile("Inclusieagenda"))).to_be_visible()
    expect(page.get_by_text("sara@zwolle.example")).to_have_count(0)  # no consent for that
    expect(page.get_by_role("link", name="Inclusie", exact=True)).to_be_visible()  # took part
    expect(page.get_by_text("Sara Smit")).to_have_count(0)  # and no names
    coordinator.context.close()
