"""`trajectories import-municipalities FILE.csv`: the reference list brought up to date, all or
nothing; a merger keeps the merged municipalities' history under the new one."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from tests import factories
from tests.people.test_registration import register_path
from tests.public_world import open_edition, register_form, submit
from tests.reach import world
from trajectories.core import reference
from trajectories.core.reference import ReferenceMunicipality
from trajectories.people.models import Organisation
from trajectories.reach import history


def _run(runner, tmp_path, text: str):
    path = tmp_path / "gemeenten.csv"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["import-municipalities", str(path)])


def _imported(session) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(ReferenceMunicipality)).one()


def test_a_good_file_updates_the_reference_and_reports_the_merger(runner, session, tmp_path):
    result = _run(runner, tmp_path, "code;naam;provincie;vervangt\n"
                                    "GM1999;Veenendaal-Rhenen;Utrecht;GM0345, GM0340\n"
                                    "11002;Antwerpen;Antwerpen;\n")
    assert result.exit_code == 0, result.output
    assert "2 gemeenten ingelezen." in result.output
    assert "Veenendaal-Rhenen (incl. voormalig Veenendaal, Rhenen)" in result.output
    session.rollback()
    counts = reference.province_counts(session)
    assert counts[("NL", "Utrecht")] == 25 and sum(counts.values()) == 342 + 285 - 1
    assert session.get(ReferenceMunicipality, "GM0345").merged_into == "GM1999"
    assert "Veenendaal-Rhenen" in {m.name for m in reference.current(session)}


def test_an_unknown_province_refuses_the_whole_file_naming_the_row(runner, session, tmp_path):
    result = _run(runner, tmp_path, "code;naam;provincie\n"
                                    "GM1999;Nieuwstad;Utrecht\n"
                                    "GM1998;Elders;Utrect\n")
    assert result.exit_code != 0
    assert "regel 3: Onbekende provincie 'Utrect'" in result.output
    assert "niets ingelezen" in result.output
    assert _imported(session) == 0


def test_a_duplicate_code_refuses_the_whole_file_naming_both_rows(runner, session, tmp_path):
    result = _run(runner, tmp_path, "cbs_code,name,province\n"
                                    "GM0344,Utrecht,Utrecht\n"
                                    "GM0014,Groningen,Groningen\n"
                                    "GM0344,Utrecht (stad),Utrecht\n")
    assert result.exit_code != 0
    assert "regel 4: Code GM0344 staat ook op regel 2." in result.output
    assert _imported(session) == 0


@pytest.mark.parametrize("text, message", [
    ("", "Het bestand is leeg."),
    ("naam;provincie\nX;Utrecht\n", "De kolommen code ontbreken"),
    ("code;naam;provincie\nXX12;Nergens;Utrecht\n", "geen CBS-code"),
    ("code;naam;provincie;vervangt\nGM1999;Nieuw;Utrecht;GM9998\n", "GM9998 is onbekend"),
    ("code;naam;provincie;vervangt\nGM1999;Nieuw;Utrecht;GM1999\n", "zichzelf niet vervangen"),
    ("code;naam;provincie;vervangt\nGM1999;Nieuw;Utrecht;11002\n", "hetzelfde land"),
    ("code;naam;provincie\nGM1999;;Utrecht\n", "Naam is verplicht."),
])
def test_other_bad_files_change_nothing(runner, session, tmp_path, text, message):
    result = _run(runner, tmp_path, text)
    assert result.exit_code != 0
    assert message in result.output
    assert _imported(session) == 0


def test_a_merger_keeps_the_history_under_the_new_municipality(runner, session, tmp_path,
                                                              coordinator_world):
    reach = world.build(session)
    result = _run(runner, tmp_path, world.MERGER)
    assert result.exit_code == 0, result.output
    session.rollback()
    session.expire_all()  # the command wrote through its own session
    veenendaal = session.get(Organisation, reach.organisations["veenendaal"].id)
    new = session.exec(select(Organisation).where(Organisation.code == "GM1999")).one()
    assert veenendaal.merged_into_id == new.id and new.province == "Utrecht"
    group = history.municipality_group(session, new.id)
    assert [o.name for o in group] == ["Veenendaal-Rhenen", "Veenendaal"]
    names = [p[1] for p in history.municipality_history(session, group, None).participants]
    assert names == ["Carla Smit"]


def test_a_municipality_takes_its_province_from_the_reference(session):
    organisation = factories.municipality(session, name="Utrecht", code="GM0344")
    assert organisation.province == "Utrecht"


def test_after_a_merger_people_choose_the_new_municipality_not_the_merged_ones(
        runner, session, tmp_path, client):
    edition = open_edition(session)
    path = register_path(session, edition)
    session.commit()  # the command writes through its own session
    assert ">Veenendaal<" in client.get(path).get_data(as_text=True)
    result = _run(runner, tmp_path, "code;naam;provincie;vervangt\n"
                                    "GM1999;Veenendaal-Rhenen;Utrecht;GM0345, GM0340\n")
    assert result.exit_code == 0, result.output
    page = client.get(path).get_data(as_text=True)
    assert ">Veenendaal-Rhenen<" in page and ">Veenendaal<" not in page
    refused = submit(client, path, register_form(organisation="GM0345"))
    assert refused.status_code == 422
    assert "Kies je gemeente uit de lijst" in refused.get_data(as_text=True)
    assert submit(client, path, register_form(organisation="GM1999")).status_code in (200, 302)
