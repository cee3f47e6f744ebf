"""What a person sees and does with keyboard and eyes, in real headless Chromium: the skip link
lands on the page's own content, the focus ring stands out, a refused form names every mistake
at once and takes the focus there, the header names the product and its organiser."""

from __future__ import annotations

from datetime import date, time

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests import factories
from tests.conftest import assert_reflows
from tests.public_world import open_edition
from trajectories.catalogue.models import Edition, Eligibility, Track
from trajectories.demo.loader import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.browser

#: The contrast of an element's focus indicator against what surrounds it: the best of its
#: outline and its box-shadow ring against the nearest opaque background behind it.
FOCUS_CONTRAST_JS = """el => {
  const rgba = s => { const m = /rgba?\\(([^)]*)\\)/.exec(s); if (!m) return null;
                      const v = m[1].split(',').map(Number); return {c: v.slice(0, 3), a: v.length > 3 ? v[3] : 1}; };
  const lum = c => { const f = x => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
                     return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  let bg = [255, 255, 255];
  for (let p = el.parentElement; p; p = p.parentElement) {
    const c = rgba(getComputedStyle(p).backgroundColor);
    if (c && c.a > 0) { bg = c.c; break; }
  }
  const cs = getComputedStyle(el);
  const rings = [];
  if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) rings.push(rgba(cs.outlineColor));
  if (cs.boxShadow && cs.boxShadow !== 'none') rings.push(rgba(cs.boxShadow));
  const seen = rings.filter(r => r && r.a > 0).map(r => ratio(r.c, bg));
  return {what: el.tagName + ' ' + (el.textContent || el.name || '').trim().slice(0, 30),
          contrast: Math.max(0, ...seen)};
}"""


def _demo_edition(app):
    db = app.extensions["trajectories.db"]
    list(load_demo(db))
    with db.session() as s:
        return s.exec(select(Edition).join(Track).where(
            Edition.slug == "tweede-editie", Track.slug == "praktijkproef-inclusie")).one()


def _login(page, base, email="coordinator@vng.example"):
    page.goto(base + "/beheer/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", name="Overzicht").wait_for()


def _focus_contrasts(page, presses: int) -> list[dict]:
    found = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        found.append(page.evaluate(FOCUS_CONTRAST_JS, page.evaluate_handle("document.activeElement")))
    return found


def test_skip_link_lands_on_the_form_not_on_the_menus(app, live_server, page):
    """Skip link, then one Tab: the first field of the session form (it took 16 Tabs)."""
    edition = _demo_edition(app)
    _login(page, live_server)
    page.goto(f"{live_server}/beheer/edities/{edition.id}/sessies/nieuw")
    assert page.locator("main nav, main button:has-text('Uitloggen')").count() == 0
    expect(page.get_by_role("navigation", name="Beheer")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Naar de inhoud")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Titel")).to_be_focused()


def test_focus_ring_has_3_to_1_contrast_with_what_surrounds_it(app, live_server, page):
    edition = _demo_edition(app)
    page.goto(live_server + "/")
    public = _focus_contrasts(page, 6)
    _login(page, live_server)
    page.goto(f"{live_server}/beheer/edities/{edition.id}")
    beheer = _focus_contrasts(page, 14)
    faint = [f for f in public + beheer if f["contrast"] < 3]
    assert faint == []


def test_registration_names_every_mistake_at_once_and_focuses_the_summary(live_server, page,
                                                                          session):
    vng = factories.organiser(session, slug="vng", name="VNG")
    track = factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie")
    open_edition(session, trk=track, slug="2030", name="2030")
    session.close()
    page.goto(live_server + "/vng/inclusie/2030/inschrijven")
    page.get_by_role("button", name="Inschrijven").click()
    summary = page.locator("#fouten")
    expect(summary).to_be_focused()
    for message in ["Naam is verplicht.", "Vul een geldig e-mailadres in",
                    "Kies je gemeente uit de lijst"]:
        expect(summary.get_by_role("link", name=message)).to_be_visible()
    for label in ["Naam", "E-mailadres", "Gemeente of organisatie"]:
        expect(page.get_by_label(label, exact=True)).to_have_attribute("aria-invalid", "true")
    # The link in the summary takes the person to the field.
    summary.get_by_role("link", name="Vul een geldig e-mailadres in").click()
    expect(page.get_by_label("E-mailadres")).to_be_focused()
    assert_reflows(page)


def test_municipalities_only_edition_offers_no_other_organisation(live_server, page, session):
    vng = factories.organiser(session, slug="vng", name="VNG")
    track = factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie")
    open_edition(session, trk=track, slug="gemeenten", name="Gemeenten",
                eligibility=Eligibility.MUNICIPALITIES)
    open_edition(session, trk=track, slug="open", name="Open")
    session.close()
    page.goto(live_server + "/vng/inclusie/gemeenten/inschrijven")
    expect(page.get_by_text("Deze editie is alleen voor gemeenten.")).to_be_visible()
    expect(page.get_by_label("Naam van je organisatie")).to_have_count(0)
    expect(page.locator("#organisation option[value=other]")).to_have_count(0)
    page.goto(live_server + "/vng/inclusie/open/inschrijven")
    expect(page.get_by_label("Naam van je organisatie")).to_be_visible()


def test_header_names_the_product_and_the_organiser(live_server, page, session):
    vng = factories.organiser(session, slug="vng", name="VNG — Gemeenten4GlobalGoals")
    factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie")
    session.close()
    page.goto(live_server + "/")
    header = page.locator("header")
    expect(header).not_to_contain_text("trajectories")
    expect(header.get_by_role("link", name="Leertrajecten").first).to_be_visible()
    page.goto(live_server + "/vng/")
    expect(header.get_by_role("link", name="Leertrajecten VNG — Gemeenten4GlobalGoals")).to_be_visible()
    assert "VNG — Gemeenten4GlobalGoals" in page.title()


def test_logbook_reads_as_sentences_with_who_and_links(app, live_server, page):
    from trajectories.accounts.models import Coordinator
    from trajectories.core.models import EventRecord
    from trajectories.schedule import services as schedule
    from trajectories.schedule.models import Meeting

    edition = _demo_edition(app)
    db = app.extensions["trajectories.db"]
    with db.session() as s:
        maria = s.exec(select(Coordinator).where(Coordinator.email == "coordinator@vng.example")).one()
        actor = f"coordinator:{maria.id}"
    with db.session(actor=actor) as s:
        meeting = s.exec(select(Meeting).where(Meeting.edition_id == edition.id)).first()
        title, meeting_id = meeting.title, meeting.id
        schedule.reschedule_meeting(s, meeting, on_date=date(2031, 5, 6), start=time(10),
                                    end=time(12))
        gone = schedule.set_deadline(s, s.get(Edition, edition.id), title="Oud voorstel",
                                     due_date=date(2031, 6, 1))
        schedule.remove_deadline(s, gone)
        s.add(EventRecord(name="SomethingNew", payload={"edition_id": edition.id}, actor=actor))
        s.commit()
    _login(page, live_server)
    page.get_by_role("navigation", name="Beheer").get_by_role("link", name="Logboek").click()
    rows = page.get_by_role("row")
    edition_name = "Praktijkproef Global Goals & lokale inclusie, Tweede editie (voorbeeld)"
    moved = rows.filter(has_text=f"Sessie verplaatst: {title} ({edition_name}).")
    expect(moved).to_have_count(1)
    expect(moved).to_contain_text("Maria van der Harst (demo)")
    expect(moved.get_by_role("link", name=title)).to_have_attribute(
        "href", f"/beheer/sessies/{meeting_id}/bewerken")
    expect(moved.get_by_role("link", name=edition_name)).to_have_attribute(
        "href", f"/beheer/edities/{edition.id}")
    removed = rows.filter(has_text=f"Deadline verwijderd: Oud voorstel ({edition_name}).")
    expect(removed).to_have_count(1)
    expect(removed.get_by_role("link", name="Oud voorstel")).to_have_count(0)
    expect(rows.filter(has_text=f"Iets veranderd in {edition_name} (SomethingNew).")).to_have_count(1)
    expect(page.get_by_role("main")).not_to_contain_text("meeting_id=")
    expect(page.get_by_role("main")).not_to_contain_text("MeetingRescheduled")


def test_english_coordinator_sees_english_goals_and_explained_import_columns(app, live_server,
                                                                               page):
    edition = _demo_edition(app)
    _login(page, live_server)
    page.get_by_role("link", name="English").click()
    page.goto(live_server + "/beheer/trajecten/nieuw")
    expect(page.get_by_label("1. No Poverty")).to_be_visible()
    expect(page.get_by_label("17. Partnerships for the Goals")).to_be_visible()
    expect(page.get_by_text("Geen armoede")).to_have_count(0)
    page.goto(f"{live_server}/beheer/edities/{edition.id}/importeren")
    columns = page.get_by_role("table", name="What each column holds")
    expect(columns.get_by_role("row", name="taal")).to_contain_text(
        "Language of the emails: nl (Dutch) or en (English)")
    expect(columns.get_by_role("row", name="naam")).to_contain_text("The participant's name.")
    page.goto(live_server + "/beheer/organisaties/importeren")
    expect(page.get_by_role("row", name="soort")).to_contain_text("provincie (province)")
    # Dutch: the same table, in Dutch.
    page.get_by_role("link", name="Nederlands").click()
    expect(page.get_by_role("row", name="land")).to_contain_text("NL of BE.")


def test_a_mail_with_a_long_link_and_long_headings_fit_a_320px_screen(app, live_server, page):
    from trajectories.mail.models import MailKind
    from trajectories.mail.outbox import queue_mail

    edition = _demo_edition(app)
    db = app.extensions["trajectories.db"]
    with db.session() as s:
        row = queue_mail(s, to="sanne@noordenveld.example", kind=MailKind.OTHER,
                         subject="Verslag van de Wereldburgerschapseducatiebijeenkomst",
                         text="Het verslag: https://example.org/" + "verslag-" * 60 + ".pdf",
                         dedupe_key="long-link", edition_id=edition.id)
        s.commit()
        message_id = row.id
    _login(page, live_server)
    page.goto(f"{live_server}/beheer/berichten/{message_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wereldburgerschaps")
    assert_reflows(page)
    page.goto(live_server + "/toegankelijkheid")
    assert_reflows(page)


def test_skip_link_on_the_registration_form_lands_on_its_first_field(live_server, page,
                                                                       session):
    vng = factories.organiser(session, slug="vng", name="VNG")
    track = factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie")
    open_edition(session, trk=track, slug="2030", name="2030")
    session.close()
    page.goto(live_server + "/vng/inclusie/2030/inschrijven")
    assert page.locator("main nav").count() == 0
    expect(page.get_by_role("navigation", name="Kruimelpad")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Naam", exact=True)).to_be_focused()
