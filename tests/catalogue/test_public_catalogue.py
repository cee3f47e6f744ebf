"""The public catalogue: filters, SDG colours, editions with sessions, materials, contact,
and the accessibility and privacy pages."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests import factories
from tests.public_world import closing_client, open_edition
from trajectories.core.clock import utcnow
from trajectories.core.reference import goals
from trajectories.schedule import services as schedule


@pytest.fixture
def client(app, session):
    return closing_client(app, session)


@pytest.fixture
def two_tracks(session):
    """VNG's inclusion track (2030 open) and climate track (2020 held with material, 2031 open
    with material ahead): {"vng", "inclusion", "climate"}."""
    vng = factories.organiser(session, slug="vng", name="VNG")
    inclusion = factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie",
                                theme="Inclusie", sdgs=[1, 10], summary="Lokale inclusie-agenda",
                                contact_name="Team G4GG", contact_email="globalgoals@vng.example")
    climate = factories.track(session, vng, slug="klimaat", title="Klimaatroute", theme="Klimaat",
                              sdgs=[13], summary="Klimaatadaptatie in de wijk")
    open_edition(session, trk=inclusion, slug="2030", name="2030")
    past = factories.edition(session, trk=climate, slug="2020", name="2020")
    held = factories.meeting(session, past, on_date=date(2020, 3, 5), title="Startsessie")
    schedule.add_material(session, held, title="Presentatie startsessie",
                          url="https://example.org/start.pdf")
    future = factories.meeting(session, open_edition(session, trk=climate, slug="2031", name="2031"),
                               on_date=utcnow().date() + timedelta(days=30), title="Kick-off")
    schedule.add_material(session, future, title="Nog geheim", url="https://example.org/geheim")
    return {"vng": vng, "inclusion": inclusion, "climate": climate}


def titles(response) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', response.get_data(as_text=True))


def test_catalogue_lists_every_track_with_its_sdgs(client, two_tracks):
    page = client.get("/")
    assert page.status_code == 200
    assert titles(page) == ["Klimaatroute", "Praktijkproef inclusie"]
    html = page.get_data(as_text=True)
    tag = re.search(r'<li class="sdg-tag sdg-10"><span class="sdg-number">10</span> ([^<]+)</li>', html)
    assert tag and tag.group(1) == "Ongelijkheid verminderen"


@pytest.mark.parametrize(("query", "expected"), [
    ("?sdg=13", ["Klimaatroute"]),
    ("?sdg=10", ["Praktijkproef inclusie"]),
    ("?sdg=5", []),
    ("?thema=inclusie", ["Praktijkproef inclusie"]),
    ("?status=registration_open", ["Klimaatroute", "Praktijkproef inclusie"]),
    ("?status=finished", ["Klimaatroute"]),
    ("?q=wijk+klimaatadaptatie", ["Klimaatroute"]),
    ("?q=ongelijkheid", ["Praktijkproef inclusie"]),  # the Dutch name of goal 10
    ("?q=onbekend", []),
    ("?sdg=99&status=nonsense", ["Klimaatroute", "Praktijkproef inclusie"]),  # ignored
])
def test_filters_and_search(client, two_tracks, query, expected):
    page = client.get("/" + query)
    assert page.status_code == 200
    assert titles(page) == expected
    if not expected:
        assert "Geen leertrajecten gevonden" in page.get_data(as_text=True)


def test_organiser_page_filters_too(client, two_tracks):
    assert titles(client.get("/vng/?thema=Klimaat")) == ["Klimaatroute"]
    assert client.get("/bestaat-niet/").status_code == 404


def test_track_page_shows_editions_sessions_materials_of_held_sessions_and_contact(client,
        two_tracks):
    html = client.get("/vng/klimaat/").get_data(as_text=True)
    assert "Editie 2020" in html and "Startsessie" in html and "Kick-off" in html
    assert "Presentatie startsessie" in html  # held: its material is published
    assert "Nog geheim" not in html  # not held yet
    inclusion = client.get("/vng/inclusie/").get_data(as_text=True)
    assert "globalgoals@vng.example" in inclusion
    assert "/vng/inclusie/2030/inschrijven" in inclusion  # registration is open


def test_sdg_stylesheet_uses_official_colours_with_readable_text():
    css = (Path(__file__).parents[2] / "static" / "sdg.css").read_text()

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    for goal in goals().values():
        rule = re.search(rf"\.sdg-{goal.number} \{{ background: (#\w+); color: (#\w+); \}}", css)
        assert rule, goal.number
        background, text = rule.groups()
        assert background.lower() == goal.colour.lower()
        high, low = sorted([luminance(background), luminance(text)], reverse=True)
        assert (high + 0.05) / (low + 0.05) >= 4.5, goal.number


def test_accessibility_and_privacy_pages(client):
    statement = client.get("/toegankelijkheid").get_data(as_text=True)
    assert "Toegankelijkheidsverklaring" in statement and "WCAG" in statement
    privacy = client.get("/privacy").get_data(as_text=True)
    assert "72 uur" in privacy and "60 minuten" in privacy


def test_language_switch_shows_english_goal_names(client, two_tracks):
    client.get("/taal/en")
    html = client.get("/").get_data(as_text=True)
    assert '<span class="sdg-number">10</span> Reduced Inequalities</li>' in html


def statements(app, client, path: str) -> int:
    """How many SQL statements one request issues."""
    from sqlalchemy import event

    engine = app.extensions["trajectories.db"].engine
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_catalogue_queries_do_not_grow_with_the_catalogue(app, session, client):
    org = factories.organiser(session, slug="vvsg")
    first = factories.track(session, org)
    factories.meeting(session, open_edition(session, trk=first), on_date=date(2099, 1, 1))
    small = statements(app, client, "/"), statements(app, client, "/vvsg/")
    for _ in range(3):
        track = factories.track(session, org)
        for _ in range(2):
            factories.meeting(session, open_edition(session, trk=track), on_date=date(2099, 1, 1))
    large = statements(app, client, "/"), statements(app, client, "/vvsg/")
    assert small == large


def test_uploaded_material_is_downloadable_once_the_session_was_held(app, session, client,
        two_tracks):
    var_dir = Path(app.config["SETTINGS"].var_dir)
    (var_dir / "uploads" / "materials").mkdir(parents=True, exist_ok=True)
    (var_dir / "uploads" / "materials" / "slides.pdf").write_bytes(b"%PDF-1.4 slides")
    edition = open_edition(session, trk=two_tracks["climate"], slug="2019", name="2019")
    held = factories.meeting(session, edition, on_date=date(2019, 5, 1), title="Terugblik")
    coming = factories.meeting(session, edition, on_date=date(2099, 5, 1), title="Vooruitblik")
    done = schedule.add_material(session, held, title="Slides", file_path="uploads/materials/slides.pdf")
    early = schedule.add_material(session, coming, title="Concept",
                                  file_path="uploads/materials/slides.pdf")
    response = client.get(f"/materiaal/{done.id}")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 slides"
    assert "attachment" in response.headers["Content-Disposition"]
    assert client.get(f"/materiaal/{early.id}").status_code == 404
    assert client.get("/materiaal/999999").status_code == 404
