"""The coordinator app in real headless Chromium: log in, plan a session, and axe-core finds
no WCAG 2.1 A/AA violations on the main pages (and the browser reports no CSP errors)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from trajectories.catalogue.models import Edition, Track
from trajectories.demo.loader import DEMO_PASSWORD, load_demo
from trajectories.schedule.models import Meeting

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}


def _login(page, base, email="coordinator@vng.example"):
    page.goto(base + "/beheer/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", name="Overzicht").wait_for()


@pytest.mark.browser
def test_coordinator_logs_in_and_plans_a_session(app, live_server, page):
    db = app.extensions["trajectories.db"]
    list(load_demo(db))
    with db.session() as s:
        edition = s.exec(select(Edition).join(Track).where(
            Edition.slug == "tweede-editie", Track.slug == "praktijkproef-inclusie")).one()
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    _login(page, live_server)
    page.goto(f"{live_server}/beheer/edities/{edition.id}")
    page.get_by_role("link", name="Sessie plannen").click()
    # A bad end time first: the message appears beside the field, in Dutch.
    page.get_by_label("Titel").fill("Extra werksessie")
    page.get_by_label("Datum").fill("2031-03-11")
    page.get_by_label("Begintijd").fill("13:30")
    page.get_by_label("Eindtijd").fill("12:00")
    page.get_by_role("button", name="Opslaan").click()
    end = page.get_by_label("Eindtijd")
    assert end.get_attribute("aria-invalid") == "true"
    assert "De eindtijd moet na de begintijd liggen." in page.locator("#end-error").inner_text()
    end.fill("15:30")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Sessie Extra werksessie gepland.").wait_for()
    assert page.get_by_role("heading", name="Extra werksessie").is_visible()
    with db.session() as s:
        meeting = s.exec(select(Meeting).where(Meeting.title == "Extra werksessie")).one()
    assert meeting.edition_id == edition.id
    # The refused form answers 400 on purpose (the page with the errors); nothing else may fail.
    assert [p for p in problems if "status of 400" not in p] == []


@pytest.mark.browser
def test_main_pages_have_no_accessibility_violations(app, live_server, page):
    from axe_playwright_python.sync_playwright import Axe

    db = app.extensions["trajectories.db"]
    list(load_demo(db))
    with db.session() as s:
        edition = s.exec(select(Edition).join(Track).where(
            Edition.slug == "tweede-editie", Track.slug == "praktijkproef-inclusie")).one()
        meeting = s.exec(select(Meeting).where(Meeting.edition_id == edition.id)).first()
    axe = Axe()
    page.goto(live_server + "/beheer/inloggen")
    pages = {"login": None}
    results = {"login": axe.run(page, options=AXE_OPTIONS)}
    _login(page, live_server)
    c = f"/beheer/edities/{edition.id}"
    pages = ["/beheer/", "/beheer/trajecten", f"/beheer/trajecten/{edition.track_id}", c,
             f"{c}/kalender", f"{c}/inschrijvingen", f"{c}/importeren", f"{c}/bewerken",
             f"{c}/kopie", f"{c}/berichten", f"{c}/berichtenplanning", f"{c}/berichten/nieuw",
             f"{c}/sessies/nieuw", f"/beheer/sessies/{meeting.id}/annuleren",
             f"/beheer/sessies/{meeting.id}/aanwezigheid", "/beheer/logboek",
             "/beheer/organisaties/importeren"]
    for path in pages:
        page.goto(live_server + path)
        results[path] = axe.run(page, options=AXE_OPTIONS)
    # A form with errors beside its fields.
    page.goto(live_server + f"{c}/sessies/nieuw")
    page.get_by_role("button", name="Opslaan").click()
    results["form errors"] = axe.run(page, options=AXE_OPTIONS)
    # The phone width: the month grid becomes a list.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server + f"{c}/kalender")
    results["calendar on a phone"] = axe.run(page, options=AXE_OPTIONS)
    failures = {name: r.generate_report() for name, r in results.items() if r.violations_count}
    assert failures == {}


@pytest.mark.browser
def test_copy_an_edition_and_import_a_csv_after_fixing_a_bad_row(app, live_server, page):
    db = app.extensions["trajectories.db"]
    list(load_demo(db))
    with db.session() as s:
        edition = s.exec(select(Edition).join(Track).where(
            Edition.slug == "tweede-editie", Track.slug == "praktijkproef-inclusie")).one()
    _login(page, live_server)
    page.goto(f"{live_server}/beheer/edities/{edition.id}/kopie")
    page.get_by_label("Naam van de nieuwe editie").fill("Derde editie")
    page.get_by_label("Korte naam (in webadressen)").fill("derde-editie")
    page.get_by_role("button", name="Kopie maken").click()
    page.get_by_text("Editie Derde editie gemaakt als kopie van Tweede editie (voorbeeld).").wait_for()
    assert page.get_by_role("heading", name="Sessie 1: kennismaking en bepalen van wensen en "
                                            "ambitie").is_visible()

    page.get_by_role("link", name="Importeren").click()
    bad = ("naam;e-mail;functie;organisatiecode\n"
           "Anna de Boer;anna@noordenveld.example;Adviseur;GM1699\n"
           "Bert Smit;bert-at-zwolle;;GM0193\n")
    upload = page.get_by_label("CSV-bestand")
    upload.set_input_files(files=[{"name": "deelnemers.csv", "mimeType": "text/csv",
                                   "buffer": bad.encode()}])
    page.get_by_role("button", name="Controleren").click()
    errors = page.locator("#import-errors")
    assert "Regel 3 (e-mail): Vul een geldig e-mailadres in" in errors.inner_text()
    page.get_by_label("CSV-bestand").set_input_files(files=[{
        "name": "deelnemers.csv", "mimeType": "text/csv",
        "buffer": bad.replace("bert-at-zwolle", "bert@zwolle.example").encode()}])
    page.get_by_role("button", name="Controleren").click()
    assert "Alle 2 rijen zijn goed." in page.locator("#import-preview").inner_text()
    page.get_by_role("button", name="Importeren").click()
    page.get_by_text("2 rijen geïmporteerd.").wait_for()
    assert page.get_by_text("bert@zwolle.example").is_visible()
