"""The award in real headless Chromium: a civil servant signs in by the mailed link, starts and
submits a nomination; a jury member scores it; the coordinator shortlists and publishes; the
public page shows the shortlist only after that. Every page passes axe (WCAG 2.1 AA) and
reflows at 320px (the `page` fixture)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.award.world import active_juror, build, new_round
from tests.coordinator_helpers import PASSWORD
from tests.public_world import LINK_RE, deliver, text_of
from trajectories.core.clock import local_today

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
_axe = Axe()
JURY_PASSWORD = "een-lang-jury-wachtwoord"


def assert_accessible(page, label: str) -> None:
    page.wait_for_load_state("load")
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert violations == [], f"{label}: " + "; ".join(
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations)


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def current(session):
    """A round of this year, open now, with a jury member."""
    world = build(session)
    today = local_today("Europe/Amsterdam")
    award_round = new_round(session, world.vng, year=today.year + 1,
                            opens_on=today - timedelta(days=10),
                            closes_on=today + timedelta(days=20))
    active_juror(session, award_round, password=JURY_PASSWORD)
    session.close()
    return award_round


def _login(browser_page, live_server, email, password):
    browser_page.goto(live_server + "/beheer/inloggen")
    browser_page.get_by_label("E-mailadres").fill(email)
    browser_page.get_by_label("Wachtwoord").fill(password)
    browser_page.get_by_role("button", name="Inloggen").click()


def test_nominate_score_shortlist_publish(app, live_server, page, smtp_sink, current):
    year = current.year
    public = f"{live_server}/prijs/{year}"
    page.goto(public)
    assert_accessible(page, "public award page")
    expect(page.get_by_role("heading", name=current.title)).to_be_visible()
    expect(page.get_by_text("Inspiratie (weegt 3)")).to_be_visible()

    # The civil servant signs in by mail link and nominates Utrecht.
    page.get_by_role("link", name=re.compile("Nomineer je gemeente")).click()
    page.get_by_label("E-mailadres").fill("anna@utrecht.example")
    page.get_by_role("button", name="Stuur mij een inloglink").click()
    deliver(app)
    link = LINK_RE.search(text_of(smtp_sink.wait_for(1)[0])).group(0)
    page.goto(live_server + re.sub(r"^https?://[^/]+", "", link))
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{live_server}/prijs/nomineren/{current.id}")
    assert_accessible(page, "nomination, not started")
    page.get_by_role("button", name="Begin de nominatie").click()
    expect(page.get_by_text("Je nominatie is begonnen")).to_be_visible()
    page.get_by_label("Titel van de nominatie").fill("Utrecht: Global Goals in elke wijk")
    page.get_by_role("button", name="Indienen").click()  # no text yet: refused
    expect(page.get_by_text("de toelichting is leeg").first).to_be_visible()
    assert_accessible(page, "nomination refused")
    page.get_by_label("Waarom verdient je gemeente de prijs?").fill(
        "Elke wijk kiest zelf aan welk doel zij werkt.")
    page.get_by_role("button", name="Bewaar als concept").click()
    expect(page.get_by_text("Je concept is bewaard")).to_be_visible()
    page.get_by_role("button", name="Indienen").click()
    expect(page.get_by_text("Je nominatie is ingediend")).to_be_visible()
    assert_accessible(page, "nomination submitted")

    # A jury member scores it.
    jury = page.context.browser.new_context(locale="nl-NL").new_page()
    _login(jury, live_server, "jury@example.org", JURY_PASSWORD)
    expect(jury.get_by_role("heading", name="Jury")).to_be_visible()
    jury.get_by_role("link", name=re.compile(current.title)).click()
    assert_accessible(jury, "jury round")
    for label in ("Inspiratie", "Aanpak", "Bereik"):
        jury.get_by_label(re.compile(f"^{label}")).fill("11")
    jury.get_by_role("button", name=re.compile("Scores bewaren")).click()
    expect(jury.get_by_text("score van 1 tot en met 10").first).to_be_visible()
    for label, value in (("Inspiratie", "9"), ("Aanpak", "7"), ("Bereik", "5")):
        jury.get_by_label(re.compile(f"^{label}")).fill(value)
    jury.get_by_role("button", name=re.compile("Scores bewaren")).click()
    expect(jury.get_by_text("Uw scores voor")).to_be_visible()
    assert jury.goto(live_server + "/beheer/").status == 403
    jury.context.close()

    # Nothing public yet.
    page.goto(public)
    expect(page.get_by_text("Utrecht: Global Goals in elke wijk")).to_have_count(0)

    # The coordinator sees the weighted total, shortlists and publishes.
    coordinator = page.context.browser.new_context(locale="nl-NL").new_page()
    _login(coordinator, live_server, "nl@example.org", PASSWORD)
    coordinator.get_by_role("link", name="Prijs").click()
    assert_accessible(coordinator, "award rounds")
    coordinator.get_by_role("link", name=re.compile(current.title)).click()
    assert_accessible(coordinator, "award round")
    expect(coordinator.locator("td.total")).to_have_text(str(round((9 * 3 + 7 * 2 + 5) / 6, 2)))
    coordinator.get_by_label("Op de shortlist: Utrecht").check()
    coordinator.get_by_role("button", name="Shortlist bewaren").click()
    expect(coordinator.get_by_text("De shortlist is bewaard.")).to_be_visible()
    page.goto(public)
    expect(page.get_by_text("Utrecht: Global Goals in elke wijk")).to_have_count(0)
    coordinator.get_by_role("button", name="Shortlist publiceren").click()
    expect(coordinator.get_by_text("Gepubliceerd op de openbare pagina.")).to_be_visible()
    coordinator.context.close()

    page.goto(public)
    expect(page.get_by_role("heading", name="Shortlist")).to_be_visible()
    expect(page.get_by_text("Utrecht: Global Goals in elke wijk")).to_be_visible()
    expect(page.get_by_role("heading", name="Winnaar")).to_have_count(0)
    assert_accessible(page, "public page with the shortlist")
