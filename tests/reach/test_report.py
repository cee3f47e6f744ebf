"""The reach report's numbers on a small hand-made world (tests/reach/world.py)."""

from __future__ import annotations

import pytest

from tests.reach import world
from trajectories.core import reference
from trajectories.core.errors import InvalidInput
from trajectories.reach import queries
from trajectories.reach.municipalities import import_municipalities


@pytest.fixture
def reach(session, coordinator_world):
    return world.build(session)


def _by(rows, key):
    return {r.key: r for r in rows}[key]


def test_report_counts_municipalities_per_province_goal_and_year(session, reach):
    report = queries.report(session, reach.organiser, queries.Filters())
    assert (report.total.took_part, report.total.delivered, report.total.completed) == (3, 1, 1)
    utrecht = _by(report.provinces, "Utrecht")
    assert (utrecht.took_part, utrecht.delivered, utrecht.completed) == (2, 1, 1)
    assert utrecht.total == 26  # Utrecht's municipalities in municipalities-nl.csv
    groningen = _by(report.provinces, "Groningen")
    assert (groningen.took_part, groningen.delivered, groningen.completed) == (1, 0, 0)
    assert len(report.provinces) == 12  # every Dutch province, also those with nobody
    assert _by(report.provinces, "Zeeland").took_part == 0
    assert utrecht.share == pytest.approx(2 / 26)
    assert {g.key: g.took_part for g in report.goals} == {5: 1, 10: 1, 11: 2, 13: 2}
    assert {y.key: (y.took_part, y.delivered, y.completed) for y in report.years} == {
        2021: (1, 1, 0), 2022: (2, 0, 1)}


def test_filters_narrow_to_a_track_and_a_period(session, reach):
    only_goals = queries.report(session, reach.organiser,
                                queries.Filters(track_id=reach.goals_track.id))
    assert only_goals.total.took_part == 2
    in_2022 = queries.report(session, reach.organiser, queries.Filters(year_from=2022))
    assert (in_2022.total.took_part, in_2022.total.delivered) == (2, 0)
    up_to_2021 = queries.report(session, reach.organiser, queries.Filters(year_to=2021))
    assert [m.name for m in up_to_2021.municipalities] == ["Utrecht"]


def test_a_merged_municipality_counts_under_the_new_one_and_is_named_beside_it(session, reach):
    result = import_municipalities(session, world.MERGER)
    assert result.errors == []
    report = queries.report(session, reach.organiser, queries.Filters())
    utrecht = _by(report.provinces, "Utrecht")
    assert (utrecht.took_part, utrecht.completed) == (2, 1)
    assert utrecht.total == 25  # two merged into one
    names = [m.display_name for m in report.municipalities]
    assert "Veenendaal-Rhenen (incl. voormalig Veenendaal)" in names
    assert reference.province_counts(session)[("NL", "Utrecht")] == 25


@pytest.mark.parametrize("args, field", [
    ({"van": "twintig"}, "van"), ({"tot": "99999"}, "tot"), ({"van": "2023", "tot": "2021"}, "van"),
    ({"leertraject": "abc"}, "leertraject"), ({"leertraject": "999999"}, "leertraject")])
def test_bad_filters_are_refused_with_a_dutch_message(session, reach, args, field):
    with pytest.raises(InvalidInput) as exc:
        queries.parse_filters(args, queries.tracks_of(session, reach.organiser))
    assert exc.value.field == field


def test_a_flemish_organiser_counts_per_flemish_province(session, coordinator_world):
    be = coordinator_world.be
    report = queries.report(session, be, queries.Filters())
    assert [p.key for p in report.provinces] == ["Antwerpen", "Limburg", "Oost-Vlaanderen",
                                                 "Vlaams-Brabant", "West-Vlaanderen"]
    assert {p.key: p.total for p in report.provinces}["Antwerpen"] == 67
    assert report.total.took_part == 0


def test_goals_are_named_in_the_chosen_language(session, reach):
    report = queries.report(session, reach.organiser, queries.Filters(), language="en")
    assert [g.label for g in report.goals][0] == "5. Gender Equality"
