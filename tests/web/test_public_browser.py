"""Public and self-service pages in real headless Chromium: zero axe-core violations (WCAG 2.0
and 2.1, A and AA), usable on a phone, and the whole path of a participant from finding a
track to handing in a deliverable, with the mail read from a real SMTP server."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlmodel import select

from tests import factories
from tests.conftest import assert_reflows, too_wide
from tests.public_world import LINK_RE, deliver, open_edition, text_of
from trajectories.core.clock import utcnow
from trajectories.people.models import Submission
from trajectories.schedule import services as schedule

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
_axe = Axe()


def assert_accessible(page, label: str) -> None:
    page.wait_for_load_state("load")
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert violations == [], f"{label}: " + "; ".join(
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations)


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def inclusion_2030(session):
    """VNG's inclusion track with edition 2030 open for registration (five places), a held
    session with material, one ahead, and a deadline: {"track", "edition", "deadline"}."""
    vng = factories.organiser(session, slug="vng", name="VNG", website="https://vng.example")
    track = factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie",
                            theme="Inclusie", sdgs=[1, 2, 3, 7, 10, 16, 17],
                            summary="Vijf online sessies over lokale inclusie.",
                            goals="Een lokale inclusie-agenda.", target_group="Gemeenten.",
                            contact_name="Team G4GG", contact_email="globalgoals@vng.example")
    edition = open_edition(session, trk=track, slug="2030", name="2030", capacity=5)
    held = factories.meeting(session, edition, on_date=date(2020, 3, 5), title="Startsessie")
    schedule.add_material(session, held, title="Presentatie", url="https://example.org/p.pdf")
    factories.meeting(session, edition, on_date=utcnow().date() + timedelta(days=7),
                      title="Werksessie", online_url="https://meet.example/w")
    deadline = schedule.set_deadline(session, edition, title="Plan van aanpak",
                                     due_date=date(2099, 1, 1))
    session.close()
    return {"track": track, "edition": edition, "deadline": deadline}


def mail(app, smtp_sink, index: int):
    """The index-th mail the SMTP server received, after draining the outbox."""
    deliver(app)
    return smtp_sink.wait_for(index + 1)[index]


def mail_link(app, smtp_sink, index: int) -> str:
    message = mail(app, smtp_sink, index)
    return LINK_RE.search(text_of(message)).group(0)


def local(live_server: str, link: str) -> str:
    """A link from a mail (on the configured public address) on the live test server."""
    return live_server + re.sub(r"^https?://[^/]+", "", link)


def test_every_public_and_self_service_page_has_no_axe_violations(app, live_server, page,
                                                                   smtp_sink, inclusion_2030):
    for path in ["/", "/?sdg=10&status=registration_open", "/?q=niets", "/vng/",
                 "/vng/inclusie/", "/toegankelijkheid", "/privacy", "/mijn/inloggen"]:
        page.goto(live_server + path)
        assert_accessible(page, path)

    page.goto(live_server + "/vng/inclusie/2030/inschrijven")
    assert_accessible(page, "registration form")
    page.get_by_label("Naam", exact=True).fill("Sanne Bakker")
    page.get_by_label("E-mailadres").fill("geen-adres")
    page.get_by_label("Gemeente of organisatie").select_option("GM1699")
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.get_by_text("Vul een geldig e-mailadres in").first).to_be_visible()
    assert_accessible(page, "registration form with an error")
    assert_reflows(page)
    page.get_by_label("E-mailadres").fill("s.bakker@noordenveld.example")
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()
    assert_accessible(page, "check your mail")

    page.goto(local(live_server, mail_link(app, smtp_sink, 0)))
    assert_accessible(page, "confirm")
    page.get_by_role("button", name="Ja, ik bevestig mijn inschrijving").click()
    expect(page.get_by_role("heading", name="Mijn leertrajecten", level=1)).to_be_visible()
    assert_accessible(page, "my trajectories")

    page.get_by_role("link", name=re.compile(r"^Inleveren\W+Plan van aanpak$")).click()
    assert_accessible(page, "deadline")
    page.get_by_role("button", name="Inleveren").click()
    expect(page.get_by_text("Voeg een tekst of een bestand toe").first).to_be_visible()
    assert_accessible(page, "deadline with an error")
    assert_reflows(page)
    for path in ["/mijn/voorkeuren", "/mijn/wissen"]:
        page.goto(live_server + path)
        assert_accessible(page, path)

    page.goto(live_server + "/inschrijving/bevestigen?t=kapot")
    page.get_by_role("button").last.click()
    assert_accessible(page, "broken link message")


def test_pages_fit_a_320px_screen_without_sideways_scrolling(live_server, browser, session,
                                                             inclusion_2030):
    """Long words in headings wrap (the accessibility statement promises no sideways scrolling)."""
    vvsg = factories.organiser(session, slug="vvsg", name="VVSG", country="BE")
    factories.track(session, vvsg, slug="wereldburgerschap",
                    title="Wereldburgerschapseducatie in de gemeentelijke beleidsplanning")
    session.close()
    context = browser.new_context(locale="nl-NL", is_mobile=True)
    try:
        assert too_wide(context, [live_server + path for path in [
            "/", "/vng/", "/vng/inclusie/", "/vng/inclusie/2030/inschrijven", "/privacy",
            "/toegankelijkheid", "/vvsg/wereldburgerschap/", "/mijn/inloggen"]]) == {}
    finally:
        context.close()


def test_works_without_javascript(app, live_server, browser, smtp_sink, inclusion_2030):
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(live_server + "/")
        tab.get_by_label("Global Goal", exact=True).select_option("10")
        tab.get_by_role("button", name="Filteren").click()
        expect(tab.get_by_role("link", name="Praktijkproef inclusie", exact=True)).to_be_visible()
        tab.goto(live_server + "/vng/inclusie/2030/inschrijven")
        tab.get_by_label("Naam", exact=True).fill("Piet Pieters")
        tab.get_by_label("E-mailadres").fill("piet@zwolle.example")
        tab.get_by_label("Gemeente of organisatie").select_option(label="Zwolle")
        tab.get_by_role("button", name="Inschrijven").click()
        expect(tab.get_by_text("Kijk in je mailbox")).to_be_visible()
        assert "piet@zwolle.example" in str(mail(app, smtp_sink, 0)["To"])
        assert too_wide(context, [live_server + "/", live_server + "/vng/inclusie/2030/inschrijven"]) == {}
    finally:
        context.close()


def register_and_confirm(app, live_server, page, smtp_sink) -> None:
    """Find the track, register, confirm from the mail: lands on 'my trajectories'."""
    page.goto(live_server + "/")
    page.get_by_role("searchbox", name="Zoeken").fill("inclusie")
    page.get_by_role("button", name="Filteren").click()
    page.get_by_role("link", name="Praktijkproef inclusie", exact=True).click()
    page.get_by_role("link", name="Inschrijven voor editie 2030").click()
    page.get_by_label("Naam", exact=True).fill("Sanne Bakker")
    page.get_by_label("E-mailadres").fill("s.bakker@noordenveld.example")
    page.get_by_label("Functie (niet verplicht)").fill("beleidsadviseur")
    page.get_by_label("Gemeente of organisatie").select_option(label="Noordenveld")
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()

    confirmation = mail(app, smtp_sink, 0)
    assert confirmation["Subject"] == "Bevestig je inschrijving voor Praktijkproef inclusie"
    page.goto(local(live_server, mail_link(app, smtp_sink, 0)))
    page.get_by_role("button", name="Ja, ik bevestig mijn inschrijving").click()
    expect(page.get_by_role("heading", name="Mijn leertrajecten", level=1)).to_be_visible()


def hand_in(page, title: str) -> None:
    page.get_by_role("link", name=re.compile(rf"^Inleveren\W+{title}$")).click()
    page.get_by_label("Tekst").fill("Ons plan van aanpak voor inclusie.")
    page.get_by_label("Bestand (niet verplicht)").set_input_files(
        files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 plan"}])
    page.get_by_role("button", name="Inleveren").click()
    expect(page.get_by_text("Ingeleverd. Dank je wel!")).to_be_visible()


def test_participant_finds_registers_confirms_and_hands_in(app, live_server, page, smtp_sink,
                                                           inclusion_2030, db):
    """The issue's path: find a track, register, read the confirmation mail from the real SMTP
    server, follow its link, land on 'my trajectories', subscribe, submit a deliverable."""
    register_and_confirm(app, live_server, page, smtp_sink)
    expect(page.get_by_text("toegelaten").first).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"online sessie\W+Werksessie"))).to_be_visible()

    # Subscribe: make the personal feed link; the buttons point at a feed with my session.
    page.get_by_role("button", name="Mijn agenda-link maken").click()
    subscribe = page.get_by_role("link", name="Abonneren in je agenda-app")
    assert subscribe.get_attribute("href").startswith("webcal://")
    feed_url = page.get_by_label(re.compile("kopieer dit adres")).input_value()
    feed = page.request.get(local(live_server, feed_url))
    assert feed.ok and "text/calendar" in feed.headers["content-type"]
    assert "Werksessie" in feed.text() and "Plan van aanpak" in feed.text()
    assert_accessible(page, "my trajectories with the feed buttons")

    hand_in(page, "Plan van aanpak")
    expect(page.get_by_role("link", name="plan.pdf")).to_be_visible()
    with db.session() as check:
        [submission] = check.exec(select(Submission)).all()
        assert (submission.text, submission.file_name, submission.late) == \
            ("Ons plan van aanpak voor inclusie.", "plan.pdf", False)


def test_nudges_stop_once_the_deliverable_is_handed_in(app, live_server, page, smtp_sink,
        inclusion_2030, session):
    """The issue's last step: the deadline nudges reach the participant until they hand in
    through 'my trajectories', and none after. Needs the scheduler (trajectories.scheduler)."""
    jobs = pytest.importorskip("trajectories.scheduler.jobs")
    from trajectories.mail.models import OutboxMessage
    from trajectories.scheduler.models import PlannedMoment

    deadline = schedule.set_deadline(session, inclusion_2030["edition"], title="Verslag",
                                     due_date=utcnow().date() + timedelta(days=20))
    session.close()
    register_and_confirm(app, live_server, page, smtp_sink)

    def moment(offset: str) -> PlannedMoment:
        with app.extensions["trajectories.db"].session() as s:
            return s.exec(select(PlannedMoment).where(
                PlannedMoment.job_id == f"nudge:deadline:{deadline.id}:{offset}")).one()

    def nudges_to_sanne() -> list[str]:
        deliver(app)
        with app.extensions["trajectories.db"].session() as s:
            return [row.status for row in s.exec(select(OutboxMessage).where(
                OutboxMessage.to == "s.bakker@noordenveld.example",
                OutboxMessage.kind.in_(["nudge", "overdue"])))]

    first = moment("P14D")
    jobs.process_moment(app, first.job_id, now=first.due_at)
    assert nudges_to_sanne() == ["sent"]

    page.reload()
    hand_in(page, "Verslag")
    for offset in ("P3D", "P0D"):
        later = moment(offset)
        jobs.process_moment(app, later.job_id, now=later.due_at)
    assert nudges_to_sanne() == ["sent"]  # no nudge after the deliverable is in
