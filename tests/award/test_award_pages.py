"""The award's pages: the public page shows the shortlist and winner only once published; the
nomination form needs a signed-in civil servant; a jury account opens its own round's jury page
and nothing else under /beheer."""

from __future__ import annotations

import re

import pytest

from tests.auth import signed_in_participant
from tests.award.world import CLOSED, OPEN, active_juror, build, new_round
from tests.completion.clock import clock_at
from tests.coordinator_helpers import Browser
from trajectories.award import queries
from trajectories.award import services as award
from trajectories.award.models import Publication


@pytest.fixture
def world(app, session):
    """As the services' world, built outside the app: the client's requests open their own."""
    return build(session)


def _nominated(client, session, world):
    with clock_at(OPEN), client.application.app_context():  # its receipt renders in the app
        nomination = award.start_nomination(session, world.round, world.anna)
        return award.submit_nomination(session, world.round, nomination, world.anna,
                                       title="Utrecht Global Goals Stad",
                                       text="Elke wijk werkt aan de doelen.")


def test_public_page_shows_round_criteria_and_close_but_no_shortlist_before_publication(
        client, session, world):
    nomination = _nominated(client, session, world)
    award.set_shortlist(session, world.round, [nomination.id])
    award.choose_winner(session, world.round, nomination.id)
    html = client.get("/prijs/2030").get_data(as_text=True)
    assert "Meest Inspirerende Global Goals Gemeente 2030" in html
    assert "Inspiratie" in html and "30 juni 2030" in html
    assert "Utrecht Global Goals Stad" not in html and "Shortlist" not in html
    with client.application.app_context():  # the outcome mails render in the app
        award.publish(session, world.round, Publication.SHORTLIST)
    html = client.get("/prijs/2030").get_data(as_text=True)
    assert "Shortlist" in html and "Utrecht Global Goals Stad" in html
    assert "Winnaar" not in html
    with client.application.app_context():
        award.publish(session, world.round, Publication.WINNER)
    assert "Winnaar" in client.get("/prijs/2030").get_data(as_text=True)


def test_public_page_of_a_year_without_round_answers_404(client, world):
    assert client.get("/prijs/1999").status_code == 404
    assert client.get("/prijs/").status_code == 200


def test_nominating_needs_a_signed_in_civil_servant(client, world):
    response = client.get(f"/prijs/nomineren/{world.round.id}")
    assert response.status_code == 302 and "/mijn/inloggen" in response.headers["Location"]


def test_nominating_through_the_form_and_refused_after_the_close(client, session, world):
    signed_in_participant(client, world.anna)
    browser = Browser(client, session)
    url = f"/prijs/nomineren/{world.round.id}"
    with clock_at(OPEN):
        assert "Begin de nominatie" in browser.get(url).get_data(as_text=True)
        browser.post(url, {"action": "start"})
        empty = browser.post(url, {"action": "submit", "title": "Utrecht", "text": ""})
        assert empty.status_code == 422 and "de toelichting is leeg" in empty.get_data(as_text=True)
        browser.post(url, {"action": "draft", "title": "Utrecht", "text": "Concepttekst"})
    nomination = queries.nomination_of(session, world.round.id, world.utrecht.id)
    session.refresh(nomination)
    assert nomination.text == "Concepttekst" and nomination.submitted_at is None
    with clock_at(CLOSED):
        browser.get(url)
        late = browser.post(url, {"action": "submit", "title": "Utrecht", "text": "Te laat"})
    assert late.status_code == 422
    assert "zijn gesloten sinds 30-06-2030" in late.get_data(as_text=True)
    session.refresh(nomination)
    assert nomination.submitted_at is None and nomination.text == "Concepttekst"


def test_the_generic_deadline_page_leads_to_the_nomination_form(client, session, world):
    with clock_at(OPEN):
        award.start_nomination(session, world.round, world.anna)
    signed_in_participant(client, world.anna)
    deadline_id = award.deadline_of(session, world.round).id
    session.rollback()  # on SQLite every transaction holds the write lock
    response = client.get(f"/mijn/deadline/{deadline_id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/prijs/nomineren/{world.round.id}")


def _coordinator_urls(app, ids) -> list[str]:
    from flask import url_for

    with app.test_request_context():
        return [url_for(rule.endpoint, **{name: ids.get(name, 1) for name in rule.arguments})
                for rule in app.url_map.iter_rules()
                if rule.endpoint.startswith("coordinator.") and "GET" in rule.methods]


def test_a_jury_member_opens_only_their_rounds_jury_pages(app, client, session, world):
    nomination = _nominated(client, session, world)
    other = new_round(session, world.vvsg, year=2030)
    active_juror(session, world.round)
    browser = Browser(client, session)
    browser.login("jury@example.org", "een-lang-jury-wachtwoord")
    assert browser.get("/beheer/jury").status_code == 200
    page = browser.get(f"/beheer/jury/{world.round.id}")
    assert page.status_code == 200 and "Elke wijk werkt aan de doelen." in page.get_data(
        as_text=True)
    assert browser.get(f"/beheer/jury/{other.id}").status_code == 404
    allowed = ("/beheer/jury", "/beheer/inloggen", "/beheer/wachtwoord", "/beheer/welkom/",
               "/beheer/prijs/nominatie/")
    ids = {"round_id": world.round.id, "nomination_id": nomination.id, "token": "x"}
    urls = [u for u in _coordinator_urls(app, ids) if not u.startswith(allowed)]
    assert len(urls) > 20
    for url in urls:
        assert browser.get(url).status_code == 403, url
    # ... and posting to a coordinator's action on the round is refused the same way.
    response = browser.post(f"/beheer/prijs/{world.round.id}/publiceren", {"what": "shortlist"})
    assert response.status_code == 403


def test_a_jury_member_scores_and_a_bad_score_is_refused(client, session, world):
    nomination = _nominated(client, session, world)
    active_juror(session, world.round)
    browser = Browser(client, session)
    browser.sign_in("jury@example.org")
    crits = queries.criteria(session, world.round.id)
    url = f"/beheer/jury/{world.round.id}"
    browser.get(url)
    bad = browser.post(url, {"nomination": nomination.id, **{f"score_{c.id}": "12" for c in crits}})
    assert bad.status_code == 422 and "score van 1 tot en met 10" in bad.get_data(as_text=True)
    good = browser.post(url, {"nomination": nomination.id, **{f"score_{c.id}": "8" for c in crits}})
    assert good.status_code == 302
    assert queries.results(session, world.round)[0]["total"] == 8.0


def test_coordinator_round_page_and_another_organisers_round(client, session, world):
    _nominated(client, session, world)
    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    page = browser.get(f"/beheer/prijs/{world.round.id}").get_data(as_text=True)
    assert "Utrecht" in page and "Gewogen totaal" in page
    other = new_round(session, world.vvsg, year=2030)
    assert browser.get(f"/beheer/prijs/{other.id}").status_code == 404
    assert browser.get(f"/beheer/jury/{world.round.id}").status_code == 404  # not on its jury
    refused = browser.post("/beheer/prijs", {"year": "2031", "title": "", "opens_on": "2031-03-01",
                                             "closes_on": "2031-06-30", "criterion_0": "Bereik",
                                             "weight_0": "2"})
    assert refused.status_code == 422 and re.search("Titel is verplicht", refused.get_data(
        as_text=True))
