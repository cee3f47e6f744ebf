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
from sqlalchemy import case, exists, extract, func
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
    years: list[int] = field(default_factory=list)

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
    return func.coalesce(extract("year", _FIRST_DAY.c.first_day),
                         extract("year", Edition.created_at))


def with_year(query):
    """`query` (over Edition) with the first-session subquery joined, for `year_column()`."""
    return query.outerjoin(_FIRST_DAY, _FIRST_DAY.c.edition_id == Edition.id)


def report(s: Session, organiser: Organiser, filters: Filters,
           tracks: list[Track] | None = None) -> Report:
    tracks = tracks if tracks is not None else tracks_of(s, organiser)
    unit = func.coalesce(Organisation.merged_into_id, Organisation.id)
    year = year_column()
    delivered = exists().where(Submission.participant_id == Enrollment.participant_id,
                               Deadline.id == Submission.deadline_id,
                               Deadline.edition_id == Enrollment.edition_id)
    query = with_year(
        select(unit.label("unit"), Track.id.label("track_id"), year.label("year"),
               func.max(case((delivered, 1), else_=0)).label("delivered"),
               func.max(case((Enrollment.status == EnrollmentStatus.COMPLETED, 1), else_=0))
               .label("completed"))
        .select_from(Enrollment)
        .join(Participant, Participant.id == Enrollment.participant_id)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .join(Edition, Edition.id == Enrollment.edition_id)
        .join(Track, Track.id == Edition.track_id))
    query = query.where(Track.organiser_id == organiser.id,
                        Enrollment.status.in_(list(TAKING_PART)),
                        Organisation.kind == OrganisationKind.MUNICIPALITY)
    if filters.track_id:
        query = query.where(Track.id == filters.track_id)
    if filters.year_from:
        query = query.where(year >= filters.year_from)
    if filters.year_to:
        query = query.where(year <= filters.year_to)
    rows = s.exec(query.group_by(unit, Track.id, year)).all()
    lines = _lines(s, {r.unit for r in rows})
    return _assemble(s, organiser, filters, tracks, rows, lines)


def _lines(s: Session, units: set[int]) -> dict[int, Line]:
    """{unit id: its line}, with the names of the municipalities merged into it."""
    if not units:
        return {}
    found = s.exec(select(Organisation).where(
        Organisation.id.in_(units) | Organisation.merged_into_id.in_(units))
        .order_by(Organisation.name)).all()
    lines = {o.id: Line(o.id, o.name, o.code or "", o.province) for o in found if o.id in units}
    for o in found:
        if o.merged_into_id in lines:
            lines[o.merged_into_id].formers.append(o.name)
    return lines


def _assemble(s, organiser, filters, tracks, rows, lines) -> Report:
    sdgs = {t.id: t.sdgs for t in tracks}
    by_province: dict[str, list[set]] = defaultdict(lambda: [set(), set(), set()])
    by_goal: dict[int, list[set]] = defaultdict(lambda: [set(), set(), set()])
    by_year: dict[int, list[set]] = defaultdict(lambda: [set(), set(), set()])
    total = [set(), set(), set()]
    for r in rows:
        line = lines[r.unit]
        line.delivered |= bool(r.delivered)
        line.completed |= bool(r.completed)
        if r.year is not None and int(r.year) not in line.years:
            line.years.append(int(r.year))
        targets = [total, by_province[line.province], *(by_goal[g] for g in sdgs.get(r.track_id, ()))]
        if r.year is not None:
            targets.append(by_year[int(r.year)])
        for sets in targets:
            sets[0].add(r.unit)
            if r.delivered:
                sets[1].add(r.unit)
            if r.completed:
                sets[2].add(r.unit)
    counts = reference.province_counts(s)
    names = list(reference.provinces().get(organiser.country, ()))
    names += sorted(p for p in by_province if p not in names)

    def count(key, label, sets, total=None) -> Count:
        return Count(key, label, len(sets[0]), len(sets[1]), len(sets[2]), total)

    empty = [set(), set(), set()]
    provinces = [count(p, p or str(_l("onbekend")), by_province.get(p, empty),
                       sum(n for (_c, name), n in counts.items() if name == p) or None)
                 for p in names]
    goals = reference.goals()
    return Report(
        organiser=organiser, filters=filters, tracks=tracks,
        total=count(None, str(_l("Totaal")), total),
        provinces=provinces,
        goals=[count(g, f"{g}. {goals[g].name_nl}", by_goal[g]) for g in sorted(by_goal)],
        years=[count(y, str(y), by_year[y]) for y in sorted(by_year)],
        municipalities=sorted(lines.values(), key=lambda line: (line.province, line.name)))
