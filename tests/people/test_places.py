"""What a place is, per edition: people (as always) or municipalities. With places per
municipality a colleague joins the team without taking a place (up to the edition's maximum per
municipality), a new municipality takes a place or waits as a whole, and when a place frees up
everyone waiting of the next municipality moves up together."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests import factories
from trajectories.catalogue import queries as catalogue
from trajectories.core.errors import InvalidInput
from trajectories.core.models import EventRecord
from trajectories.people import enrollments, places
from trajectories.people import services as people
from trajectories.people.models import Enrollment


@pytest.fixture
def towns(session):
    return {name: factories.municipality(session, name, code)
            for name, code in [("Utrecht", "GM0344"), ("Zwolle", "GM0193"),
                               ("Noordenveld", "GM1699")]}


def _person(session, town, name):
    return factories.participant(session, name=name, email=f"{name.lower()}@gemeente.example",
                                 organisation_id=town.id)


def _status(session, enrollment) -> str:
    session.refresh(enrollment)
    return enrollment.status


def _places_left(session, edition) -> int | None:
    [entry] = catalogue.entries(session, [catalogue.track(session, edition.track_id, None)])
    return entry["editions"][0]["places_left"]


def test_a_colleague_joins_the_team_without_taking_a_place(session, towns):
    edition = factories.edition(session, capacity=2, place_unit="organisation")
    anna = people.enroll(session, edition, _person(session, towns["Utrecht"], "Anna"))
    bert = people.enroll(session, edition, _person(session, towns["Utrecht"], "Bert"))
    assert (anna.status, bert.status) == ("admitted", "admitted")
    assert _places_left(session, edition) == 1 == places.free(session, edition)
    cees = people.enroll(session, edition, _person(session, towns["Zwolle"], "Cees"))
    assert cees.status == "admitted" and _places_left(session, edition) == 0
    # Full for new municipalities, still open to Utrecht's and Zwolle's colleagues.
    dirk = people.enroll(session, edition, _person(session, towns["Noordenveld"], "Dirk"))
    eva = people.enroll(session, edition, _person(session, towns["Zwolle"], "Eva"))
    assert (dirk.status, eva.status) == ("waitlisted", "admitted")
    assert places.admitted_counts(session, [edition.id]) == {edition.id: (2, 4)}


def test_person_counted_editions_are_unchanged(session, towns):
    edition = factories.edition(session, capacity=2)
    anna = people.enroll(session, edition, _person(session, towns["Utrecht"], "Anna"))
    bert = people.enroll(session, edition, _person(session, towns["Utrecht"], "Bert"))
    cees = people.enroll(session, edition, _person(session, towns["Utrecht"], "Cees"))
    assert [anna.status, bert.status, cees.status] == ["admitted", "admitted", "waitlisted"]
    assert _places_left(session, edition) == 0
    people.withdraw(session, anna)
    assert _status(session, cees) == "admitted"


def test_the_maximum_per_municipality_is_said_and_changes_nothing(session, towns):
    edition = factories.edition(session, capacity=5, place_unit="organisation",
                                max_per_organisation=2)
    for name in ("Anna", "Bert"):
        people.enroll(session, edition, _person(session, towns["Utrecht"], name))
    cees = _person(session, towns["Utrecht"], "Cees")
    with pytest.raises(InvalidInput) as refused:
        people.enroll(session, edition, cees)
    assert str(refused.value.message) == ("Uit Utrecht doen al 2 deelnemers mee; meer per "
                                          "gemeente kan niet in deze editie.")
    assert session.exec(select(Enrollment).where(
        Enrollment.participant_id == cees.id)).first() is None
    # Another municipality is not held back by Utrecht's maximum.
    assert people.enroll(session, edition, _person(session, towns["Zwolle"], "Dirk")).status \
        == "admitted"


def test_a_coordinator_cannot_admit_past_the_maximum(session, towns):
    edition = factories.edition(session, capacity=5, place_unit="organisation",
                                max_per_organisation=1, requires_approval=True)
    anna = people.enroll(session, edition, _person(session, towns["Utrecht"], "Anna"))
    people.admit(session, anna)
    edition.max_per_organisation = 2  # raised, then a second applies, then lowered again
    session.add(edition)
    bert = people.enroll(session, edition, _person(session, towns["Utrecht"], "Bert"))
    edition.max_per_organisation = 1
    session.add(edition)
    session.commit()
    with pytest.raises(InvalidInput, match="Uit Utrecht doet al 1 deelnemer mee"):
        people.admit(session, bert)
    assert _status(session, bert) == "applied"


def test_a_municipality_waits_and_moves_up_as_a_whole(session, towns):
    edition = factories.edition(session, capacity=1, place_unit="organisation")
    anna = people.enroll(session, edition, _person(session, towns["Utrecht"], "Anna"))
    waiting = [people.enroll(session, edition, _person(session, towns["Zwolle"], name))
               for name in ("Cees", "Dirk")]
    last = people.enroll(session, edition, _person(session, towns["Noordenveld"], "Eva"))
    assert [e.status for e in [*waiting, last]] == ["waitlisted"] * 3
    # Zwolle is first on the list (both of them), Noordenveld second.
    assert [places.waiting_position(session, edition, e) for e in [*waiting, last]] == [1, 1, 2]
    before = len(session.exec(select(EventRecord)).all())
    people.withdraw(session, anna)  # one transaction: Zwolle's two move up together
    assert [_status(session, e) for e in waiting] == ["admitted", "admitted"]
    assert _status(session, last) == "waitlisted"
    admitted_events = [r.name for r in session.exec(select(EventRecord).order_by(EventRecord.id))
                       ][before:]
    assert admitted_events == ["EnrollmentWithdrawn", "EnrollmentAdmitted", "EnrollmentAdmitted"]


def test_a_colleague_leaving_frees_no_place(session, towns):
    edition = factories.edition(session, capacity=1, place_unit="organisation")
    people.enroll(session, edition, _person(session, towns["Utrecht"], "Anna"))
    bert = people.enroll(session, edition, _person(session, towns["Utrecht"], "Bert"))
    cees = people.enroll(session, edition, _person(session, towns["Zwolle"], "Cees"))
    people.withdraw(session, bert)
    assert _status(session, cees) == "waitlisted" and _places_left(session, edition) == 0


def test_promoting_fills_places_with_whole_municipalities(session, towns):
    edition = factories.edition(session, capacity=1, place_unit="organisation",
                                requires_approval=True)
    rows = [people.enroll(session, edition, _person(session, towns[town], name))
            for town, name in [("Zwolle", "Cees"), ("Zwolle", "Dirk"), ("Utrecht", "Anna")]]
    for row in rows:
        people.waitlist(session, row)
    edition.capacity = 2
    session.add(edition)
    session.commit()
    assert enrollments.promote_from_waitlist(session, edition) == 3
    assert [_status(session, r) for r in rows] == ["admitted"] * 3
    with pytest.raises(InvalidInput, match="Er staat niemand op de wachtlijst"):
        enrollments.promote_from_waitlist(session, edition)


def test_admitting_many_counts_new_municipalities_not_people(session, towns):
    edition = factories.edition(session, capacity=2, place_unit="organisation",
                                requires_approval=True)
    rows = [people.enroll(session, edition, _person(session, towns[town], name))
            for town, name in [("Utrecht", "Anna"), ("Utrecht", "Bert"), ("Zwolle", "Cees"),
                               ("Noordenveld", "Dirk")]]
    with pytest.raises(InvalidInput) as refused:
        enrollments.bulk_enrollments(session, edition, [r.id for r in rows], "admit")
    assert str(refused.value.message) == ("Er zijn nog 2 plaatsen voor gemeenten vrij; u koos "
                                          "inschrijvingen van 3 nieuwe gemeenten om toe te laten.")
    assert {_status(session, r) for r in rows} == {"applied"}
    assert enrollments.bulk_enrollments(session, edition, [r.id for r in rows[:3]], "admit") == 3
    assert [_status(session, r) for r in rows] == ["admitted"] * 3 + ["applied"]
    with pytest.raises(InvalidInput, match="er zijn 2 plaatsen voor gemeenten"):
        people.admit(session, rows[3])


def test_the_edition_service_refuses_bad_place_settings(session):
    from trajectories.catalogue import services as catalogue_services

    edition = factories.edition(session, capacity=5)
    for data, field in [({"place_unit": "gemeentehuis"}, "place_unit"),
                        ({"max_per_organisation": "twee"}, "max_per_organisation"),
                        ({"max_per_organisation": "0"}, "max_per_organisation"),
                        ({"max_per_organisation": "100001"}, "max_per_organisation")]:
        with pytest.raises(InvalidInput) as refused:
            catalogue_services.update_edition(session, edition, name="2030", **data)
        assert refused.value.field == field
        session.rollback()
        session.refresh(edition)
        assert (edition.place_unit, edition.max_per_organisation) == ("person", None)


def test_a_copy_for_next_year_counts_places_the_same_way(session):
    from datetime import date

    from trajectories.schedule import copying

    edition = factories.edition(session, capacity=5, place_unit="organisation",
                                max_per_organisation=3)
    factories.meeting(session, edition)
    copy = copying.copy_edition(session, edition, slug="volgend-jaar", name="Volgend jaar",
                                first_date=date(2031, 4, 12))
    assert (copy.capacity, copy.place_unit, copy.max_per_organisation) == (5, "organisation", 3)


def test_admitting_one_of_a_waiting_municipality_admits_its_waiting_colleagues(session, towns):
    edition = factories.edition(session, capacity=1, place_unit="organisation")
    anna = people.enroll(session, edition, _person(session, towns["Utrecht"], "Anna"))
    zwolle = [people.enroll(session, edition, _person(session, towns["Zwolle"], name))
              for name in ("Cees", "Dirk")]
    edition.capacity = 2
    session.add(edition)
    session.commit()
    people.admit(session, zwolle[1])
    assert [_status(session, e) for e in [anna, *zwolle]] == ["admitted"] * 3
    assert _places_left(session, edition) == 0


def test_an_import_past_the_maximum_per_municipality_names_the_row_and_imports_nothing(session):
    from trajectories.people import imports

    edition = factories.edition(session, capacity=5, place_unit="organisation",
                                max_per_organisation=2)
    text = ("naam;e-mail;organisatiecode\n" + "".join(
        f"{name};{name.lower()}@utrecht.example;GM0344\n" for name in ("Anna", "Bert", "Cees")))
    result = imports.import_participants(session, edition, text, dry_run=False)
    assert [(e.line, e.column, str(e.message)) for e in result.errors] == [
        (4, "organisatiecode", "Uit Utrecht doen al 2 deelnemers mee; meer per gemeente kan niet "
                               "in deze editie.")]
    assert not result.imported and session.exec(select(Enrollment)).all() == []
