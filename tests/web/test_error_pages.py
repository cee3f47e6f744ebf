"""Error pages in the site's layout (header, skip link, footer) and the visitor's language, also
when the database is down; axe-core finds nothing on them."""

from __future__ import annotations

import re

import pytest
from flask import abort

from trajectories.app import create_app

DUTCH = {404: "Pagina niet gevonden", 403: "Geen toegang", 405: "Dat kan hier niet",
         410: "Deze pagina is er niet meer", 500: "Er ging iets mis"}
ENGLISH = {404: "Page not found", 403: "No access", 405: "That is not possible here",
           410: "This page is gone", 500: "Something went wrong"}


def _in_layout(response, code: int, language: str) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert f'<html lang="{language}">' in html
    assert 'class="skip-link" href="#inhoud"' in html and 'class="site-header"' in html
    assert 'class="site-footer"' in html
    title = (DUTCH if language == "nl" else ENGLISH)[code]
    assert re.search(rf"<h1>{re.escape(title)}</h1>", html), html[:2000]
    return html


@pytest.fixture
def app(app_config):
    application = create_app(app_config)

    @application.get("/proef/verboden")
    def _forbidden():
        abort(403)

    @application.get("/proef/weg")
    def _gone():
        abort(410)

    yield application
    application.extensions["trajectories.db"].dispose()


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(("method", "path", "code"), [
    ("get", "/bestaat/niet/", 404),
    ("get", "/materiaal/999999", 404),
    ("get", "/mijn/agenda/nieuwe-link", 405),
    ("get", "/proef/verboden", 403),
    ("get", "/proef/weg", 410),
])
def test_error_pages_in_the_layout_and_language(client, language, method, path, code):
    if language == "en":
        client.get("/taal/en")
    response = getattr(client, method)(path)
    html = _in_layout(response, code, language)
    assert "Werkzeug" not in html and "The requested URL" not in html
    if code == 405:
        assert "POST" in response.headers["Allow"]


def test_a_coordinators_404_is_in_the_layout_too(nl):
    _in_layout(nl.get("/beheer/edities/999999/bewerken"), 404, "nl")


def test_unknown_feed_stays_a_short_plain_answer(client):
    response = client.get("/feeds/p/onbekend.ics")
    assert response.status_code == 404 and response.mimetype == "text/plain"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_500_page_renders_while_the_database_is_down(tmp_path, language):
    app = create_app({"database_url": "postgresql://postgres@127.0.0.1:9/unreachable",
                      "var_dir": str(tmp_path / "var"), "calendars_dir": str(tmp_path / "c"),
                      "secret_key": "k" * 32})
    try:
        client = app.test_client()
        client.get(f"/taal/{language}")
        _in_layout(client.get("/"), 500, language)
    finally:
        app.extensions["trajectories.db"].dispose()


@pytest.mark.browser
@pytest.mark.parametrize("language", ["nl", "en"])
def test_error_pages_pass_axe(live_server, page, language):
    from tests.web.test_public_browser import assert_accessible

    page.goto(f"{live_server}/taal/{language}")
    for path in ("/bestaat/niet/", "/mijn/agenda/nieuwe-link", "/proef/verboden", "/proef/weg"):
        response = page.goto(live_server + path)
        assert response.status >= 400
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page, path)
