"""The reach report, the history pages and the search in real headless Chromium: axe-core finds
no WCAG 2.1 A/AA violations, and the charts are images with a name."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.web.test_coordinator_browser import AXE_OPTIONS, _login
from trajectories.demo.loader import load_demo
from trajectories.people.models import Participant


@pytest.mark.browser
def test_reach_pages_have_no_accessibility_violations(app, live_server, page):
    from axe_playwright_python.sync_playwright import Axe

    db = app.extensions["trajectories.db"]
    list(load_demo(db))
    with db.session() as s:
        person = s.exec(select(Participant).where(Participant.organisation_id.is_not(None))
                        ).first()
    axe = Axe()
    _login(page, live_server)
    page.get_by_role("link", name="Bereik").click()
    page.get_by_role("heading", name="Per provincie").wait_for()
    chart = page.get_by_role("img", name=re.compile(r"^Gemeenten per provincie \("))
    assert chart.is_visible()
    results = {"reach": axe.run(page, options=AXE_OPTIONS)}
    for path in ("/beheer/bereik?van=abc", "/beheer/zoeken?q=utrecht", "/beheer/zoeken?q=a",
                 f"/beheer/gemeenten/{person.organisation_id}",
                 f"/beheer/deelnemers/{person.id}"):
        page.goto(live_server + path)
        results[path] = axe.run(page, options=AXE_OPTIONS)
    failures = {name: r.generate_report() for name, r in results.items() if r.violations_count}
    assert failures == {}
