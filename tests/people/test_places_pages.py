"""Places per municipality on the pages: the coordinator's edition form sets them (bad input is
refused beside its field and changes nothing), registration says when you join your
municipality's team or that the municipality has its maximum, the public pages count places for
municipalities, and the coordinator sees teams on the enrollments, attendance and deliverables
pages with counts that say what they count."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests import factories
from tests.people.test_registration import register_path
from tests.public_world import closing_client, follow_link, open_edition, register_form, submit
from tests.schedule.test_coordinator_forms import _error_beside
from trajectories.people import services as people
from trajectories.people.models import Enrollment, Participant
from trajectories.schedule import services as schedule
from trajectories.schedule.models import DeliveredBy


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _words(response) -> str:
    """The page's text as read (links and other tags left out)."""
    return " ".join(re.sub(r"<[^>]+>", "", response.get_data(as_text=True)).split())


def _edit(nl, edition, **change):
    return nl.post(f"/beheer/edities/{edition.id}/bewerken", {
        "name": edition.name, "timezone": edition.timezone, "capacity": "5",
        "eligibility": "municipalities", **change})


def test_the_edition_form_sets_what_a_place_is(nl, session, coordinator_world):
    edition = coordinator_world.edition_nl
    form = _flat(nl.get(f"/beheer/edities/{edition.id}/bewerken"))
    assert "Een plaats is" in form and "Een gemeente (of andere organisatie)" in form
    assert "Hoogstens zoveel deelnemers per gemeente" in form
    response = _edit(nl, edition, place_unit="organisation", max_per_organisation="3")
    assert response.status_code == 302
    session.refresh(edition)
    assert (edition.place_unit, edition.max_per_organisation) == ("organisation", 3)
    page = _flat(nl.get(f"/beheer/edities/{edition.id}"))
    assert "5 (een plaats per gemeente)" in page and "hoogstens 3" in page
    # Emptied: no maximum any more.
    assert _edit(nl, edition, place_unit="organisation", max_per_organisation="").status_code \
        == 302
    session.refresh(edition)
    assert edition.max_per_organisation is None


@pytest.mark.parametrize("change, field, message", [
    ({"place_unit": "gemeentehuis"}, "place_unit", "Ongeldige keuze."),
    ({"max_per_organisation": "0"}, "max_per_organisation",
     "Het maximum aantal deelnemers per gemeente ligt tussen 1 en 100000; laat het leeg voor "
     "geen maximum."),
    ({"max_per_organisation": "-2"}, "max_per_organisation", "ligt tussen 1 en 100000"),
    ({"max_per_organisation": "99999999999999999999"}, "max_per_organisation",
     "ligt tussen 1 en 100000"),
    ({"max_per_organisation": "twee"}, "max_per_organisation", "Ongeldig getal."),
])
def test_bad_place_settings_are_refused_beside_the_field(nl, session, coordinator_world, change,
                                                         field, message):
    edition = coordinator_world.edition_nl
    response = _edit(nl, edition, **{"place_unit": "organisation", **change})
    assert response.status_code == 400
    _error_beside(response.get_data(as_text=True), field, message)
    session.refresh(edition)
    assert (edition.place_unit, edition.max_per_organisation, edition.capacity) == \
        ("person", None, 3)


@pytest.fixture
def app(mail_app):
    return mail_app


def _register_and_confirm(client, session, smtp_sink, path, count, **form):
    """Register, confirm from the mail: (the page after the form, the home page after)."""
    asked = submit(client, path, register_form(**form))
    confirm = smtp_sink.wait_for(count)[count - 1]
    landed = follow_link(client, confirm)
    return asked, client.get(landed.headers["Location"])


def test_registration_says_you_join_your_municipalitys_team(app, session, smtp_sink):
    vng = factories.organiser(session, slug="vng", name="VNG")
    track = factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie")
    edition = open_edition(session, trk=track, slug="2030", name="2030", capacity=5,
                           place_unit="organisation", max_per_organisation=2,
                           eligibility="municipalities")
    path = register_path(session, edition)
    client = closing_client(app, session)
    form = _flat(client.get(path))
    assert "neemt een gemeente één plaats, met een team van collega's" in form
    assert "Per gemeente kunnen hoogstens 2 deelnemers meedoen." in form
    assert "Er zijn nog 5 plaatsen voor gemeenten." in form

    first, home = _register_and_confirm(client, session, smtp_sink, path, 1,
                                        organisation="GM0344", email="anna@utrecht.example")
    assert "team van" not in _flat(first) + _flat(home)
    second, home = _register_and_confirm(client, session, smtp_sink, path, 3, name="Bert",
                                         organisation="GM0344", email="bert@utrecht.example")
    said = "Je gemeente neemt al deel: je wordt toegevoegd aan het team van Utrecht."
    assert said in _flat(second) and said in _flat(home)
    admitted_mail = smtp_sink.to("bert@utrecht.example")[-1]
    assert said in " ".join(admitted_mail.get_body(("plain",)).get_content().split())
    assert {e.status for e in session.exec(select(Enrollment))} == {"admitted"}
    assert "nog 4 plaatsen voor gemeenten vrij van 5" in _flat(client.get("/vng/inclusie/"))

    # A third of Utrecht is told at once, before any mail; nothing is stored or sent.
    third = submit(client, path, register_form(name="Cees", organisation="GM0344",
                                               email="cees@utrecht.example"))
    assert third.status_code == 422
    assert "Uit Utrecht doen al 2 deelnemers mee; meer per gemeente kan niet in deze editie." \
        in _flat(third)
    assert smtp_sink.to("cees@utrecht.example") == []


def test_a_full_edition_per_municipality_says_who_waits(client, session):
    vng = factories.organiser(session, slug="vng", name="VNG")
    track = factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie")
    edition = open_edition(session, trk=track, slug="2030", name="2030", capacity=1,
                           place_unit="organisation")
    town = factories.municipality(session, "Utrecht", "GM0344")
    people.enroll(session, edition, factories.participant(session, organisation_id=town.id))
    session.close()
    assert "vol — nieuwe gemeenten komen op de wachtlijst" in _flat(client.get("/vng/inclusie/"))
    form = _flat(client.get("/vng/inclusie/2030/inschrijven"))
    assert "Alle plaatsen voor gemeenten zijn bezet. Neemt je gemeente al deel" in form


def test_the_coordinator_sees_teams_with_counts_that_say_what_they_count(nl, session,
                                                                        coordinator_world):
    edition = coordinator_world.edition_nl
    edition.place_unit, edition.capacity = "organisation", 5
    session.add(edition)
    towns = [factories.municipality(session, name) for name in ("Utrecht", "Zwolle")]
    colleagues = [people.enroll(session, edition, factories.participant(
        session, name=f"Collega {i}", organisation_id=town.id)).participant_id
        for i, town in enumerate([towns[0], towns[0], towns[1]])]
    deadline = schedule.set_deadline(session, edition, title="Lokale tekst",
                                     due_date=coordinator_world.deadline_nl.due_date,
                                     delivered_by=DeliveredBy.ORGANISATION)
    people.submit(session, deadline, session.get(Participant, colleagues[1]), text="Onze tekst")
    session.commit()
    # Three admitted without a municipality (each a team of one, a fourth waits), Utrecht's two
    # and Zwolle's one.
    enrollments = _words(nl.get(f"/beheer/edities/{edition.id}/inschrijvingen"))
    assert "Toegelaten: 5 gemeenten · 6 deelnemers." in enrollments
    assert "5 van 5 plaatsen voor gemeenten bezet" in enrollments
    assert "Utrecht · 2 deelnemers" in enrollments and "Zwolle · 1 deelnemer" in enrollments
    assert enrollments.index("Utrecht · 2 deelnemers") < enrollments.index("Collega 0") \
        < enrollments.index("Collega 1") < enrollments.index("Zwolle · 1 deelnemer")
    attendance = nl.get(f"/beheer/sessies/{coordinator_world.meeting_nl.id}/aanwezigheid")
    assert "Utrecht · 2 deelnemers" in _words(attendance)
    # The team's name leads to the municipality's page (every edition, person and text of it).
    assert re.search(r'<legend><a class="utrecht-link" href="/beheer/gemeenten/\d+">Utrecht</a>',
                     _flat(attendance))
    deliverables = _flat(nl.get(f"/beheer/deadlines/{deadline.id}"))
    assert "1 van 5 gemeenten ingeleverd" in deliverables
    assert "In deze editie: 5 gemeenten · 6 deelnemers." in deliverables
    utrecht = deliverables.split(">Utrecht<", 1)[1].split("</tr>", 1)[0]
    assert "gestopt voor het hele team" in utrecht and "door Collega 1" in utrecht
    zwolle = deliverables.split(">Zwolle<", 1)[1].split("</tr>", 1)[0]
    assert "gaan naar 1 deelnemer" in zwolle and "nog niet" in zwolle
    # The one-off message says how many municipalities and people each group reaches.
    message = _flat(nl.get(f"/beheer/edities/{edition.id}/berichten/nieuw"))
    assert "Toegelaten: 5 gemeenten · 6 deelnemers; alle ingeschrevenen: 6 gemeenten · 7 " \
        "deelnemers." in message


def test_a_waiting_municipality_is_told_its_place_and_that_it_moves_up_together(app, session,
                                                                               smtp_sink):
    vng = factories.organiser(session, slug="vng", name="VNG")
    track = factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie")
    edition = open_edition(session, trk=track, slug="2030", name="2030", capacity=1,
                           place_unit="organisation")
    town = factories.municipality(session, "Utrecht", "GM0344")
    people.enroll(session, edition, factories.participant(session, organisation_id=town.id))
    path = register_path(session, edition)
    client = closing_client(app, session)
    for count, email in [(1, "cees@zwolle.example"), (3, "dirk@zwolle.example")]:
        _register_and_confirm(client, session, smtp_sink, path, count, organisation="GM0193",
                              email=email)
        outcome = " ".join(smtp_sink.to(email)[-1].get_body(("plain",)).get_content().split())
        assert "Je staat op de wachtlijst, op plaats 1." in outcome  # Zwolle is first in line
        assert "je gemeente wacht als geheel" in outcome
    assert sorted(e.status for e in session.exec(select(Enrollment))) == \
        ["admitted", "waitlisted", "waitlisted"]
