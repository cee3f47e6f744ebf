"""The reach report: per organiser, across all its tracks and years, how many municipalities took
part (an admitted or completed enrollment), delivered (handed in at least one submission; one
civil servant's delivery counts for the team) and completed (an enrollment completed), per
province (with the share of all municipalities of that province in the reference), per Global
Goal of the tracks and per year.

Set-based: four statements whatever the number of editions (tracks, the grouped enrollments, the
municipalities' names, the reference counts). A municipality merged into another (herindeling)
counts as the one that replaced it, and is named beside it ("incl. voormalig X").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, case, cast, extract, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.core import reference
from trajectories.core.errors import InvalidInput
from trajectories.people.models import (
    TAKING_PART,
    Enrollment,
    EnrollmentStatus,
    Organisation,
    OrganisationKind,
    Participant,
    Submission,
)
from trajectories.schedule.models import Deadline, Meeting

YEARS = (1990, 2100)


@dataclass(frozen=True)
class Filters:
    track_id: int | None = None
    year_from: int | None = None
    year_to: int | None = None


@dataclass
class Count:
    """Municipalities that took part, delivered and completed, for one province, goal or year."""

    key: object
    label: str
    took_part: int = 0
    delivered: int = 0
    completed: int = 0
    #: Municipalities of the province in the reference (provinces only).
    total: int | None = None

    @property
    def share(self) -> float | None:
        """Part of the province's municipalities that took part (0..1)."""
        return self.took_part / self.total if self.total else None


@dataclass
class Line:
    """One municipality (with the ones merged into it) in the report."""

    organisation_id: int
    name: str
    code: str
    province: str
    formers: list[str] = field(default_factory=list)
    delivered: bool = False
    completed: bool = False
    years: set[int] = field(default_factory=set)

    @property
    def display_name(self) -> str:
        if not self.formers:
            return self.name
        return str(_l("%(name)s (incl. voormalig %(formers)s)", name=self.name,
                      formers=", ".join(self.formers)))


@dataclass
class Report:
    organiser: Organiser
    filters: Filters
    tracks: list[Track]
    total: Count
    provinces: list[Count]
    goals: list[Count]
    years: list[Count]
    municipalities: list[Line]


def parse_filters(args, tracks: list[Track]) -> Filters:
    """The filters from a query string (`leertraject`, `van`, `tot`); a bad value is a Dutch
    `InvalidInput` naming it."""
    def year(name: str, label: str) -> int | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        if not raw.isdigit() or not YEARS[0] <= int(raw) <= YEARS[1]:
            raise InvalidInput(_l("%(label)s moet een jaartal tussen %(a)s en %(b)s zijn.",
                                  label=label, a=YEARS[0], b=YEARS[1]), name)
        return int(raw)

    raw_track = (args.get("leertraject") or "").strip()
    track_id = None
    if raw_track:
        if not raw_track.isdigit() or int(raw_track) not in {t.id for t in tracks}:
            raise InvalidInput(_l("Kies een leertraject uit de lijst."), "leertraject")
        track_id = int(raw_track)
    year_from, year_to = year("van", _l("Van")), year("tot", _l("Tot en met"))
    if year_from and year_to and year_from > year_to:
        raise InvalidInput(_l("Het beginjaar ligt na het eindjaar."), "van")
    return Filters(track_id, year_from, year_to)


def tracks_of(s: Session, organiser: Organiser) -> list[Track]:
    return list(s.exec(select(Track).where(Track.organiser_id == organiser.id)
                       .order_by(Track.title, Track.id)))


#: Each edition's first session day.
_FIRST_DAY = (select(Meeting.edition_id, func.min(Meeting.on_date).label("first_day"))
              .group_by(Meeting.edition_id).subquery("first_session"))


def year_column():
    """An edition's year: that of its first session, else of its creation (joined by
    `with_year`)."""
    return cast(func.coalesce(extract("year", _FIRST_DAY.c.first_day),
                              extract("year", Edition.created_at)), Integer)


def with_year(query):
    """`query` (over Edition) with the first-session subquery joined, for `year_column()`."""
    return query.outerjoin(_FIRST_DAY, _FIRST_DAY.c.edition_id == Edition.id)


def report(s: Session, organiser: Organiser, filters: Filters,
           tracks: list[Track] | None = None, language: str = "nl") -> Report:
    """The report; `language` ("nl", "en") names the Global Goals."""
    tracks = tracks if tracks is not None else tracks_of(s, organiser)
    unit = func.coalesce(Organisation.merged_into_id, Organisation.id)
    year = year_column()
    # (participant, edition) pairs with at least one submission, among this organiser's
    # editions: one hash join instead of a lookup per enrollment.
    delivered = (select(Submission.participant_id, Deadline.edition_id)
                 .join(Deadline, Deadline.id == Submission.deadline_id)
                 .join(Edition, Edition.id == Deadline.edition_id)
                 .join(Track, Track.id == Edition.track_id)
                 .where(Track.organiser_id == organiser.id)
                 .distinct().subquery("delivered"))
    query = with_year(
        select(unit.label("unit"), Track.id.label("track_id"), year.label("year"),
               func.max(case((delivered.c.participant_id.is_not(None), 1), else_=0))
               .label("delivered"),
               func.max(case((Enrollment.status == EnrollmentStatus.COMPLETED, 1), else_=0))
               .label("completed"))
        .select_from(Enrollment)
        .join(Participant, Participant.id == Enrollment.participant_id)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .join(Edition, Edition.id == Enrollment.edition_id)
        .join(Track, Track.id == Edition.track_id)
        .outerjoin(delivered, (delivered.c.participant_id == Enrollment.participant_id)
                   & (delivered.c.edition_id == Enrollment.edition_id)))
    query = query.where(Track.organiser_id == organiser.id,
                        Enrollment.status.in_(list(TAKING_PART)),
                        Organisation.kind == OrganisationKind.MUNICIPALITY)
    if filters.track_id:
        query = query.where(Track.id == filters.track_id)
    if filters.year_from:
        query = query.where(year >= filters.year_from)
    if filters.year_to:
        query = query.where(year <= filters.year_to)
    # Core rows (no ORM loading): thousands of plain tuples at national scale.
    rows = s.connection().execute(query.group_by(unit, Track.id, year)).all()
    return _assemble(s, organiser, filters, tracks, rows, _lines(s), language)


def _lines(s: Session, *where) -> dict[int, Line]:
    """{id: line} of every municipality that exists now (merged ones are named in the line of
    the municipality that replaced them; `where`: only some): a few hundred rows, read as plain
    columns."""
    rows = s.exec(select(Organisation.id, Organisation.name, Organisation.code,
                         Organisation.province, Organisation.merged_into_id)
                  .where(Organisation.kind == OrganisationKind.MUNICIPALITY, *where)
                  .order_by(Organisation.name)).all()
    lines = {o.id: Line(o.id, o.name, o.code or "", o.province) for o in rows
             if o.merged_into_id is None}
    for o in rows:
        if o.merged_into_id in lines:
            lines[o.merged_into_id].formers.append(o.name)
    return lines


def taking_part_in(s: Session, country: str, province: str) -> list[Line]:
    """The municipalities of one province (as the reference names it, of `country`) that took
    part in a track of an organiser of that country: the lines the reach reports of those
    organisers hold for the province (merged ones named with the new one), without the counts.
    One statement, from the province's municipalities: each stops at its first enrollment."""
    unit = aliased(Organisation)
    member = aliased(Organisation)
    took_part = (select(Enrollment.id)
                 .join(Participant, Participant.id == Enrollment.participant_id)
                 .join(member, member.id == Participant.organisation_id)
                 .join(Edition, Edition.id == Enrollment.edition_id)
                 .join(Track, Track.id == Edition.track_id)
                 .join(Organiser, Organiser.id == Track.organiser_id)
                 .where((member.id == unit.id) | (member.merged_into_id == unit.id),
                        member.kind == OrganisationKind.MUNICIPALITY,
                        Enrollment.status.in_(list(TAKING_PART)), Organiser.country == country))
    units = (select(unit.id)
             .where(unit.province == province, unit.country == country,
                    unit.kind == OrganisationKind.MUNICIPALITY, unit.merged_into_id.is_(None),
                    took_part.exists())
             .cte("taking_part"))
    return list(_lines(s, or_(Organisation.id.in_(select(units.c.id)),
                              Organisation.merged_into_id.in_(select(units.c.id)))).values())


def _sets() -> tuple[set, set, set]:
    return set(), set(), set()


def _assemble(s, organiser, filters, tracks, rows, lines, language) -> Report:
    """Counts of distinct municipalities from the (municipality, track, year) rows: per track and
    year while reading them, per province from the municipalities, per goal as the union of its
    tracks (a municipality in two tracks of one goal counts once)."""
    by_track: dict[int, tuple] = defaultdict(_sets)
    by_year: dict[int, tuple] = defaultdict(_sets)
    for unit, track_id, year, delivered, completed in rows:
        line = lines[unit]
        if year is not None:
            line.years.add(year)
        per_track, per_year = by_track[track_id], by_year[year]
        per_track[0].add(unit)
        per_year[0].add(unit)
        if delivered:
            line.delivered = True
            per_track[1].add(unit)
            per_year[1].add(unit)
        if completed:
            line.completed = True
            per_track[2].add(unit)
            per_year[2].add(unit)
    lines = {unit: line for unit, line in lines.items() if line.years}  # those that took part
    by_province: dict[str, tuple] = defaultdict(_sets)
    total = _sets()
    for line in lines.values():
        for sets in (total, by_province[line.province]):
            sets[0].add(line.organisation_id)
            if line.delivered:
                sets[1].add(line.organisation_id)
            if line.completed:
                sets[2].add(line.organisation_id)
    by_goal: dict[int, tuple] = defaultdict(_sets)
    for track in tracks:
        if track.id in by_track:
            for goal in track.sdgs:
                for mine, theirs in zip(by_goal[goal], by_track[track.id], strict=True):
                    mine |= theirs
    counts = reference.province_counts(s)
    names = list(reference.provinces().get(organiser.country, ()))
    names += sorted(p for p in by_province if p not in names)

    def count(key, label, sets, total=None) -> Count:
        return Count(key, label, len(sets[0]), len(sets[1]), len(sets[2]), total)

    provinces = [count(p, p or str(_l("onbekend")), by_province.get(p) or _sets(),
                       sum(n for (_c, name), n in counts.items() if name == p) or None)
                 for p in names]
    goals = reference.goals()
    return Report(
        organiser=organiser, filters=filters, tracks=tracks,
        total=count(None, str(_l("Totaal")), total),
        provinces=provinces,
        goals=[count(g, f"{g}. {goals[g].name(language)}", by_goal[g]) for g in sorted(by_goal)],
        years=[count(y, str(y), by_year[y]) for y in sorted(by_year) if y is not None],
        municipalities=sorted(lines.values(), key=lambda line: (line.province, line.name)))
