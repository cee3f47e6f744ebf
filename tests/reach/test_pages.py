"""The reach report, a municipality's and a participant's page, and the search, in /beheer."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from tests.reach import world
from tests.web.test_english import compiled_catalogue  # noqa: F401  (compiles the .mo)
from trajectories.reach.municipalities import import_municipalities


@pytest.fixture
def reach(session, coordinator_world):
    return world.build(session)


def test_the_report_page_draws_accessible_charts_and_the_numbers_in_tables(nl, reach):
    html = nl.get("/beheer/bereik").get_data(as_text=True)
    assert 'href="/beheer/bereik"' in html  # in the coordinators' navigation
    assert html.count('role="img"') == 2
    assert 'aria-label="Gemeenten per provincie (VNG)"' in html
    assert "<title id=\"chart-provinces-title\">Gemeenten per provincie (VNG)</title>" in html
    assert "Utrecht: 2 deelgenomen, 1 ingeleverd, 1 afgerond" in html  # the chart's <desc>
    assert re.search(r'scope="row">Utrecht</th>\s*<td[^>]*>2</td>\s*<td[^>]*>1</td>\s*'
                     r'<td[^>]*>1</td>\s*<td[^>]*>26</td>\s*<td[^>]*>7.7%</td>', html)
    assert "3 gemeenten deelgenomen" in html


def test_the_report_filters_by_track_and_period(nl, reach):
    html = nl.get(f"/beheer/bereik?leertraject={reach.inclusion_track.id}&van=2022&tot=2022"
                  ).get_data(as_text=True)
    assert "1 gemeente deelgenomen" in html
    assert "Veenendaal" in html and ">Groningen</a>" not in html


@pytest.mark.parametrize("query, message", [
    ("van=abc", "Van moet een jaartal tussen 1990 en 2100 zijn."),
    ("van=2023&tot=2020", "Het beginjaar ligt na het eindjaar."),
    ("leertraject=999999", "Kies een leertraject uit de lijst."),
    ("leertraject=%27%3B--", "Kies een leertraject uit de lijst.")])
def test_bad_filters_get_a_dutch_message_not_an_error_page(nl, reach, query, message):
    for url in (f"/beheer/bereik?{query}", f"/beheer/bereik.csv?{query}",
                f"/beheer/bereik.xlsx?{query}"):
        response = nl.get(url)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_another_organisers_track_is_not_a_filter(nl, reach, coordinator_world):
    response = nl.get(f"/beheer/bereik?leertraject={coordinator_world.track_be.id}")
    assert response.status_code == 400


def test_the_csv_download_opens_in_excel_safely(nl, reach):
    response = nl.get("/beheer/bereik.csv")
    assert response.status_code == 200
    assert 'filename="bereik-vng.csv"' in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 with a BOM
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["onderdeel", "naam", "deelgenomen", "ingeleverd", "afgerond"]
    assert ["Provincies", "Utrecht", "2", "1", "1", "26", "7.7"] in rows
    assert ["Jaren", "2021", "1", "1", "0", "", ""] in rows


def test_the_xlsx_download_reads_back_with_openpyxl(nl, reach):
    response = nl.get("/beheer/bereik.xlsx?van=2021")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Overzicht", "Provincies", "Global Goals", "Jaren", "Gemeenten"]
    provinces = {r[0]: r[1:] for r in book["Provincies"].iter_rows(min_row=2, values_only=True)}
    assert provinces["Utrecht"][:4] == (2, 1, 1, 26)
    overview = list(book["Overzicht"].iter_rows(values_only=True))
    assert ("gemeenten deelgenomen", 3) in overview
    assert ("filters", "alle leertrajecten, 2021–…") in overview


def test_a_merged_municipality_shows_under_the_new_one(nl, session, reach):
    assert import_municipalities(session, world.MERGER).errors == []
    session.commit()
    html = nl.get("/beheer/bereik").get_data(as_text=True)
    assert "Veenendaal-Rhenen (incl. voormalig Veenendaal)" in html
    page = nl.get(f"/beheer/gemeenten/{reach.organisations['veenendaal'].id}").get_data(
        as_text=True)
    assert "Heringedeeld in" in page and "Veenendaal-Rhenen" in page


def test_a_municipality_page_shows_every_participant_edition_attendance_and_deliverable(
        nl, reach):
    html = nl.get(f"/beheer/gemeenten/{reach.organisations['utrecht'].id}").get_data(
        as_text=True)
    assert "Anna de Vries" in html and "Bram Jansen" in html
    assert "Global Goals, 2021" in html and "(2021)" in html
    assert "0 van 1 sessies" in html
    assert "ingeleverd door Anna de Vries" in html
    assert "Carla Smit" not in html


def test_a_participant_page_shows_their_editions_and_submissions(nl, reach):
    response = nl.get(f"/beheer/deelnemers/{reach.people['anna'].id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "anna@utrecht.example" in html and "Plan van aanpak" in html
    assert "ingeleverd door Anna de Vries" in html


def test_another_organisers_coordinator_does_not_see_the_participant(client, session, reach):
    from tests.coordinator_helpers import Browser

    be = Browser(client, session).sign_in("be@example.org")
    assert be.get(f"/beheer/deelnemers/{reach.people['anna'].id}").status_code == 404
    html = be.get(f"/beheer/gemeenten/{reach.organisations['utrecht'].id}").get_data(
        as_text=True)
    assert "Anna de Vries" not in html


@pytest.mark.parametrize("q, found", [
    ("anna", "Anna de Vries"), ("BRAM@utrecht", "Bram Jansen"), ("groningen", "Daan Bakker"),
    ("GM0344", "Anna de Vries"), ("gm0345", "Carla Smit")])
def test_search_finds_by_name_email_municipality_and_code(nl, reach, q, found):
    html = nl.get(f"/beheer/zoeken?q={q}").get_data(as_text=True)
    assert found in html


def test_search_refuses_a_one_letter_or_overlong_query(nl, reach):
    assert nl.get("/beheer/zoeken?q=a").status_code == 400
    response = nl.get("/beheer/zoeken?q=" + "x" * 101)
    assert response.status_code == 400
    assert "hoogstens 100 tekens" in response.get_data(as_text=True)


def test_enrollment_names_link_to_the_participant_and_municipality(nl, reach):
    html = nl.get(f"/beheer/edities/{reach.editions['gg2021'].id}/inschrijvingen").get_data(
        as_text=True)
    assert f'href="/beheer/deelnemers/{reach.people["anna"].id}"' in html
    assert f'href="/beheer/gemeenten/{reach.organisations["utrecht"].id}"' in html


def test_unknown_municipality_and_participant_answer_404(nl, reach):
    assert nl.get("/beheer/gemeenten/999999").status_code == 404
    assert nl.get("/beheer/deelnemers/999999").status_code == 404


def test_the_report_speaks_english_when_chosen(nl, reach):
    html = nl.get("/beheer/bereik?lang=en").get_data(as_text=True)
    assert "Reach: municipalities in VNG" in html
    assert "3 municipalities took part" in html
    assert 'aria-label="Municipalities per province (VNG)"' in html


def test_search_takes_wildcards_literally(nl, reach):
    html = nl.get("/beheer/zoeken?q=%25%25").get_data(as_text=True)
    assert "Geen deelnemers gevonden." in html and "Anna de Vries" not in html


def test_a_formula_in_a_track_title_stays_text_in_the_xlsx(nl, session, reach):
    reach.goals_track.title = "=HYPERLINK(\"http://evil.example\")"
    session.add(reach.goals_track)
    session.commit()
    response = nl.get(f"/beheer/bereik.xlsx?leertraject={reach.goals_track.id}")
    cell = load_workbook(io.BytesIO(response.data))["Overzicht"]["B2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
