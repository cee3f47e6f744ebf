"""The award's rules: nominations only while open and with a text, one per municipality, scores
in range and only by the round's jury, publication only of what was chosen."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import select

from tests.award.world import CLOSED, OPEN, active_juror, new_round
from tests.completion.clock import clock_at
from trajectories.award import queries
from trajectories.award import services as award
from trajectories.award.models import AwardNomination, AwardScore, Publication
from trajectories.catalogue.models import Edition, PlaceUnit, Track, TrackKind
from trajectories.core.errors import InvalidInput
from trajectories.people.models import Enrollment, Submission
from trajectories.schedule.models import Deadline, DeliveredBy


def _submitted(session, world, who=None, text="Wij betrekken elke wijk bij de Global Goals."):
    who = who or world.anna
    nomination = award.start_nomination(session, world.round, who)
    return award.submit_nomination(session, world.round, nomination, who,
                                   title="Utrecht Global Goals Stad", text=text)


def test_a_round_runs_on_an_award_edition_with_one_deadline(session, world):
    edition = session.get(Edition, world.round.edition_id)
    track = session.get(Track, edition.track_id)
    assert track.kind == TrackKind.AWARD and edition.place_unit == PlaceUnit.ORGANISATION
    [deadline] = session.exec(select(Deadline).where(Deadline.edition_id == edition.id)).all()
    assert deadline.title == "Nominaties sluiten" and deadline.due_date == date(2030, 6, 30)
    assert deadline.delivered_by == DeliveredBy.ORGANISATION
    assert [(c.name, c.weight) for c in queries.criteria(session, world.round.id)] == [
        ("Inspiratie", 3), ("Aanpak", 2), ("Bereik", 1)]


@pytest.mark.parametrize("changes, field", [
    ({"year": "twintig"}, "year"),
    ({"title": ""}, "title"),
    ({"closes_on": date(2030, 1, 1)}, "closes_on"),
    ({"criteria": [("", "1")]}, "criterion_0"),
    ({"criteria": [("Inspiratie", "11")]}, "weight_0"),
    ({"year": 2030}, "year"),  # the world has a 2030 round already
])
def test_a_bad_round_is_refused_and_nothing_is_made(session, world, changes, field):
    editions = len(session.exec(select(Edition)).all())
    with pytest.raises(InvalidInput) as refused:
        new_round(session, world.vng, **{"year": 2031, **changes})
    assert refused.value.field == field
    assert len(session.exec(select(Edition)).all()) == editions


def test_start_then_submit_a_nomination_hands_in_for_the_deadline(session, world):
    with clock_at(OPEN):
        nomination = award.start_nomination(session, world.round, world.anna)
        award.save_draft(session, world.round, nomination, title="Concept", text="Half af")
        assert nomination.submitted_at is None
        # A colleague joins the same nomination of the municipality.
        assert award.start_nomination(session, world.round, world.anna).id == nomination.id
        _submitted(session, world)
    session.refresh(nomination)
    submission = session.get(Submission, nomination.submission_id)
    assert nomination.submitted_at is not None and "elke wijk" in submission.text
    assert session.exec(select(Enrollment).where(
        Enrollment.edition_id == world.round.edition_id)).one().status == "admitted"


def test_a_nomination_with_an_empty_text_is_refused(session, world):
    with clock_at(OPEN):
        nomination = award.start_nomination(session, world.round, world.anna)
        with pytest.raises(InvalidInput) as refused:
            award.submit_nomination(session, world.round, nomination, world.anna,
                                    title="Utrecht", text="   ")
    assert refused.value.field == "text" and "leeg" in refused.value.message
    session.refresh(nomination)
    assert nomination.submitted_at is None
    assert session.exec(select(Submission)).all() == []


def test_a_nomination_after_the_close_is_refused_clearly(session, world):
    with clock_at(OPEN):
        nomination = award.start_nomination(session, world.round, world.anna)
    with clock_at(CLOSED), pytest.raises(InvalidInput) as refused:
        award.submit_nomination(session, world.round, nomination, world.anna,
                                title="Utrecht", text="Te laat ingestuurd")
    assert "gesloten sinds 30-06-2030" in refused.value.message
    session.refresh(nomination)
    assert nomination.submitted_at is None and session.exec(select(Submission)).all() == []
    with clock_at(CLOSED), pytest.raises(InvalidInput):
        award.start_nomination(session, world.round, world.bert)
    assert queries.nomination_of(session, world.round.id, world.zwolle.id) is None


def test_only_a_civil_servant_of_a_municipality_can_nominate(session, world):
    from tests import factories

    loose = factories.participant(session, name="Zonder gemeente")
    with clock_at(OPEN), pytest.raises(InvalidInput) as refused:
        award.start_nomination(session, world.round, loose)
    assert "gemeente" in refused.value.message


def _juror(session, world, award_round=None, email="jury@example.org"):
    return active_juror(session, award_round or world.round, email=email)


@pytest.mark.parametrize("value", ["0", "11", "", "zeven", "7.5"])
def test_a_score_out_of_range_is_refused_and_nothing_is_kept(session, world, value):
    with clock_at(OPEN):
        nomination = _submitted(session, world)
    juror = _juror(session, world)
    crits = queries.criteria(session, world.round.id)
    scores = {c.id: "7" for c in crits} | {crits[1].id: value}
    with pytest.raises(InvalidInput) as refused:
        award.score(session, world.round, juror.id, nomination, scores)
    assert refused.value.field == f"score_{crits[1].id}"
    assert session.exec(select(AwardScore)).all() == []


def test_a_juror_cannot_score_another_round(session, world):
    other = new_round(session, world.vvsg, year=2030)
    with clock_at(OPEN):
        nomination = _submitted(session, world)
    juror = _juror(session, world, award_round=other)
    scores = {c.id: "7" for c in queries.criteria(session, world.round.id)}
    with pytest.raises(InvalidInput):
        award.score(session, world.round, juror.id, nomination, scores)
    with pytest.raises(InvalidInput):  # nor a nomination of that round through their own round
        award.score(session, other, juror.id, nomination, scores)
    assert session.exec(select(AwardScore)).all() == []


def test_weighted_totals_shortlist_winner_and_publication(session, world):
    with clock_at(OPEN):
        utrecht = _submitted(session, world)
        zwolle = _submitted(session, world, who=world.bert)
    one, two = _juror(session, world), _juror(session, world, email="jury2@example.org")
    inspiratie, aanpak, bereik = queries.criteria(session, world.round.id)
    award.score(session, world.round, one.id, utrecht,
                {inspiratie.id: "8", aanpak.id: "6", bereik.id: "4"})
    award.score(session, world.round, two.id, utrecht,
                {inspiratie.id: "10", aanpak.id: "8", bereik.id: "6"})
    award.score(session, world.round, one.id, zwolle,
                {inspiratie.id: "5", aanpak.id: "5", bereik.id: "5"})
    [first, second] = queries.results(session, world.round)
    assert first["organisation"].name == "Utrecht"
    assert first["averages"] == {inspiratie.id: 9.0, aanpak.id: 7.0, bereik.id: 5.0}
    assert first["total"] == round((9 * 3 + 7 * 2 + 5 * 1) / 6, 2)
    assert second["total"] == 5.0

    with pytest.raises(InvalidInput):
        award.publish(session, world.round, Publication.SHORTLIST)  # nothing chosen yet
    with pytest.raises(InvalidInput):
        award.choose_winner(session, world.round, utrecht.id)  # not on the shortlist
    assert queries.public_rounds(session, 2030)[0]["shortlist"] == []

    award.set_shortlist(session, world.round, [utrecht.id, zwolle.id])
    award.choose_winner(session, world.round, utrecht.id)
    public = queries.public_rounds(session, 2030)[0]
    assert public["shortlist"] == [] and public["winner"] is None  # chosen, not published

    award.publish(session, world.round, Publication.SHORTLIST)
    public = queries.public_rounds(session, 2030)[0]
    assert [r["organisation"].name for r in public["shortlist"]] == ["Utrecht", "Zwolle"]
    assert public["winner"] is None

    award.publish(session, world.round, Publication.WINNER)
    assert queries.public_rounds(session, 2030)[0]["winner"]["organisation"].name == "Utrecht"


def test_a_coordinators_address_cannot_become_a_jury_account(session, world):
    with pytest.raises(InvalidInput) as refused:
        award.add_juror(session, world.round, email="nl@example.org", name="X")
    assert refused.value.field == "email"


def test_a_draft_is_not_on_the_jurys_list(session, world):
    with clock_at(OPEN):
        award.start_nomination(session, world.round, world.anna)
    assert queries.nominations(session, world.round, submitted_only=True) == []
    assert len(session.exec(select(AwardNomination)).all()) == 1


def test_demo_has_an_open_round_and_last_years_published_winner(runner, db, client):
    from trajectories.core.clock import local_today

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "jury@vng.example" in result.output
    year = local_today("Europe/Amsterdam").year
    with db.session() as s:
        [current] = queries.public_rounds(s, year)
        [past] = queries.public_rounds(s, year - 1)
        nominations = queries.nominations(s, current["round"])
    assert current["shortlist"] == [] and current["winner"] is None
    assert [r["nomination"].submitted_at is not None for r in nominations] == [False, True, True]
    assert all("Voorbeeld" in r["nomination"].text for r in nominations)
    assert past["winner"]["organisation"].name == "Groningen"
    page = client.get(f"/prijs/{year - 1}").get_data(as_text=True)
    assert "Groningen" in page
    assert not re.search(r"(\w+)(</strong>)?: \1\b", page)  # no "Utrecht: Utrecht: ..."
    assert runner.invoke(args=["demo"]).exit_code == 0  # twice changes nothing
