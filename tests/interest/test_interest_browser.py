"""The interest list in real headless Chromium: a visitor joins it on a track page (with the
confirmation link from a real SMTP server), a coordinator opens an edition's registration in
/beheer, the visitor receives exactly one mail, and leaves the list from /mijn."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlmodel import select

from tests import factories
from tests.public_world import deliver, text_of
from trajectories.accounts import services as accounts
from trajectories.catalogue import services as catalogue
from trajectories.catalogue.models import Edition
from trajectories.core.clock import to_local, utcnow
from trajectories.interest.models import InterestEntry

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
_axe = Axe()


def assert_accessible(page, label: str) -> None:
    page.wait_for_load_state("load")
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert violations == [], f"{label}: " + "; ".join(
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations)

PASSWORD = "een-lang-wachtwoord-2026"
CONFIRM_RE = re.compile(r"https?://\S+?/inschrijving/op-de-hoogte\?t=[\w.\-]+")


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def migration(session):
    """VVSG's track Migratie with a published edition whose registration has no dates yet."""
    vvsg = factories.organiser(session, slug="vvsg", name="VVSG", country="BE")
    accounts.create_coordinator(session, email="hanne@vvsg.example", name="Hanne",
                                password=PASSWORD, organiser=vvsg)
    track = factories.track(session, vvsg, slug="migratie", title="Migratie en ontwikkeling")
    edition = factories.edition(session, track, slug="2027", name="2027",
                                timezone="Europe/Brussels")
    session.close()
    return {"track": track, "edition": edition}


def local(live_server: str, link: str) -> str:
    return live_server + re.sub(r"^https?://[^/]+", "", link)


def announcements(smtp_sink) -> list:
    return [m for m in smtp_sink.messages if "is open" in str(m["Subject"])]


def test_join_open_registration_one_mail_and_leave(app, live_server, page, smtp_sink, session,
                                                   migration):
    page.goto(live_server + "/vvsg/migratie/")
    assert_accessible(page, "track page with the interest form")
    form = page.locator("form.interest-form")
    # Bad input first: nothing is sent, the messages say what to fix.
    form.get_by_label("E-mailadres").fill("geen-adres")
    form.get_by_role("button", name="Houd me op de hoogte").click()
    expect(page.get_by_text("Vul een geldig e-mailadres in").first).to_be_visible()
    expect(page.get_by_text("Kies je gemeente uit de lijst").first).to_be_visible()
    assert_accessible(page, "interest form with errors")
    page.get_by_label("Naam", exact=True).fill("Wout Janssens")
    page.get_by_label("E-mailadres").fill("wout@leuven.example")
    page.get_by_label("Gemeente").select_option("24062")
    page.get_by_role("button", name="Houd me op de hoogte").click()
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()

    deliver(app)
    confirmation = smtp_sink.wait_for(1)[0]
    page.goto(local(live_server, CONFIRM_RE.search(text_of(confirmation)).group(0)))
    page.get_by_role("button", name="Ja, houd me op de hoogte").click()
    expect(page.get_by_text("Je staat op de lijst.")).to_be_visible()
    expect(page.get_by_role("heading", name="Migratie en ontwikkeling")).to_be_visible()

    # The coordinator sees the list and opens registration in the edition's settings.
    coordinator = page.context.browser.new_context(locale="nl-NL").new_page()
    coordinator.goto(live_server + "/beheer/")
    coordinator.get_by_label("E-mailadres").fill("hanne@vvsg.example")
    coordinator.get_by_label("Wachtwoord").fill(PASSWORD)
    coordinator.get_by_role("button", name="Inloggen").click()
    coordinator.goto(f"{live_server}/beheer/trajecten/{migration['track'].id}")
    expect(coordinator.get_by_text("1 persoon wil bericht")).to_be_visible()
    expect(coordinator.get_by_role("cell", name="Leuven")).to_be_visible()
    now = to_local(utcnow(), "Europe/Brussels")
    for _ in range(2):  # saving twice still sends one mail
        coordinator.goto(f"{live_server}/beheer/edities/{migration['edition'].id}/bewerken")
        coordinator.get_by_label("Inschrijving opent").fill(
            (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        coordinator.get_by_label("Inschrijving sluit").fill(
            (now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
        coordinator.get_by_role("button", name="Opslaan").click()
        coordinator.get_by_text("Wijzigingen opgeslagen.").wait_for()
        deliver(app)
    coordinator.context.close()
    smtp_sink.wait_for(2)
    [mail] = announcements(smtp_sink)
    assert str(mail["To"]) == "wout@leuven.example"
    assert "/vvsg/migratie/" in text_of(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The track page now offers registration, not the list.
    page.goto(live_server + "/vvsg/migratie/")
    expect(page.locator("form.interest-form")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Inschrijven voor"))).to_be_visible()

    # Leaving from /mijn.
    page.goto(live_server + "/mijn/")
    page.get_by_role("button", name=re.compile("^Van de lijst")).click()
    expect(page.get_by_text("Je staat niet meer op de lijst van dit leertraject.")).to_be_visible()
    session.expire_all()
    assert session.exec(select(InterestEntry)).all() == []


def test_leaving_by_the_link_in_the_mail(app, live_server, page, smtp_sink, session, migration):
    page.goto(live_server + "/vvsg/migratie/")
    page.get_by_label("Naam", exact=True).fill("Nora Maes")
    page.get_by_label("E-mailadres").fill("nora@mechelen.example")
    page.get_by_label("Gemeente").select_option("12025")
    page.get_by_role("button", name="Houd me op de hoogte").click()
    deliver(app)
    page.goto(local(live_server, CONFIRM_RE.search(text_of(smtp_sink.wait_for(1)[0])).group(0)))
    page.get_by_role("button", name="Ja, houd me op de hoogte").click()
    expect(page.get_by_text("Je staat op de lijst.")).to_be_visible()
    with app.app_context():
        now = utcnow()
        catalogue.update_edition(session, session.get(Edition, migration["edition"].id),
                                 name="2027", timezone="Europe/Brussels",
                                 registration_opens_at=now - timedelta(minutes=5),
                                 registration_closes_at=now + timedelta(days=5))
    session.close()
    deliver(app)
    smtp_sink.wait_for(2)
    [mail] = announcements(smtp_sink)
    page.goto(local(live_server, mail["List-Unsubscribe"].strip("<>")))
    assert_accessible(page, "leave the list")
    page.get_by_role("button", name="Haal me van de lijst").click()
    expect(page.get_by_text("Je staat niet meer op de lijst van Migratie en ontwikkeling")
           ).to_be_visible()
    session.expire_all()
    assert session.exec(select(InterestEntry)).all() == []


def test_regional_meetings_listing_is_accessible(live_server, page, session):
    vng = factories.organiser(session, slug="vng", name="VNG")
    track = factories.track(session, vng, slug="regionaal", title="Regionale bijeenkomsten",
                            kind="regional_meeting")
    for slug, region, day in (("noord", "Noord", utcnow().date() + timedelta(days=20)),
                              ("zuid", "Zuid", utcnow().date() - timedelta(days=400))):
        edition = factories.edition(session, track, slug=slug, name=region, region=region)
        factories.meeting(session, edition, on_date=day, title=f"Bijeenkomst {region}")
    session.close()
    page.goto(live_server + "/")
    page.get_by_role("link", name="Regionale bijeenkomsten: per regio en datum").click()
    expect(page.get_by_role("heading", name="Regionale bijeenkomsten", level=1)).to_be_visible()
    assert_accessible(page, "regional meetings")
    page.get_by_label("Regio", exact=True).select_option("Zuid")
    page.get_by_role("button", name="Tonen").click()
    expect(page.get_by_text("Bijeenkomst Zuid")).to_be_visible()
    expect(page.get_by_text("Bijeenkomst Noord")).to_have_count(0)
