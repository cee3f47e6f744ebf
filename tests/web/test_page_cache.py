"""The catalogue and track pages are built once per change and language: a visit answers from
memory without a query, and a change (a new edition, a reschedule, a registration opening, a
place taken, a new day) shows on the next visit in both languages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tests import factories
from tests.conftest import stand_clock_still
from tests.public_world import CSRF_RE, closing_client
from trajectories.people import services as people
from trajectories.schedule import services as schedule
from trajectories.web.page_cache import CSRF_PLACEHOLDER, page_cache, warm_pages

START = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
TRACK = "/vng/inclusie/"


@pytest.fixture
def own_clock(monkeypatch):
    """The app's clock standing still at START; move it with `own_clock.pause(at=...)`."""
    return stand_clock_still(monkeypatch, START)


@pytest.fixture
def client(app, session, own_clock):
    return closing_client(app, session)


@pytest.fixture
def world(session, own_clock):
    vng = factories.organiser(session, slug="vng", name="VNG")
    track = factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie")
    edition = factories.edition(session, trk=track, slug="2031", name="2031", capacity=2,
                                registration_opens_at=START + timedelta(hours=2),
                                registration_closes_at=START + timedelta(days=10))
    meeting = factories.meeting(session, edition, on_date=date(2031, 4, 1), title="Startsessie")
    session.commit()
    return {"track": track, "edition": edition, "meeting": meeting}


def html(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/vng/", TRACK, "/bijeenkomsten/", "/?lang=en",
                                  f"{TRACK}?lang=en", "/?sdg=10&pagina=1"])
def test_a_page_seen_before_is_answered_without_a_query(app, session, world, statements, path):
    session.close()
    client = app.test_client()  # without the outbox drain that `client` does after each request
    first = html(client.get(path))
    statements.clear()
    again = html(client.get(path))
    assert statements == []
    assert CSRF_RE.sub("", again) == CSRF_RE.sub("", first)


def test_a_new_worker_warms_the_catalogue_before_its_first_visitor(app, session, world,
                                                                    statements):
    """gunicorn's master calls warm_pages before it forks (when_ready): the first visit of the catalogue runs no query."""
    session.close()
    assert warm_pages(app) == 1
    statements.clear()
    assert "Praktijkproef inclusie" in html(app.test_client().get("/"))
    assert statements == []


def test_after_a_change_elsewhere_the_version_is_checked_and_the_page_not_rebuilt(
        app, session, world, statements):
    session.close()
    client = app.test_client()
    html(client.get(TRACK))
    with app.app_context():
        page_cache().forget_recent()
    statements.clear()
    html(client.get(TRACK))
    queries = [q for q in statements if q.startswith("SELECT")]
    assert 1 <= len(queries) <= 2, queries  # the version only: nothing rendered again


def test_each_language_has_its_own_page(client, world):
    assert "Sessies" in html(client.get(TRACK))
    english = html(client.get(f"{TRACK}?lang=en"))
    assert '<html lang="en">' in english and "Sessions" in english
    assert '<html lang="nl">' in html(client.get(TRACK))


def both_languages(client, path: str) -> tuple[str, str]:
    return html(client.get(path)), html(client.get(f"{path}?lang=en"))


def test_a_new_edition_shows_on_the_next_visit(client, session, world):
    both_languages(client, TRACK), both_languages(client, "/")
    factories.edition(session, trk=world["track"], slug="2032", name="Najaar 2032")
    session.commit()
    for page in (*both_languages(client, TRACK), *both_languages(client, "/")):
        assert "Najaar 2032" in page


def test_a_reschedule_shows_on_the_next_visit(client, session, world):
    dutch, english = both_languages(client, TRACK)
    assert "1 april 2031" in dutch and "1 April 2031" in english
    schedule.reschedule_meeting(session, world["meeting"], on_date=date(2031, 5, 6))
    session.commit()
    dutch, english = both_languages(client, TRACK)
    assert "6 mei 2031" in dutch and "1 april 2031" not in dutch
    assert "6 May 2031" in english


def test_registration_opening_with_the_clock_shows_on_the_next_visit(client, world, own_clock):
    dutch, english = both_languages(client, TRACK)
    assert "Inschrijven voor" not in dutch and "De inschrijving opent op" in dutch
    own_clock.pause(START + timedelta(hours=2, minutes=1))  # the same day, a quarter later
    dutch, english = both_languages(client, TRACK)
    assert "Inschrijven voor" in dutch and "Register for" in english


def test_a_place_taken_shows_on_the_next_visit(client, session, world, own_clock):
    own_clock.pause(START + timedelta(days=1))
    dutch, english = both_languages(client, TRACK)
    assert "nog 2 plaatsen vrij van 2" in dutch and "2 places left of 2" in english
    participant = people.create_participant(session, name="Sanne Bakker",
                                            email="s.bakker@noordenveld.example")
    people.admit(session, people.enroll(session, world["edition"], participant))
    session.commit()
    dutch, english = both_languages(client, TRACK)
    assert "nog 1 plaats vrij van 2" in dutch and "1 place left of 2" in english


def test_a_new_day_shows_on_the_next_visit(client, session, world, own_clock):
    schedule.add_material(session, world["meeting"], title="Presentatie",
                          url="https://example.org/presentatie.pdf")
    session.commit()
    own_clock.pause(datetime(2031, 4, 1, 23, 59, tzinfo=UTC))
    assert "Presentatie" not in html(client.get(TRACK))  # material shows once a session is held
    own_clock.pause(datetime(2031, 4, 2, 0, 0, 30, tzinfo=UTC))  # the next day (UTC): held
    assert "Presentatie" in html(client.get(TRACK))


def test_each_visitor_gets_their_own_csrf_token(app, session, world):
    """The interest form on a track page without open registration: the cached page has a
    placeholder; each visitor's answer has the visitor's own token."""
    first, second = closing_client(app, session), closing_client(app, session)
    tokens = [CSRF_RE.search(html(c.get(TRACK))).group(1) for c in (first, second, first)]
    assert CSRF_PLACEHOLDER not in "".join(tokens)
    assert tokens[0] != tokens[1]


def test_a_flashed_message_is_shown_once_and_not_kept(client, world):
    html(client.get(TRACK))
    with client.session_transaction() as cookie:
        cookie["_flashes"] = [("success", "Alleen voor jou")]
    assert "Alleen voor jou" in html(client.get(TRACK))
    assert "Alleen voor jou" not in html(client.get(TRACK))


def test_unknown_pages_still_answer_404(client, world):
    assert client.get("/bestaat-niet/").status_code == 404
    assert client.get("/vng/bestaat-niet/").status_code == 404
    assert re.search("Praktijkproef inclusie", html(client.get("/vng/")))
