"""Ambassadors in real headless Chromium: a coordinator appoints one for Zeeland (after a refused
try), the public province page shows them; axe-core finds nothing on the new pages, and every
page fits a 320px wide screen (the `page` fixture checks that at the end)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlmodel import select

from trajectories.ambassadors.models import Ambassador
from trajectories.demo.loader import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
_axe = Axe()


def assert_accessible(page, label: str) -> None:
    page.wait_for_load_state("load")
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert violations == [], f"{label}: " + "; ".join(
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations)


def test_a_coordinator_appoints_an_ambassador_and_the_province_page_shows_them(
        app, live_server, page):
    db = app.extensions["trajectories.db"]
    list(load_demo(db))
    page.goto(live_server + "/provincies/zeeland")
    expect(page.get_by_text("Zeeland heeft op dit moment geen ambassadeur.")).to_be_visible()
    assert_accessible(page, "province without ambassador")

    page.goto(live_server + "/beheer/")
    page.get_by_label("E-mailadres").fill("coordinator@vng.example")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Ambassadeurs", exact=True).click()
    expect(page.get_by_role("heading", name="Ambassadeurs per provincie")).to_be_visible()
    assert_accessible(page, "the coordinator's list")
    page.get_by_role("link", name=re.compile(r"Ambassadeur benoemen\s*: Zeeland")).click()
    expect(page.get_by_label("Provincie")).to_have_value("zeeland")

    # Bad input first: a contact address without consent, and a municipality elsewhere.
    page.get_by_label("Naam").fill("Kees Verhage")
    page.get_by_label("Functie").fill("wethouder Duurzaamheid")
    page.get_by_label("Gemeente").select_option(label="Goes")
    page.get_by_label("Gemeente").select_option(label="Zwolle")
    page.get_by_label("E-mailadres voor het publiek").fill("kees@middelburg.example")
    page.get_by_label("Begindatum").fill("2026-01-01")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Zwolle ligt niet in Zeeland")).to_be_visible()
    expect(page.get_by_text("Zonder toestemming tonen we geen contactadres")).to_be_visible()
    assert page.get_by_label("Gemeente").get_attribute("aria-invalid") == "true"
    assert_accessible(page, "the form with errors")
    with db.session() as s:
        assert s.exec(select(Ambassador).where(Ambassador.province == "Zeeland")).all() == []

    page.get_by_label("Gemeente").select_option(label="Middelburg")
    page.get_by_label("De ambassadeur geeft toestemming").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Kees Verhage is ambassadeur voor Zeeland.")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"Bewerken of beëindigen\s*: Kees Verhage")).click()
    assert_accessible(page, "the edit page with the end form")

    page.goto(live_server + "/provincies/")
    expect(page.get_by_text("Kees Verhage", exact=False)).to_be_visible()
    assert_accessible(page, "the provinces")
    page.get_by_role("link", name="Zeeland").click()
    expect(page.get_by_role("heading", name="Provincie Zeeland")).to_be_visible()
    expect(page.get_by_text("Kees Verhage")).to_be_visible()
    expect(page.get_by_role("link", name="kees@middelburg.example")).to_be_visible()
    assert_accessible(page, "the province page with its ambassador")

    page.goto(live_server + "/provincies/overijssel")
    expect(page.get_by_text("Deventer (voorbeeld)")).to_be_visible()
    assert_accessible(page, "a province with municipalities and a meeting ahead")
