"""Appointing, changing and ending ambassadors: the only writers of `ambassador`.

An organiser has at most one ambassador per province on any day: a period that overlaps another
of the same province and organiser is refused, naming the one already there. The organiser's row
is locked first, so two coordinators saving at once cannot both pass the check (PostgreSQL; SQLite
serialises writers anyway).
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.ambassadors import provinces
from trajectories.ambassadors.events import (
    AmbassadorAppointed,
    AmbassadorChanged,
    AmbassadorEnded,
)
from trajectories.ambassadors.models import Ambassador
from trajectories.catalogue.models import Organiser
from trajectories.core import events
from trajectories.core import service as base
from trajectories.core.clock import utcnow
from trajectories.core.errors import FieldChecks, InvalidInput
from trajectories.core.reference import current_by_code
from trajectories.core.service import service

#: Years a period may lie in (a typo like 0202 or 20255 is refused).
YEARS = (1990, 2199)


def _day(value, field: str, label, *, required: bool) -> date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(_l("%(label)s is verplicht.", label=label), field)
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(_l("Vul een geldige datum in."), field) from None
    if not isinstance(value, date) or not YEARS[0] <= value.year <= YEARS[1]:
        raise InvalidInput(_l("Kies een datum tussen %(first)s en %(last)s.",
                              first=YEARS[0], last=YEARS[1]), field)
    return value


def short_date(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def period_text(ambassador: Ambassador) -> str:
    if ambassador.ends_on is None:
        return str(_l("vanaf %(start)s", start=short_date(ambassador.starts_on)))
    return str(_l("van %(start)s tot en met %(end)s", start=short_date(ambassador.starts_on),
                  end=short_date(ambassador.ends_on)))


def _province(organiser: Organiser, value) -> provinces.Province:
    province = provinces.by_slug((value or "").strip())
    if province is None or province.country != organiser.country:
        raise InvalidInput(_l("Kies een provincie uit de lijst."), "province")
    return province


def check(session: Session, organiser: Organiser, data: dict,
          ambassador: Ambassador | None = None) -> dict:
    """The fields of an ambassador as typed, checked; every wrong field named at once."""
    checks = FieldChecks()
    province = checks.run(_province, organiser, data.get("province"))
    name = checks.run(base.text, data.get("name"), "name", _l("Naam"), max_length=200)
    role = checks.run(base.text, data.get("role"), "role", _l("Functie"), max_length=200)
    code = (data.get("municipality_code") or "").strip()
    municipality = current_by_code(session).get(code)
    # A municipality merged away since the appointment may stay, under the name it had.
    kept = ambassador.municipality if ambassador and code == ambassador.municipality_code else ""
    if municipality is None and not kept:
        checks.errors["municipality_code"] = str(_l("Kies een gemeente uit de lijst."))
    elif municipality is not None and province and (
            municipality.country, municipality.province) != (province.country, province.name):
        checks.errors["municipality_code"] = str(_l(
            "%(municipality)s ligt niet in %(province)s: kies een gemeente in de provincie.",
            municipality=municipality.name, province=province.name))
    contact = checks.run(base.email, data.get("contact_email"), "contact_email", required=False)
    consent = bool(data.get("contact_consent"))
    if contact and not consent:
        checks.errors["contact_consent"] = str(_l(
            "Zonder toestemming tonen we geen contactadres: vink de toestemming aan of laat "
            "het e-mailadres leeg."))
    starts_on = checks.run(_day, data.get("starts_on"), "starts_on", _l("Begindatum"),
                           required=True)
    ends_on = checks.run(_day, data.get("ends_on"), "ends_on", _l("Einddatum"), required=False)
    if starts_on and ends_on and ends_on < starts_on:
        checks.errors["ends_on"] = str(_l("De einddatum ligt voor de begindatum."))
    checks.done()
    return dict(country=province.country, province=province.name, name=name, role=role,
                municipality_code=code,
                municipality=municipality.name if municipality else kept,
                contact_email=contact, contact_consent=consent and bool(contact),
                starts_on=starts_on, ends_on=ends_on or None)


def _overlapping(session: Session, organiser_id: int, fields: dict,
                 ambassador_id: int | None) -> Ambassador | None:
    """Another period of the same province and organiser that shares a day with `fields`'."""
    start, end = fields["starts_on"], fields["ends_on"]
    query = select(Ambassador).where(
        Ambassador.organiser_id == organiser_id, Ambassador.country == fields["country"],
        Ambassador.province == fields["province"],
        (Ambassador.ends_on.is_(None)) | (Ambassador.ends_on >= start))
    if end is not None:
        query = query.where(Ambassador.starts_on <= end)
    if ambassador_id is not None:
        query = query.where(Ambassador.id != ambassador_id)
    return session.exec(query.order_by(Ambassador.starts_on)).first()


def _refuse_overlap(session: Session, organiser: Organiser, fields: dict,
                    ambassador_id: int | None) -> None:
    base.lock(session, Organiser, organiser.id)
    other = _overlapping(session, organiser.id, fields, ambassador_id)
    if other is not None:
        raise InvalidInput(_l(
            "%(name)s is al ambassadeur voor %(province)s (%(period)s). Een provincie heeft één "
            "ambassadeur tegelijk: beëindig eerst die periode of kies andere data.",
            name=other.name, province=other.province, period=period_text(other)), "starts_on")


@service
def appoint(session: Session, organiser: Organiser, data: dict) -> Ambassador:
    """A new ambassador for one of the organiser's provinces."""
    fields = check(session, organiser, data)
    _refuse_overlap(session, organiser, fields, None)
    ambassador = Ambassador(organiser_id=organiser.id, **fields)
    session.add(ambassador)
    session.flush()
    events.record(session, AmbassadorAppointed(ambassador_id=ambassador.id,
                                               organiser_id=organiser.id,
                                               province=ambassador.province))
    return ambassador


@service
def change(session: Session, ambassador: Ambassador, data: dict) -> Ambassador:
    """Correct an ambassador's details or period."""
    organiser = session.get(Organiser, ambassador.organiser_id)
    fields = check(session, organiser, data, ambassador)
    _refuse_overlap(session, organiser, fields, ambassador.id)
    if base.assign(ambassador, fields):
        ambassador.updated_at = utcnow()
        session.add(ambassador)
        session.flush()
        events.record(session, AmbassadorChanged(ambassador_id=ambassador.id,
                                                 organiser_id=organiser.id,
                                                 province=ambassador.province))
    return ambassador


@service
def end(session: Session, ambassador: Ambassador, ends_on) -> Ambassador:
    """End the period on `ends_on` (its last day): from the next day the province has no
    ambassador of this organiser, or the next one."""
    day = _day(ends_on, "ends_on", _l("Einddatum"), required=True)
    if day < ambassador.starts_on:
        raise InvalidInput(_l("De einddatum ligt voor de begindatum (%(start)s).",
                              start=short_date(ambassador.starts_on)), "ends_on")
    organiser = session.get(Organiser, ambassador.organiser_id)
    fields = dict(country=ambassador.country, province=ambassador.province,
                  starts_on=ambassador.starts_on, ends_on=day)
    _refuse_overlap(session, organiser, fields, ambassador.id)
    ambassador.ends_on, ambassador.updated_at = day, utcnow()
    session.add(ambassador)
    session.flush()
    events.record(session, AmbassadorEnded(ambassador_id=ambassador.id,
                                           organiser_id=organiser.id,
                                           province=ambassador.province))
    return ambassador
