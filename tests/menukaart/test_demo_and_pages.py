"""The demo's Menukaart, and the coordinator's pages through the test client: scoping, bad
input, the example made from a deliverable."""

from __future__ import annotations

from sqlmodel import select

from tests.coordinator_helpers import Browser
from tests.menukaart.helpers import example_data, proposal_data
from tests.public_world import submit
from trajectories.demo.loader import load_demo
from trajectories.menukaart.models import Example
from trajectories.people import services as people


def test_the_demo_has_examples_marked_as_examples_and_loads_twice(app, client, session):
    list(load_demo(app.extensions["trajectories.db"]))
    list(load_demo(app.extensions["trajectories.db"]))
    page = client.get("/menukaart/").get_data(as_text=True)
    assert "De Tijdscapsule in de raadzaal" in page
    assert "Een YoungChallenger" not in page  # a proposal waiting for review
    assert len(session.exec(select(Example)).all()) == 5
    example = session.exec(select(Example).where(Example.title.like("De begroting%"))).one()
    session.close()
    assert "verzonnen" in client.get(f"/menukaart/{example.id}").get_data(as_text=True)
    assert "De begroting langs de Global Goals" in client.get(
        "/gemeenten/GM0344").get_data(as_text=True)


def test_the_coordinator_writes_and_publishes_and_bad_input_changes_nothing(client, session,
                                                                            coordinator_world):
    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    data = {**example_data(), "sdgs": ["3", "11"]}
    refused = browser.post("/beheer/menukaart/nieuw", {**data, "municipality": "GM9999",
                                                        "year": "twee", "links": "geen link"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Kies de gemeente uit de lijst." in text
    assert session.exec(select(Example)).all() == []
    saved = browser.post("/beheer/menukaart/nieuw", data)
    assert saved.status_code == 302
    example = session.exec(select(Example)).one()
    session.close()
    assert client.get(f"/menukaart/{example.id}").status_code == 404  # a draft
    browser.get(saved.headers["Location"])
    browser.post(f"/beheer/menukaart/{example.id}/publiceren")
    session.close()
    assert client.get(f"/menukaart/{example.id}").status_code == 200
    # Another organiser's coordinator sees none of it.
    other = Browser(client, session)
    other.sign_in("be@example.org")
    assert other.get(f"/beheer/menukaart/{example.id}").status_code == 404
    assert other.post(f"/beheer/menukaart/{example.id}/offline").status_code == 404
    assert "Fietsen naar school" not in other.get("/beheer/menukaart").get_data(as_text=True)


def test_maak_voorbeeld_from_a_submission(app, client, session, coordinator_world):
    utrecht = people.create_organisation(session, name="Utrecht", kind="municipality",
                                         country="NL", code="GM0344")
    person = coordinator_world.participants[0]
    person.organisation_id = utrecht.id
    session.add(person)
    session.commit()
    submission = people.submit(session, coordinator_world.deadline_nl, person,
                               text="Ons plan voor inclusie.")
    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    page = browser.get(f"/beheer/inzendingen/{submission.id}").get_data(as_text=True)
    assert "Maak voorbeeld" in page
    made = browser.post(f"/beheer/inzendingen/{submission.id}/voorbeeld")
    assert made.status_code == 302
    example = session.exec(select(Example)).one()
    assert example.submission_id == submission.id and example.status == "draft"
    refused = browser.post(f"/beheer/menukaart/{example.id}/publiceren", follow_redirects=True)
    assert "nog geen toestemming" in refused.get_data(as_text=True)
    bad = browser.post(f"/beheer/menukaart/{example.id}/toestemming", {"email": "geen"},
                       follow_redirects=True)
    assert "Vul een geldig e-mailadres in" in bad.get_data(as_text=True)
    session.expire_all()
    assert session.get(Example, example.id).status == "draft"
    session.close()
    assert client.get(f"/menukaart/{example.id}").status_code == 404


def test_the_public_form_with_bad_input_keeps_nothing(client, session, coordinator_world):
    answer = submit(client, "/menukaart/voorstellen",
                    {**proposal_data(email="x", title=""), "sdgs": ["12", "99"]})
    assert answer.status_code == 422
    assert "Global Goals zijn nummers van 1 tot en met 17." in answer.get_data(as_text=True)
    assert session.exec(select(Example)).all() == []
    session.close()
    honeypot = submit(client, "/menukaart/voorstellen", {**proposal_data(), "website": "x"})
    assert honeypot.status_code == 200 and session.exec(select(Example)).all() == []
    assert client.post("/menukaart/bevestigen", data={"t": "x"}).status_code in (400,)
    assert client.get("/menukaart/toestemming?t=niet-geldig").status_code == 400
