"""The Menukaart's search and filters, on SQLite (LIKE) and PostgreSQL (Dutch full-text search),
and the public pages answering bad filters without an error."""

from __future__ import annotations

import pytest

from tests import factories
from tests.menukaart.helpers import example_data
from trajectories.menukaart import queries, services


@pytest.fixture
def library(app, session):
    """Three published examples (Utrecht, Zwolle, Gent) and one draft."""
    with app.test_request_context():
        vng = factories.organiser(session, slug="vng", name="VNG", country="NL")
        rows = {}
        for key, data in {
            "fiets": example_data(),
            "repair": example_data(municipality="GM0193", title="Repaircafés in de wijk",
                                   summary="Repareren in plaats van weggooien.",
                                   what_was_done="Vrijwilligers repareerden fietsen en lampen.",
                                   sdgs=["12"], theme="Circulaire economie", year="2024"),
            "gent": example_data(municipality="44021", title="Eerlijke handel in Gent",
                                 summary="Fairtrade in de stadskantines.",
                                 what_was_done="Duurzame inkoop van koffie.", sdgs=["12", "17"],
                                 theme="Duurzame inkoop", year="2023"),
        }.items():
            rows[key] = services.publish(session, services.create_example(session, vng, data))
        rows["draft"] = services.create_example(session, vng, example_data(
            title="Geheim fietsplan", year="2025"))
    return rows


def found(session, **args) -> list[str]:
    return [e.title for e, _o in queries.search(session, queries.Filters.from_args(args))]


def test_search_finds_words_in_any_text_and_never_drafts(session, library):
    assert found(session, q="fietsen") == ["Repaircafés in de wijk", "Fietsen naar school"]
    assert found(session, q="koffie") == ["Eerlijke handel in Gent"]
    assert found(session, q="Gent") == ["Eerlijke handel in Gent"]  # the municipality's name
    assert found(session, q="geheim") == []
    assert found(session, q="%") == [] and found(session, q="_") == []


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # Dutch text search
def test_dutch_full_text_search_finds_other_word_forms(session, library):
    assert found(session, q="lamp") == ["Repaircafés in de wijk"]  # "lampen"
    assert found(session, q="fietsen repareren") == ["Repaircafés in de wijk"]  # "repareerden"
    assert found(session, q="de") == []  # a stop word finds nothing, and fails nothing


def test_filters_by_goal_theme_province_and_year(session, library):
    assert found(session, sdg="12") == ["Eerlijke handel in Gent", "Repaircafés in de wijk"]
    assert found(session, thema="duurzame inkoop") == ["Eerlijke handel in Gent"]
    assert found(session, provincie="Overijssel") == ["Repaircafés in de wijk"]
    assert found(session, provincie="Oost-Vlaanderen") == ["Eerlijke handel in Gent"]
    assert found(session, jaar="2025") == ["Fietsen naar school"]
    assert found(session, sdg="12", jaar="2024", provincie="Overijssel", q="lampen") == [
        "Repaircafés in de wijk"]


def test_published_examples_for_province_pages(session, library):
    assert [e.title for e in queries.published_examples(session, province="Utrecht")] == [
        "Fietsen naar school"]
    assert len(queries.published_examples(session)) == 3
    assert len(queries.published_examples(session, limit=2)) == 2
    assert queries.published_examples(session, organisation_id=library["gent"].organisation_id
                                      ) == [library["gent"]]


@pytest.mark.parametrize("query", [
    "sdg=abc", "sdg=99", "sdg=-1", "jaar=99999999999999999999999", "jaar=twee", "provincie=Atlantis",
    "thema=" + "x" * 5000, "jaar=%C2%B2", "provincie=%00", "q=" + "%25_" * 300, "q=%00", "sdg=1&sdg=2", "jaar=&sdg=",
])
def test_bad_filters_never_fail(client, session, library, query):
    response = client.get(f"/menukaart/?{query}")
    assert response.status_code == 200


def test_the_pages_of_examples_and_municipalities(client, session, library):
    page = client.get(f"/menukaart/{library['fiets'].id}").get_data(as_text=True)
    assert "Fietsen naar school" in page and "anna@utrecht.example" not in page  # no consent
    assert client.get(f"/menukaart/{library['draft'].id}").status_code == 404
    assert client.get("/menukaart/99999999999999999999999").status_code == 404
    page = client.get("/gemeenten/GM0344").get_data(as_text=True)
    assert "Fietsen naar school" in page and "Geheim fietsplan" not in page
    assert client.get("/gemeenten/gm0344").status_code == 200
    assert "Nog geen voorbeelden" in client.get("/gemeenten/GM0363").get_data(as_text=True)
    assert client.get("/gemeenten/GM9999").status_code == 404
    assert client.get("/gemeenten/" + "x" * 500).status_code == 404
    assert client.get("/gemeenten/GM%00").status_code == 404


def test_files_are_downloadable_only_while_published(app, client, session, library):
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    with app.test_request_context():
        public = services.add_file(session, library["fiets"],
                                   FileStorage(BytesIO(b"%PDF-1.4 x"), "Fietsbus verslag.pdf"))
        hidden = services.add_file(session, library["draft"],
                                   FileStorage(BytesIO(b"%PDF-1.4 y"), "geheim.pdf"))
    fiets, draft = library["fiets"].id, library["draft"].id
    public_id, hidden_id = public.id, hidden.id
    session.close()
    response = client.get(f"/menukaart/{fiets}/bestanden/{public_id}")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 x"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/menukaart/{draft}/bestanden/{hidden_id}").status_code == 404
    assert client.get(f"/menukaart/{fiets}/bestanden/{hidden_id}").status_code == 404
