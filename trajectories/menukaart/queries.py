"""Reading the Menukaart: published examples (for the public pages and other features), the
search with its filters, and the coordinators' lists.

The search is one function for both databases: PostgreSQL full-text search with the Dutch
configuration (`to_tsvector('dutch', ...)`, so "fietsen" finds "fiets"), on SQLite every word
with LIKE in any of the texts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, func, literal_column, or_
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.core.reference import goals, provinces
from trajectories.menukaart.models import Example, ExampleFile, ExampleStatus
from trajectories.menukaart.proposals import unconfirmed
from trajectories.people.models import TAKING_PART, Enrollment, Organisation, Participant
from trajectories.reach.queries import with_year, year_column

PUBLISHED = Example.status == ExampleStatus.PUBLISHED
NEWEST = (Example.published_at.desc(), Example.id.desc())


def published_examples(session: Session, *, province: str | None = None,
                       country: str | None = None, organisation_id: int | None = None,
                       limit: int | None = None) -> list[Example]:
    """Published examples, newest first; of one province (as the reference names it, e.g.
    "Gelderland"; with `country`, since Limburg is in both) and/or one municipality (its
    organisation id)."""
    query = select(Example).where(PUBLISHED)
    if province:
        query = query.join(Organisation, Organisation.id == Example.organisation_id).where(
            Organisation.province == province)
        if country:
            query = query.where(Organisation.country == country)
    if organisation_id is not None:
        query = query.where(Example.organisation_id == organisation_id)
    query = query.order_by(*NEWEST)
    if limit is not None:
        query = query.limit(max(0, limit))
    return list(session.exec(query))


@dataclass(frozen=True)
class Filters:
    """What a visitor filters the Menukaart on; anything unknown is ignored (never an error)."""

    q: str = ""
    sdg: int | None = None
    theme: str = ""
    province: str = ""
    year: int | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        def number(name: str) -> int | None:
            value = (args.get(name) or "").strip()
            return int(value) if value.isascii() and value.isdigit() and len(value) <= 4 else None

        def text(name: str, length: int) -> str:
            """Without control characters (PostgreSQL refuses NUL in text), spaces folded."""
            value = "".join(ch for ch in (args.get(name) or "") if ch.isprintable() or ch == " ")
            return " ".join(value.split())[:length]

        sdg, year = number("sdg"), number("jaar")
        province = text("provincie", 100)
        known = {p for names in provinces().values() for p in names}
        return cls(q=text("q", 200), sdg=sdg if sdg in goals() else None,
                   theme=text("thema", 100),
                   province=province if province in known else "",
                   year=year)

    @property
    def active(self) -> bool:
        return bool(self.q or self.sdg or self.theme or self.province or self.year)


def _text_columns():
    return (Example.title, Example.summary, Example.what_was_done, Example.theme,
            Organisation.name)


def _matching(query, session: Session, text: str):
    """`query` narrowed to examples matching the search text, the way the database can."""
    if session.get_bind().dialect.name == "postgresql":
        document = func.to_tsvector(literal_column("'dutch'::regconfig"),
                                    func.concat_ws(" ", *_text_columns()))
        wanted = func.plainto_tsquery(literal_column("'dutch'::regconfig"), text)
        return query.where(document.op("@@")(wanted))
    for word in text.split()[:10]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(*(func.lower(cast(c, String)).like(pattern.lower(), escape="\\")
                                  for c in _text_columns())))
    return query


def search(session: Session, filters: Filters) -> list[tuple[Example, Organisation]]:
    """The published examples passing the filters, newest first, with their municipality."""
    query = (select(Example, Organisation)
             .join(Organisation, Organisation.id == Example.organisation_id).where(PUBLISHED))
    if filters.q:
        query = _matching(query, session, filters.q)
    if filters.theme:
        query = query.where(func.lower(Example.theme) == filters.theme.lower())
    if filters.province:
        query = query.where(Organisation.province == filters.province)
    if filters.year is not None:
        query = query.where(Example.year == filters.year)
    rows = list(session.exec(query.order_by(*NEWEST)))
    if filters.sdg:  # a JSON list: filtered here, the same on both databases
        rows = [(e, o) for e, o in rows if filters.sdg in (e.sdgs or [])]
    return rows


def choices(session: Session) -> dict:
    """The themes, provinces and years that published examples have (for the filters)."""
    rows = session.exec(select(Example.theme, Example.year, Organisation.province)
                        .join(Organisation, Organisation.id == Example.organisation_id)
                        .where(PUBLISHED)).all()
    return {"themes": sorted({t for t, _y, _p in rows if t}, key=str.casefold),
            "years": sorted({y for _t, y, _p in rows if y}, reverse=True),
            "provinces": sorted({p for _t, _y, p in rows if p})}


def published(session: Session, example_id: int) -> tuple[Example, Organisation] | None:
    row = session.exec(select(Example, Organisation)
                       .join(Organisation, Organisation.id == Example.organisation_id)
                       .where(Example.id == example_id, PUBLISHED)).first()
    return tuple(row) if row else None


def files_of(session: Session, example_id: int) -> list[ExampleFile]:
    return list(session.exec(select(ExampleFile).where(ExampleFile.example_id == example_id)
                             .order_by(ExampleFile.id)))


def municipalities_of(session: Session, examples: list[Example]) -> dict[int, Organisation]:
    ids = {e.organisation_id for e in examples}
    if not ids:
        return {}
    return {o.id: o for o in session.exec(select(Organisation).where(Organisation.id.in_(ids)))}


def tracks_taken(session: Session, organisation_ids: list[int]) -> list[dict]:
    """The published editions in which people of these municipalities took part (admitted or
    completed): track, organiser, edition and year; no names of anyone."""
    if not organisation_ids:
        return []
    year = year_column()
    rows = session.exec(with_year(
        select(Organiser.slug, Organiser.name, Track.slug, Track.title, Edition.name,
               year.label("year"))
        .select_from(Enrollment)
        .join(Participant, Participant.id == Enrollment.participant_id)
        .join(Edition, Edition.id == Enrollment.edition_id)
        .join(Track, Track.id == Edition.track_id)
        .join(Organiser, Organiser.id == Track.organiser_id))
        .where(Participant.organisation_id.in_(organisation_ids),
               Enrollment.status.in_(list(TAKING_PART)), Edition.draft.is_(False))
        .distinct()).all()
    found = [{"organiser_slug": r[0], "organiser": r[1], "track_slug": r[2], "track": r[3],
              "edition": r[4], "year": int(r[5]) if r[5] is not None else None} for r in rows]
    return sorted(found, key=lambda r: (-(r["year"] or 0), r["track"].casefold()))


# --- for coordinators -----------------------------------------------------------------------------


def _scoped(query, organiser_ids: list[int] | None):
    return query if organiser_ids is None else query.where(
        Example.organiser_id.in_(organiser_ids))


def for_coordinator(session: Session, organiser_ids: list[int] | None,
                    status: str = "") -> list[tuple[Example, Organisation]]:
    """Every example of these organisers (None: all) but unconfirmed proposals, newest first."""
    query = _scoped(select(Example, Organisation)
                    .join(Organisation, Organisation.id == Example.organisation_id)
                    .where(~unconfirmed()), organiser_ids)
    if status in list(ExampleStatus):
        query = query.where(Example.status == status)
    return [tuple(r) for r in session.exec(query.order_by(Example.updated_at.desc(),
                                                          Example.id.desc()))]


def review_list(session: Session, organiser_ids: list[int] | None
                ) -> list[tuple[Example, Organisation]]:
    """Confirmed proposals waiting for a coordinator's decision."""
    return for_coordinator(session, organiser_ids, ExampleStatus.PROPOSED)


def visible(session: Session, example_id: int, organiser_ids: list[int] | None) -> Example | None:
    return session.exec(_scoped(select(Example).where(Example.id == example_id, ~unconfirmed()),
                                organiser_ids)).first()


def of_submission(session: Session, submission_id: int) -> Example | None:
    return session.exec(select(Example).where(Example.submission_id == submission_id)).first()
