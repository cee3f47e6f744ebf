"""Every `next` in the request leads to a page of this site, however it is written: no open
redirect, no 500 (trajectories.web.local_path)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from tests.coordinator_helpers import PASSWORD, Browser

#: Written so that a naive check (starts with "/" and not "//") passes them, or a browser reads
#: them as another host, or a header cannot carry them.
NASTY = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example/beheer/",
    "https://evil.example/",
    "https:/evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "evil.example",
]
#: Paths of this site once the line breaks are gone: followed, but never a broken header.
LOCAL_WITH_BREAKS = ["/beheer\n/logboek", "/beheer/\r\nSet-Cookie: x=1"]


def _lands_here(location: str, base: str = "http://localhost/x/y") -> bool:
    return (urlsplit(urljoin(base, location)).netloc == "localhost"
            and not any(ord(c) < 0x20 for c in location))


def test_the_reported_tab_does_not_lead_away(client):
    response = client.get("/taal/en?next=/%09/evil.example")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", NASTY)
def test_language_switch_never_leads_away_nor_fails(client, target):
    response = client.get("/taal/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/", "/leertrajecten?pagina=2", "/mijn/#h-feed",
                                    "/materiaal/3?lang=en"])
def test_language_switch_returns_to_the_page_it_came_from(client, target):
    response = client.get("/taal/en", query_string={"next": target})
    assert response.headers["Location"] == target
    assert _lands_here(response.headers["Location"])


@pytest.mark.parametrize("target", LOCAL_WITH_BREAKS)
def test_line_breaks_in_next_never_break_the_answer(client, session, coordinator_world, target):
    response = client.get("/taal/en", query_string={"next": target})
    assert response.status_code == 302 and _lands_here(response.headers["Location"])
    browser = Browser(client, session)
    browser.get("/beheer/inloggen")
    response = browser.post("/beheer/inloggen", {"email": "nl@example.org", "password": PASSWORD},
                            query_string={"next": target})
    assert response.status_code == 302 and _lands_here(response.headers["Location"])
    assert response.headers["Location"].startswith("/beheer/")


@pytest.mark.parametrize("target", NASTY + ["/leertrajecten"])
def test_coordinator_login_never_leads_away_nor_fails(client, session, coordinator_world,
                                                      target):
    browser = Browser(client, session)
    browser.get("/beheer/inloggen")
    response = browser.post("/beheer/inloggen", {"email": "nl@example.org", "password": PASSWORD},
                            query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/beheer/"


def test_coordinator_login_returns_to_the_page_asked_for(client, session, coordinator_world):
    browser = Browser(client, session)
    asked = browser.get("/beheer/logboek?pagina=2")
    assert asked.status_code == 302
    login = asked.headers["Location"]
    browser.get(login)
    response = browser.post(login, {"email": "nl@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/beheer/logboek?pagina=2"
