"""Reads: an organiser's ambassadors per province, the current ambassador of each province, and
what a public province page shows (its ambassadors, the municipalities that take part, the
regional meetings ahead), with the version of what those pages show beyond the catalogue. No
personal data beyond what an ambassador agreed to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.ambassadors import provinces
from trajectories.ambassadors.models import Ambassador
from trajectories.ambassadors.provinces import Province
from trajectories.catalogue import queries as catalogue
from trajectories.catalogue.models import Organiser
from trajectories.core.clock import local_today
from trajectories.core.models import Country, country_zone
from trajectories.menukaart.models import Example
from trajectories.people.models import Organisation
from trajectories.reach import queries as reach


def today(province: Province | None = None) -> date:
    return local_today(province.zone if province else country_zone(Country.NL))


@dataclass
class ProvinceAmbassadors:
    """An organiser's province with its ambassadors: now, ahead and before."""

    province: Province
    current: Ambassador | None = None
    upcoming: list[Ambassador] = field(default_factory=list)
    past: list[Ambassador] = field(default_factory=list)


def of_organiser(s: Session, organiser: Organiser) -> list[ProvinceAmbassadors]:
    """Every province of the organiser's country with its ambassadors, in one query."""
    rows = s.exec(select(Ambassador).where(Ambassador.organiser_id == organiser.id)
                  .order_by(Ambassador.starts_on, Ambassador.id)).all()
    listed = {(p.country, p.name): ProvinceAmbassadors(p)
              for p in provinces.of_country(organiser.country)}
    for row in rows:
        entry = listed.get((row.country, row.province))
        if entry is None:  # a province no longer in the reference: shown, not lost
            entry = listed[(row.country, row.province)] = ProvinceAmbassadors(
                Province(row.country, row.province, ""))
        day = today(entry.province)
        if row.covers(day):
            entry.current = row
        elif row.starts_on > day:
            entry.upcoming.append(row)
        else:
            entry.past.insert(0, row)
    return list(listed.values())


def ambassador(s: Session, ambassador_id: int, organiser_ids: list[int] | None) -> Ambassador | None:
    """One ambassador, if one of these organisers' (None: any)."""
    row = s.get(Ambassador, ambassador_id)
    if row is None or (organiser_ids is not None and row.organiser_id not in organiser_ids):
        return None
    return row


def current(s: Session, province: Province | None = None) -> list[tuple[Ambassador, Organiser]]:
    """The ambassadors of today (of one province, or all), with their organiser, by organiser."""
    query = select(Ambassador, Organiser).join(Organiser, Organiser.id == Ambassador.organiser_id)
    if province is not None:
        query = query.where(Ambassador.country == province.country,
                            Ambassador.province == province.name)
    found = []
    for row, organiser in s.exec(query.order_by(Organiser.name, Ambassador.starts_on)):
        here = provinces.find(row.country, row.province)
        if row.covers(today(here)):
            found.append((row, organiser))
    return found


def overview(s: Session) -> list[tuple[Province, list[tuple[Ambassador, Organiser]]]]:
    """Every province with its current ambassadors (one per organiser at most)."""
    now = current(s)
    return [(p, [(a, o) for a, o in now if (a.country, a.province) == (p.country, p.name)])
            for p in provinces.all_provinces()]


def participating(s: Session, province: Province) -> list[str]:
    """The names of the province's municipalities that took part in a track of an organiser of
    its country: the reach report's municipalities (merged ones named with the new one), not a
    count of our own; read for this province only."""
    return sorted((line.display_name for line in
                   reach.taking_part_in(s, province.country, province.name)), key=str.lower)


def upcoming_meetings(s: Session, province: Province) -> list[dict]:
    """The regional meetings ahead for the province (as on /bijeenkomsten/: a meeting without a
    date yet counts as ahead), soonest first."""
    day = today(province)
    return [r for r in catalogue.regional_meetings(s)
            if r["organiser"].country == province.country
            and (r["day"] is None or r["day"] >= day)
            and provinces.region_covers(r["edition"].region, province)]


def version(s: Session) -> tuple:
    """What the province pages show beyond the catalogue's version (`web.page_cache.version`:
    editions, sessions, enrollments, the reference municipalities) moves this: an ambassador
    appointed, changed or ended, a Menukaart example published, changed or withdrawn (their
    `updated_at`, and counts for deletions), a new organisation (its first participant). One
    query; who is ambassador today moves with the day, which the cache's key holds."""
    def newest(column):
        return select(func.max(column)).scalar_subquery()

    def count(model):
        return select(func.count()).select_from(model).scalar_subquery()

    return tuple(s.exec(select(newest(Ambassador.updated_at), count(Ambassador),
                               newest(Example.updated_at), count(Example),
                               count(Organisation))).one())
