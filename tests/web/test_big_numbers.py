"""Numbers too big for the database's integers (PostgreSQL's INTEGER is 32-bit, SQLite's 64-bit),
in any address or form: a 404 or the field's message, never a 500 (the `int` URL converter,
bounded form fields)."""

from __future__ import annotations

import pytest

from tests.coordinator_helpers import Browser

HUGE = [2**31, 2**63, 2**70]


def _urls_with_ids(app, number: int) -> list[tuple[str, set[str]]]:
    """Every route of the app that takes an `<int:...>`, with `number` in each of them (and "x"
    in any other part), and its methods."""
    from werkzeug.routing import IntegerConverter

    found = []
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items()
                if isinstance(conv, IntegerConverter)]
        if not ints:
            continue
        path = rule.rule
        for name, conv in rule._converters.items():
            value = str(number) if name in ints else "x"
            path = path.replace(f"<{type(conv).__name__}:{name}>", value)
            for spelled in (f"<int:{name}>", f"<{name}>", f"<path:{name}>",
                            f"<string:{name}>"):
                path = path.replace(spelled, value)
        assert "<" not in path, rule.rule
        found.append((path, set(rule.methods)))
    return found


def test_the_app_has_routes_with_ids(app):
    paths = [p for p, _ in _urls_with_ids(app, 1)]
    assert len(paths) >= 35 and "/materiaal/1" in paths


@pytest.mark.parametrize("number", HUGE)
def test_every_id_route_answers_404_for_a_number_too_big_for_the_database(app, client, session,
                                                              coordinator_world, number):
    anonymous = Browser(client, session)
    anonymous.get("/beheer/inloggen")
    answers = {}
    for path, methods in _urls_with_ids(app, number):
        if "GET" in methods:
            answers["GET " + path] = anonymous.get(path).status_code
        if "POST" in methods:
            answers["POST " + path] = anonymous.post(path).status_code
    for email in ("nl@example.org", "admin@example.org"):
        coordinator = Browser(client, session)
        coordinator.sign_in(email)
        for path, methods in _urls_with_ids(app, number):
            if "GET" in methods:
                answers[f"{email} GET {path}"] = coordinator.get(path).status_code
            if "POST" in methods:
                answers[f"{email} POST {path}"] = coordinator.post(path).status_code
        coordinator.post("/beheer/uitloggen")
    assert {k: v for k, v in answers.items() if v != 404} == {}


def test_the_largest_id_is_still_an_address_that_answers_404(client):
    from trajectories.web import LARGEST_ID

    assert client.get(f"/materiaal/{LARGEST_ID}").status_code == 404


@pytest.mark.parametrize("capacity", ["99999999999999999999", str(2**63), "2147483648",
                                      "100001"])
def test_an_edition_capacity_too_big_gets_the_fields_message(nl, session, coordinator_world,
                                                             capacity):
    edition = coordinator_world.edition_nl
    response = nl.post(f"/beheer/edities/{edition.id}/bewerken", {
        "name": edition.name, "timezone": edition.timezone, "capacity": capacity,
        "eligibility": "municipalities"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="capacity-error"><p>Het aantal plaatsen is hoogstens 100000.</p>' in html
    session.refresh(edition)
    assert edition.capacity == 3  # unchanged


def test_a_capacity_past_what_python_reads_is_refused_beside_the_field(nl, coordinator_world):
    edition = coordinator_world.edition_nl
    response = nl.post(f"/beheer/edities/{edition.id}/bewerken", {
        "name": edition.name, "timezone": edition.timezone, "capacity": "9" * 5000,
        "eligibility": "municipalities"})
    assert response.status_code == 400 and 'id="capacity-error"' in response.get_data(as_text=True)


def test_the_service_refuses_a_capacity_too_big(session, coordinator_world):
    from trajectories.catalogue import services as catalogue
    from trajectories.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        catalogue.update_edition(session, coordinator_world.edition_nl,
                                name="2030", capacity="99999999999999999999")
    assert refused.value.field == "capacity"


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1-1", "0-1", "-5-1", "2027-13",
                                   "99999999999999999999-1", "2027-99999999999999999999", "x"])
def test_a_calendar_month_out_of_range_shows_the_editions_month(nl, coordinator_world, month):
    edition = coordinator_world.edition_nl
    response = nl.get(f"/beheer/edities/{edition.id}/kalender", query_string={"maand": month})
    assert response.status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"])
def test_a_date_out_of_any_plausible_range_gets_the_fields_message(nl, session,
                                                                   coordinator_world, day):
    from sqlmodel import select

    from trajectories.schedule.models import Deadline, Meeting

    edition = coordinator_world.edition_nl
    before = (len(session.exec(select(Meeting)).all()), len(session.exec(select(Deadline)).all()))
    meeting = nl.post(f"/beheer/edities/{edition.id}/sessies/nieuw", {
        "title": "Slotsessie", "on_date": day, "start": "10:00", "end": "11:00",
        "kind": "session", "mode": "online", "online_url": "https://meet.example/s"})
    deadline = nl.post(f"/beheer/edities/{edition.id}/deadlines/nieuw", {
        "title": "Eindverslag", "due_date": day, "delivered_by": "participant"})
    edited = nl.post(f"/beheer/edities/{edition.id}/bewerken", {
        "name": edition.name, "timezone": edition.timezone, "eligibility": "municipalities",
        "registration_opens_at": f"{day}T09:00"})
    for response in (meeting, deadline, edited):
        assert response.status_code == 400
        assert "Kies een datum tussen 1900 en 2199." in response.get_data(as_text=True)
    session.rollback()
    assert (len(session.exec(select(Meeting)).all()),
            len(session.exec(select(Deadline)).all())) == before
