"""The subscribe block in real headless Chromium: it works without JavaScript, its download is a
valid feed, and axe finds no accessibility violations in it."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from tests import factories
from tests.conftest import too_wide
from tests.feeds_helpers import parse_both


@pytest.fixture
def track_page(app, live_server):
    # Feed links are absolute (TRAJECTORIES_BASE_URL): point them at this live server.
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], base_url=live_server)
    with app.extensions["trajectories.db"].session(actor="test") as s:
        organiser = factories.organiser(s, slug="vng", name="VNG")
        track = factories.track(s, organiser, slug="g4gg", title="Gemeenten4GlobalGoals")
        edition = factories.edition(s, track, slug="2030", name="2030")
        meeting = factories.meeting(s, edition, title="Kick-off; welkom, allemaal 🎉",
                                    on_date=date(2030, 4, 13))
    return f"{live_server}/vng/g4gg/", meeting


@pytest.mark.browser
def test_subscribe_block_works_without_javascript(browser, track_page, live_server):
    url, meeting = track_page
    context = browser.new_context(locale="nl-NL", java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(url)
        block = page.get_by_role("region", name="Editie 2030 in je agenda")
        feed_url = f"{live_server}/feeds/vng/g4gg/2030.ics"

        subscribe = block.get_by_role("link", name="Abonneren in je agenda-app")
        assert subscribe.get_attribute("href") == "webcal://" + feed_url.split("://")[1]
        field = block.get_by_label("Of kopieer dit adres")
        assert field.input_value() == feed_url
        assert field.get_attribute("readonly") is not None

        with page.expect_download() as download:
            block.get_by_role("link", name="Download .ics-bestand").click()
        assert download.value.suggested_filename == "2030.ics"
        loose, strict = parse_both(Path(download.value.path()).read_bytes())
        assert [e.uid for e in strict.events] == [meeting.uid]
        assert strict.events[0].summary == "Gemeenten4GlobalGoals: Kick-off; welkom, allemaal 🎉"
        assert too_wide(context, [url]) == {}
    finally:
        context.close()


@pytest.mark.browser
def test_subscribe_block_has_no_accessibility_violations(page, track_page):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(track_page[0])
    assert page.locator(".feed-subscribe").count() == 2  # the track's and the edition's
    results = Axe().run(page, context=".feed-subscribe")

    assert results.violations_count == 0, results.generate_report()
