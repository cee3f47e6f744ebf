"""In a real Chromium: a page on a listed website frames the embedded catalogue and shows it;
the same page on a website not listed gets the frame blocked (CSP frame-ancestors). The two
websites are tiny HTTP servers on 127.0.0.1, each on its own port (its own origin)."""

import dataclasses
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests import factories
from tests.coordinator_helpers import PASSWORD
from trajectories.accounts import services as accounts

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}


def host_site(embed_url: str):
    """A website of an organiser, with the snippet on its page; (server, origin)."""
    page = (f'<!doctype html><html lang="nl"><head><title>Gemeentesite</title></head><body>'
            f'<main><h1>Onze leertrajecten</h1><iframe src="{embed_url}" title="Leertrajecten" '
            f'width="600" height="400"></iframe></main></body></html>').encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def sites(live_server):
    listed, listed_origin = host_site(f"{live_server}/embed/vng/")
    unlisted, unlisted_origin = host_site(f"{live_server}/embed/vng/")
    yield listed_origin, unlisted_origin
    for server in (listed, unlisted):
        server.shutdown()
        server.server_close()


def _embed_frame(page):
    page.wait_for_load_state("load")
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == 1
    return frames[0]


def test_a_listed_origin_frames_the_catalogue_and_an_unlisted_one_is_blocked(
        app, session, browser, live_server, sites):
    listed, unlisted = sites
    # The links point at the site's public address: here, the live server.
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], base_url=live_server)
    vng = factories.organiser(session, slug="vng", name="VNG")
    vng.embed_origins = [listed]
    session.add(vng)
    factories.edition(session, factories.track(session, vng, slug="inclusie",
                                               title="Praktijkproef inclusie"))
    session.commit()

    context = browser.new_context(locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(listed + "/")
        frame = _embed_frame(page)
        heading = frame.get_by_role("heading", name="Leertrajecten van VNG")
        heading.wait_for()
        link = frame.get_by_role("link", name="Praktijkproef inclusie")
        assert link.is_visible()
        with context.expect_page() as opened:  # out of the frame, in a new tab
            link.click()
        opened.value.wait_for_load_state()
        assert opened.value.url == f"{live_server}/vng/inclusie/"
        assert opened.value.get_by_role("heading", name="Praktijkproef inclusie").is_visible()
        assert page.url == listed + "/"

        blocked = context.new_page()
        refused = []
        blocked.on("console", lambda message: refused.append(message.text))
        blocked.goto(unlisted + "/")
        frame = _embed_frame(blocked)
        blocked.wait_for_timeout(500)
        assert frame.get_by_role("heading", name="Leertrajecten van VNG").count() == 0
        assert any("frame-ancestors" in text for text in refused), refused
    finally:
        context.close()


def test_the_embed_page_is_accessible(app, session, live_server, page):
    vng = factories.organiser(session, slug="vng", name="VNG")
    factories.edition(session, factories.track(session, vng, slug="inclusie", title="Inclusie",
                                               summary="Vijf sessies."))
    session.commit()
    for path in ("/embed/vng/", "/embed/vng/?lang=en"):
        page.goto(live_server + path)
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert violations == [], [v["id"] for v in violations]


def test_the_coordinator_pastes_a_bad_origin_then_a_good_one(app, session, live_server, page):
    vng = factories.organiser(session, slug="vng", name="VNG")
    accounts.create_coordinator(session, email="nl@example.org", name="Coördinator",
                                password=PASSWORD, organiser=vng)
    session.commit()
    page.goto(live_server + "/beheer/")
    page.get_by_label("E-mailadres").fill("nl@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Insluiten").click()
    field = page.get_by_label("Websites die de catalogus mogen tonen")
    field.fill("https://www.vng.nl\nwww.gemeente.nl/agenda")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Geen geldige herkomst: regel 2 (www.gemeente.nl/agenda)")).to_be_visible()
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert violations == [], [v["id"] for v in violations]
    page.get_by_label("Websites die de catalogus mogen tonen").fill("https://www.vng.nl/")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De lijst met websites is opgeslagen.")).to_be_visible()
    assert page.get_by_label("Websites die de catalogus mogen tonen").input_value() == \
        "https://www.vng.nl"
    assert '<iframe src="http://127.0.0.1:5000/embed/vng/"' in page.locator("pre").first.inner_text()
