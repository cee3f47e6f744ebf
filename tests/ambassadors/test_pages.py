"""The public province pages from the demo (ambassador, municipalities taking part from the reach
report, regional meetings ahead) and the coordinators' pages under /beheer/ambassadeurs."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.coordinator_helpers import Browser
from trajectories.ambassadors import services as ambassadors
from trajectories.ambassadors.models import Ambassador


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_overview_lists_every_province_with_its_ambassador(client, demo):
    page = text(client.get("/provincies/"))
    assert len(re.findall(r'href="/provincies/[a-z]', page)) == 17
    assert "Femke Jansen (voorbeeld)" in page
    assert "Henk Brinkman" not in page  # his period ended in 2022
    assert "An De Smet (voorbeeld)" in page
    assert 'href="/provincies/limburg-be"' in page


def test_a_province_page_shows_ambassador_municipalities_and_meetings_ahead(client, demo):
    response = client.get("/provincies/overijssel")
    assert response.status_code == 200
    page = text(response)
    assert "Femke Jansen (voorbeeld)" in page
    assert "wethouder Internationale Zaken (voorbeeld)" in page
    assert "mailto:ambassadeur.overijssel@zwolle.example" in page  # given with consent
    assert "Henk Brinkman" not in page
    # Zwolle took part in the inclusion pilot (the reach report); no person is named.
    assert "<li>Zwolle</li>" in page
    assert "Fatima" not in page and "f.elamrani" not in page
    # The meeting ahead in Oost-Nederland (Deventer), not the one held there in 2016.
    assert "Deventer (voorbeeld)" in page
    assert "Zwolle (voorbeeld)" not in page
    # Zwolle's example in the Menukaart, linked; Utrecht's belongs to another province.
    assert re.search(r'href="/menukaart/\d+">De Tijdscapsule in de raadzaal</a>', page)
    assert "De begroting langs de Global Goals" not in page
    assert "De begroting langs de Global Goals" in text(client.get("/provincies/utrecht"))
    assert "Groningen (voorbeeld)" not in page  # Noord-Nederland's meeting is another region's


def test_without_consent_no_contact_is_shown(client, demo):
    page = text(client.get("/provincies/drenthe"))
    assert "Jan Hoekstra (voorbeeld)" in page
    assert "mailto:" not in page
    assert "<li>Noordenveld</li>" in page


def test_a_province_without_ambassador_says_so(client, demo):
    page = text(client.get("/provincies/zeeland"))
    assert "Zeeland heeft op dit moment geen ambassadeur." in page
    assert "Nog geen gemeente uit Zeeland nam deel aan een leertraject." in page
    assert "Er staan geen regionale bijeenkomsten in Zeeland gepland." in page


def test_flemish_provinces_have_their_own_pages(client, demo):
    page = text(client.get("/provincies/vlaams-brabant"))
    assert "Wout Janssens (voorbeeld)" in page and "<li>Leuven</li>" in page
    assert "<li>Mechelen</li>" in text(client.get("/provincies/antwerpen"))
    # Genk's civil servant is on an interest list only: that is not taking part.
    limburg = text(client.get("/provincies/limburg-be"))
    assert "Nog geen gemeente uit Limburg nam deel" in limburg and "Genk" not in limburg
    assert client.get("/provincies/limburg-nl").status_code == 200


@pytest.mark.parametrize("slug", ["atlantis", "Overijssel", "limburg", "%00"])
def test_an_unknown_province_answers_404(client, slug):
    assert client.get(f"/provincies/{slug}").status_code == 404


def test_the_demo_twice_appoints_nobody_twice(runner, db, demo):
    runner.invoke(args=["demo"])
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Ambassador)).one() == 7


# --- /beheer/ambassadeurs ------------------------------------------------------------------------
FORM = {"province": "overijssel", "name": "Femke Jansen", "role": "wethouder",
        "municipality_code": "GM0193", "contact_email": "", "starts_on": "2023-01-01",
        "ends_on": ""}


def count(session) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(Ambassador)).one()


def test_a_coordinator_appoints_and_sees_the_province_list(nl, session):
    page = text(nl.get("/beheer/ambassadeurs"))
    assert page.count("Ambassadeur benoemen") == 12  # the Dutch provinces only
    form = text(nl.get("/beheer/ambassadeurs/nieuw?provincie=overijssel"))
    assert '<option selected value="overijssel">' in form
    assert "Antwerpen" not in form
    response = nl.post("/beheer/ambassadeurs/nieuw", FORM)
    assert response.status_code == 302
    page = text(nl.get("/beheer/ambassadeurs"))
    assert "Femke Jansen is ambassadeur voor Overijssel." in page
    assert "<strong>Femke Jansen</strong>, wethouder, Zwolle · vanaf 01-01-2023" in page
    assert "Ambassadeur benoemd voor Overijssel." in text(nl.get("/beheer/logboek"))


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "Dit veld is verplicht."),
    ({"starts_on": "2023-13-45"}, "Vul een geldige datum in."),
    ({"municipality_code": "GM0014"}, "Groningen ligt niet in Overijssel"),
    ({"province": "antwerpen"}, "Kies een provincie uit de lijst."),
    ({"contact_email": "femke@zwolle.example"}, "Zonder toestemming tonen we geen contactadres"),
    ({"ends_on": "2022-01-01"}, "De einddatum ligt voor de begindatum."),
])
def test_bad_input_on_the_form_is_refused_and_changes_nothing(nl, session, changes, message):
    response = nl.post("/beheer/ambassadeurs/nieuw", {**FORM, **changes})
    assert response.status_code == 400
    assert message in text(response)
    assert count(session) == 0


def test_an_overlap_on_the_form_names_the_ambassador_there(nl, session):
    nl.post("/beheer/ambassadeurs/nieuw", FORM)
    response = nl.post("/beheer/ambassadeurs/nieuw", {**FORM, "name": "Henk",
                                                       "starts_on": "2024-01-01"})
    assert response.status_code == 400
    assert "Femke Jansen is al ambassadeur voor Overijssel (vanaf 01-01-2023)" in text(response)
    assert count(session) == 1


def test_a_coordinator_edits_and_ends_an_ambassador(nl, session, coordinator_world):
    a = ambassadors.appoint(session, coordinator_world.nl, {**FORM, "starts_on": date(2023, 1, 1)})
    page = text(nl.get(f"/beheer/ambassadeurs/{a.id}"))
    assert 'value="Femke Jansen"' in page and "Beëindigen" in page
    response = nl.post(f"/beheer/ambassadeurs/{a.id}", {**FORM, "role": "wethouder Klimaat"})
    assert response.status_code == 302, text(response)
    assert "opgeslagen" in text(nl.get(response.headers["Location"]))
    bad = nl.post(f"/beheer/ambassadeurs/{a.id}/beeindigen",
                  {"end-csrf_token": nl.token, "end-ends_on": "2020-01-01"})
    assert bad.status_code == 400
    assert "De einddatum ligt voor de begindatum (01-01-2023)." in text(bad)
    response = nl.post(f"/beheer/ambassadeurs/{a.id}/beeindigen",
                       {"end-csrf_token": nl.token, "end-ends_on": "2024-12-31"})
    assert response.status_code == 302
    session.rollback()
    row = session.get(Ambassador, a.id)
    session.refresh(row)
    assert (row.role, row.ends_on) == ("wethouder Klimaat", date(2024, 12, 31))


def test_another_organisers_ambassador_answers_404(client, session, coordinator_world):
    a = ambassadors.appoint(session, coordinator_world.be, {
        **FORM, "province": "vlaams-brabant", "municipality_code": "24062",
        "starts_on": date(2023, 1, 1)})
    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    assert browser.get(f"/beheer/ambassadeurs/{a.id}").status_code == 404
    assert browser.post(f"/beheer/ambassadeurs/{a.id}", FORM).status_code == 404
    assert browser.post(f"/beheer/ambassadeurs/{a.id}/beeindigen",
                        {"end-ends_on": "2024-12-31"}).status_code == 404
    assert "Wout" not in text(browser.get("/beheer/ambassadeurs"))
    admin = Browser(client, session)
    admin.sign_in("admin@example.org")
    assert admin.get(f"/beheer/ambassadeurs/{a.id}").status_code == 200
    vvsg = coordinator_world.be.id
    assert "Vlaams-Brabant" in text(admin.get(f"/beheer/ambassadeurs?organisator={vvsg}"))
