"""Appointing, changing and ending ambassadors: one per province and organiser at a time,
bad input refused with a Dutch message and nothing changed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests import factories
from trajectories.ambassadors import provinces, queries
from trajectories.ambassadors import services as ambassadors
from trajectories.ambassadors.models import Ambassador
from trajectories.core.errors import InvalidInput
from trajectories.core.models import EventRecord


def data(**kw) -> dict:
    return {"province": "overijssel", "name": "Femke Jansen", "role": "wethouder",
            "municipality_code": "GM0193", "contact_email": "", "contact_consent": False,
            "starts_on": date(2023, 1, 1), "ends_on": None, **kw}


@pytest.fixture
def vng(session):
    return factories.organiser(session, slug="vng", name="VNG")


def count(session) -> int:
    return session.exec(select(func.count()).select_from(Ambassador)).one()


def test_appoint_stores_the_ambassador_and_records_it(session, vng):
    a = ambassadors.appoint(session, vng, data(contact_email="Femke@Zwolle.example",
                                               contact_consent=True))
    assert (a.country, a.province, a.municipality, a.contact_email, a.public_contact) == (
        "NL", "Overijssel", "Zwolle", "femke@zwolle.example", "femke@zwolle.example")
    assert session.exec(select(EventRecord.name).where(
        EventRecord.name == "AmbassadorAppointed")).all() == ["AmbassadorAppointed"]


@pytest.mark.parametrize("period", [
    (date(2024, 6, 1), None),                      # inside an open-ended period
    (date(2020, 1, 1), date(2023, 1, 1)),          # ends on its first day
    (date(2020, 1, 1), None),                      # open-ended, starting before
])
def test_an_overlapping_period_is_refused_in_dutch(session, vng, period):
    ambassadors.appoint(session, vng, data())
    with pytest.raises(InvalidInput) as refused:
        ambassadors.appoint(session, vng, data(name="Henk Brinkman", starts_on=period[0],
                                               ends_on=period[1]))
    assert refused.value.message == (
        "Femke Jansen is al ambassadeur voor Overijssel (vanaf 01-01-2023). Een provincie heeft "
        "één ambassadeur tegelijk: beëindig eerst die periode of kies andere data.")
    assert count(session) == 1


def test_periods_that_follow_each_other_are_fine(session, vng):
    ambassadors.appoint(session, vng, data(name="Henk", starts_on=date(2017, 3, 1),
                                           ends_on=date(2022, 12, 31)))
    ambassadors.appoint(session, vng, data())
    assert count(session) == 2


def test_another_province_or_organiser_may_have_its_own(session, vng):
    ambassadors.appoint(session, vng, data())
    ambassadors.appoint(session, vng, data(province="groningen", municipality_code="GM0014"))
    other = factories.organiser(session, slug="g4gg", country="NL")
    ambassadors.appoint(session, other, data())
    assert count(session) == 3


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"province": "atlantis"}, "province", "Kies een provincie uit de lijst."),
    ({"province": "antwerpen"}, "province", "Kies een provincie uit de lijst."),
    ({"municipality_code": "GM0014"}, "municipality_code",
     "Groningen ligt niet in Overijssel: kies een gemeente in de provincie."),
    ({"municipality_code": "GM9999"}, "municipality_code", "Kies een gemeente uit de lijst."),
    ({"name": "  "}, "name", "Naam is verplicht."),
    ({"role": ""}, "role", "Functie is verplicht."),
    ({"contact_email": "femke@zwolle.example"}, "contact_consent",
     "Zonder toestemming tonen we geen contactadres: vink de toestemming aan of laat het "
     "e-mailadres leeg."),
    ({"contact_email": "geen-adres", "contact_consent": True}, "contact_email",
     "Vul een geldig e-mailadres in, zoals naam@gemeente.nl."),
    ({"starts_on": None}, "starts_on", "Begindatum is verplicht."),
    ({"starts_on": "31-02-2023"}, "starts_on", "Vul een geldige datum in."),
    ({"ends_on": date(2022, 12, 31)}, "ends_on", "De einddatum ligt voor de begindatum."),
])
def test_bad_input_is_refused_and_nothing_is_stored(session, vng, changes, field, message):
    with pytest.raises(InvalidInput) as refused:
        ambassadors.appoint(session, vng, data(**changes))
    assert refused.value.errors[field] == message
    assert count(session) == 0


def test_ending_makes_room_for_the_next_one(session, vng):
    first = ambassadors.appoint(session, vng, data())
    with pytest.raises(InvalidInput, match="al ambassadeur voor Overijssel"):
        ambassadors.appoint(session, vng, data(name="Sanne", starts_on=date(2026, 1, 1)))
    ambassadors.end(session, first, date(2025, 12, 31))
    ambassadors.appoint(session, vng, data(name="Sanne", starts_on=date(2026, 1, 1)))
    assert [a.name for a in session.exec(select(Ambassador).order_by(Ambassador.starts_on))] == [
        "Femke Jansen", "Sanne"]


def test_ending_before_the_start_or_into_the_next_period_is_refused(session, vng):
    first = ambassadors.appoint(session, vng, data(ends_on=date(2024, 12, 31)))
    ambassadors.appoint(session, vng, data(name="Sanne", starts_on=date(2025, 1, 1)))
    with pytest.raises(InvalidInput, match="ligt voor de begindatum"):
        ambassadors.end(session, first, date(2022, 1, 1))
    with pytest.raises(InvalidInput, match="Sanne is al ambassadeur"):
        ambassadors.end(session, first, date(2025, 6, 30))
    session.refresh(first)
    assert first.ends_on == date(2024, 12, 31)


def test_a_change_that_overlaps_is_refused_and_keeps_the_row(session, vng):
    ambassadors.appoint(session, vng, data(ends_on=date(2024, 12, 31)))
    later = ambassadors.appoint(session, vng, data(name="Sanne", starts_on=date(2025, 1, 1)))
    with pytest.raises(InvalidInput, match="Femke Jansen is al ambassadeur"):
        ambassadors.change(session, later, data(name="Sanne", starts_on=date(2024, 6, 1)))
    session.refresh(later)
    assert later.starts_on == date(2025, 1, 1)
    ambassadors.change(session, later, data(name="Sanne de Wit", starts_on=date(2025, 1, 1)))
    session.refresh(later)
    assert later.name == "Sanne de Wit"


def test_the_current_ambassador_is_the_one_of_today(session, vng):
    ambassadors.appoint(session, vng, data(name="Henk", starts_on=date(2017, 1, 1),
                                           ends_on=date(2022, 12, 31)))
    ambassadors.appoint(session, vng, data())
    ambassadors.appoint(session, vng, data(province="utrecht", municipality_code="GM0344",
                                           name="Later", starts_on=date(2199, 1, 1)))
    overijssel = provinces.by_slug("overijssel")
    assert [a.name for a, _ in queries.current(session, overijssel)] == ["Femke Jansen"]
    assert queries.current(session, provinces.by_slug("utrecht")) == []
    rows = {r.province.name: r for r in queries.of_organiser(session, vng)}
    assert len(rows) == 12
    assert ([a.name for a in rows["Overijssel"].past], rows["Utrecht"].current,
            [a.name for a in rows["Utrecht"].upcoming]) == (["Henk"], None, ["Later"])


def test_province_slugs_tell_the_two_limburgs_apart():
    slugs = {(p.country, p.name): p.slug for p in provinces.all_provinces()}
    assert len(slugs) == 17
    assert (slugs[("NL", "Limburg")], slugs[("BE", "Limburg")]) == ("limburg-nl", "limburg-be")
    assert slugs[("NL", "Noord-Brabant")] == "noord-brabant"
    assert slugs[("BE", "Vlaams-Brabant")] == "vlaams-brabant"


@pytest.mark.parametrize(("region", "province", "covered"), [
    ("Oost-Nederland", "overijssel", True),
    ("Oost-Nederland", "groningen", False),
    ("Overijssel", "overijssel", True),
    ("Regio Utrecht", "utrecht", True),
    ("Vlaams-Brabant", "noord-brabant", False),
    ("Vlaanderen", "limburg-be", True),
    ("", "utrecht", False),
])
def test_which_regional_meetings_are_a_provinces(region, province, covered):
    assert provinces.region_covers(region, provinces.by_slug(province)) is covered
