"""Who may see what under /beheer: login required, organiser scoping (404), CSRF, rate limit."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import select

from tests.coordinator_helpers import PASSWORD, Browser
from trajectories.catalogue.models import Track
from trajectories.people.models import Enrollment


def _urls(app, ids: dict) -> list[str]:
    """Every GET route of the coordinator blueprint, with ids filled in."""
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("coordinator.") or "GET" not in rule.methods:
                continue
            args = {name: ids[name] for name in rule.arguments}
            urls.append(url_for(rule.endpoint, **args))
    return urls


def _ids_of(world, side: str, material_id=0, submission_id=0, message_id=0,
            participant=None, ambassador_id=0) -> dict:
    participant = participant or world.participants[0]
    return {"organiser_id": getattr(world, side).id,
            "organisation_id": participant.organisation_id or 0, "participant_id": participant.id,
            "track_id": getattr(world, f"track_{side}").id,
            "edition_id": getattr(world, f"edition_{side}").id,
            "meeting_id": getattr(world, f"meeting_{side}").id,
            "deadline_id": getattr(world, f"deadline_{side}").id,
            "material_id": material_id, "submission_id": submission_id, "message_id": message_id,
            "token": "niet-geldig", "example_id": 0, "file_id": 0,
            "object_id": getattr(world, f"object_{side}").id,
            "round_id": 0, "nomination_id": 0,  # the award's pages: tests/award
            "ambassador_id": ambassador_id}


PUBLIC = ("/beheer/inloggen", "/beheer/wachtwoord", "/beheer/welkom/")


def _ambassador(session, organiser, province: str, code: str):
    from trajectories.ambassadors import services as ambassadors

    return ambassadors.appoint(session, organiser, {
        "province": province, "name": "Ambassadeur", "role": "wethouder",
        "municipality_code": code, "starts_on": date(2024, 1, 1)})


def test_every_page_without_login_goes_to_the_login_page(app, client, coordinator_world):
    urls = _urls(app, _ids_of(coordinator_world, "nl"))
    assert len(urls) > 20
    for url in urls:
        if url.startswith(PUBLIC):
            continue
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/beheer/inloggen"), url


def test_every_page_of_another_organiser_answers_404(app, client, session, coordinator_world):
    from trajectories.people import services as people
    from trajectories.schedule import services as schedule

    material = schedule.add_material(session, coordinator_world.meeting_be, title="Slides",
                                     url="https://example.org/slides")
    gent = people.create_organisation(session, name="Gent", kind="municipality", country="BE",
                                      code="44021")
    person = people.create_participant(session, name="Belg", email="belg@example.be",
                                       organisation_id=gent.id)
    people.enroll(session, coordinator_world.edition_be, person)
    submission = people.submit(session, coordinator_world.deadline_be, person, text="Ons bestek")
    from trajectories.mail.outbox import queue_mail

    message = queue_mail(session, to="belg@example.be", kind="other", subject="Hallo",
                         text="Tekst", dedupe_key="be-1", edition_id=coordinator_world.edition_be.id)
    session.commit()
    ambassador = _ambassador(session, coordinator_world.be, "vlaams-brabant", "24062")
    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    urls = [u for u in _urls(app, _ids_of(coordinator_world, "be", material.id, submission.id,
                                                 message.id, person, ambassador.id))
            if re.search(r"/\d+", u)]
    assert len(urls) > 15
    for url in urls:
        if url.startswith("/beheer/gemeenten/"):
            # A municipality is public reference data: its page answers, with none of the
            # other organiser's people on it.
            page = browser.get(url)
            assert page.status_code == 200 and "Belg" not in page.get_data(as_text=True)
            continue
        assert browser.get(url).status_code == 404, url
    # ... and a POST to change another organiser's session is refused the same way.
    response = browser.post(f"/beheer/sessies/{coordinator_world.meeting_be.id}/annuleren")
    assert response.status_code == 404
    session.refresh(coordinator_world.meeting_be)
    assert coordinator_world.meeting_be.status == "scheduled"


def test_own_pages_answer_200(app, client, session, coordinator_world):
    from trajectories.people import services as people

    utrecht = people.create_organisation(session, name="Utrecht", kind="municipality",
                                         country="NL", code="GM0344")
    coordinator_world.participants[0].organisation_id = utrecht.id
    session.commit()
    ambassador = _ambassador(session, coordinator_world.nl, "utrecht", "GM0344")
    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    for url in _urls(app, _ids_of(coordinator_world, "nl", ambassador_id=ambassador.id)):
        if re.search(r"/(materiaal|inzendingen|berichten|prijs|jury)/0|/nominatie/0|alles\.zip"
                     r"|export\.csv|/coordinatoren|presentielijst\.pdf|/menukaart/(0|bestanden/)",
                     url) \
                or url.startswith(PUBLIC):
            continue
        assert browser.get(url).status_code == 200, url


def test_admin_sees_every_organiser_and_manages_coordinators(client, session, coordinator_world):
    browser = Browser(client, session)
    browser.sign_in("admin@example.org")
    page = browser.get("/beheer/trajecten").get_data(as_text=True)
    assert "Inclusie" in page and "Aankoop" in page
    assert browser.get(f"/beheer/edities/{coordinator_world.edition_be.id}").status_code == 200
    response = browser.post("/beheer/coordinatoren", {
        "email": "nieuw@vvsg.example", "name": "Nieuwe collega", "organiser": coordinator_world.be.id,
        "password": "kort"})
    assert response.status_code == 400
    assert "Kies een wachtwoord van minstens 12 tekens." in response.get_data(as_text=True)
    response = browser.post("/beheer/coordinatoren", {
        "email": "nieuw@vvsg.example", "name": "Nieuwe collega", "organiser": coordinator_world.be.id,
        "password": "lang-genoeg-wachtwoord"})
    assert response.status_code == 302
    other = Browser(client.application.test_client(), session)
    assert other.login("nieuw@vvsg.example", "lang-genoeg-wachtwoord").status_code == 302


def test_a_coordinator_cannot_manage_coordinators(client, session, coordinator_world):
    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    assert browser.get("/beheer/coordinatoren").status_code == 404


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, session, coordinator_world):
    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    response = client.post(f"/beheer/trajecten/{coordinator_world.track_nl.id}/bewerken",
                           data={"title": "Gekaapt"})
    assert response.status_code == 400
    assert session.get(Track, coordinator_world.track_nl.id).title == "Inclusie"
    response = client.post("/beheer/inloggen", data={"email": "nl@example.org",
                                                     "password": PASSWORD})
    assert response.status_code == 400


def test_wrong_password_says_so_in_dutch(client, session, coordinator_world):
    browser = Browser(client, session)
    response = browser.login("nl@example.org", "verkeerd-wachtwoord")
    assert response.status_code == 400
    assert "Dit e-mailadres en wachtwoord horen niet bij elkaar." in response.get_data(as_text=True)
    assert browser.get("/beheer/").status_code == 302


def test_login_attempts_are_rate_limited(client, session, coordinator_world):
    browser = Browser(client, session)
    responses = [browser.post("/beheer/inloggen", {"email": "nl@example.org",
                                                   "password": "fout"}) for _ in range(11)]
    assert [r.status_code for r in responses[:10]] == [400] * 10
    assert responses[10].status_code == 429
    assert "Er is te vaak geprobeerd in te loggen." in responses[10].get_data(as_text=True)


def test_login_then_logout(client, session, coordinator_world):
    browser = Browser(client, session)
    assert browser.login("nl@example.org").headers["Location"] == "/beheer/"
    assert browser.get("/beheer/").status_code == 200
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"
    browser.post("/beheer/uitloggen")
    assert browser.get("/beheer/").status_code == 302


def test_login_redirects_only_inside_the_app(client, session, coordinator_world):
    browser = Browser(client, session)
    browser.get("/beheer/inloggen")
    response = browser.post("/beheer/inloggen?next=https://evil.example/",
                            {"email": "nl@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/beheer/"


def test_security_headers_on_coordinator_pages(client, coordinator_world):
    response = client.get("/beheer/inloggen")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("value", ["²", "9" * 40, "-1", "1e3"])
def test_odd_numbers_in_addresses_and_forms_change_nothing_and_never_fail(nl, client, session,
                                                                          coordinator_world,
                                                                          value):
    """'²' is a digit to str.isdigit but not to int(); 40 nines overflow the database."""
    edition_id = coordinator_world.edition_nl.id
    before = {e.id: e.status for e in session.exec(select(Enrollment))}

    assert nl.get(f"/beheer/logboek?pagina={value}").status_code == 200
    assert nl.get(f"/beheer/trajecten/nieuw?organisator={value}").status_code == 200
    assert nl.post(f"/beheer/edities/{edition_id}/berichten/vrijgeven",
                   {"selected": value}).status_code == 302
    assert nl.post(f"/beheer/edities/{edition_id}/inschrijvingen",
                   {"selected": value, "action": "withdraw"}).status_code == 302
    assert client.get(f"/?sdg={value}&pagina={value}").status_code == 200

    session.expire_all()
    assert {e.id: e.status for e in session.exec(select(Enrollment))} == before
