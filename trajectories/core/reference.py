"""Reference data shipped with the project (sources in trajectories/data/README.md):
all Dutch and Flemish municipalities with their province, and the 17 Global Goals with their
official colours.

The municipalities change every year (herindeling): `trajectories import-municipalities FILE.csv`
writes the current list into the table `reference_municipality` (a merged municipality stays as a
row with `merged_into`). Once that table holds rows it is the reference (`current()`); before, the
shipped files are.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, select

from trajectories.core.clock import utcnow

DATA = Path(__file__).parents[1] / "data"


@dataclass(frozen=True)
class Municipality:
    code: str  #: CBS code (GM0363) or NIS code (11002)
    name: str
    province: str
    country: str  #: NL or BE


class ReferenceMunicipality(SQLModel, table=True):
    """A municipality as the last import of the reference listed it (herindelingen included)."""

    __tablename__ = "reference_municipality"

    #: CBS code (GM0363) or NIS code (11002).
    code: str = Field(primary_key=True, max_length=10)
    name: str = Field(max_length=200)
    province: str = Field(max_length=100)
    country: str = Field(max_length=2)
    #: Code of the municipality it merged into; None while it exists.
    merged_into: str | None = Field(default=None, max_length=10)
    updated_at: datetime = Field(default_factory=utcnow)


@dataclass(frozen=True)
class Goal:
    number: int
    name_nl: str
    name_en: str
    colour: str  #: official UN colour, "#E5243B"
    white_text_contrast: float

    def name(self, language: str) -> str:
        """The goal's official name in "en" or (any other) Dutch."""
        return self.name_en if language == "en" else self.name_nl

    @property
    def text_colour(self) -> str:
        """White where it passes WCAG AA (4.5), else near-black."""
        return "#ffffff" if self.white_text_contrast >= 4.5 else "#1a1a1a"


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def municipalities() -> tuple[Municipality, ...]:
    nl = [Municipality(r["cbs_code"], r["name"], r["province"], "NL")
          for r in _rows("municipalities-nl.csv")]
    be = [Municipality(r["nis_code"], r["name"], r["province"], "BE")
          for r in _rows("municipalities-be-flanders.csv")]
    return tuple(sorted(nl + be, key=lambda m: (m.name.lower(), m.country)))


@cache
def municipality_by_code() -> dict[str, Municipality]:
    return {m.code: m for m in municipalities()}


@cache
def provinces() -> dict[str, tuple[str, ...]]:
    """{country: its provinces}: the 12 Dutch and the 5 Flemish ones, from the shipped files."""
    found: dict[str, set[str]] = {}
    for m in municipalities():
        found.setdefault(m.country, set()).add(m.province)
    return {country: tuple(sorted(names)) for country, names in found.items()}


def current(session: Session) -> tuple[Municipality, ...]:
    """The municipalities that exist now: the imported reference, or the shipped files before
    any import. One query."""
    rows = session.exec(select(ReferenceMunicipality).where(
        ReferenceMunicipality.merged_into.is_(None))).all()
    if not rows:
        return municipalities()
    return tuple(sorted((Municipality(r.code, r.name, r.province, r.country) for r in rows),
                        key=lambda m: (m.name.lower(), m.country)))


def current_by_code(session: Session) -> dict[str, Municipality]:
    """{code: municipality} of those that exist now: what a person can choose (registration,
    the interest list, a CSV import); a municipality merged away is no longer one of them."""
    return {m.code: m for m in current(session)}


def find(session: Session, code: str) -> Municipality | None:
    """The municipality with this code in the reference (imported or shipped), merged or not."""
    row = session.get(ReferenceMunicipality, code)
    if row is not None:
        return Municipality(row.code, row.name, row.province, row.country)
    imported = session.exec(select(func.count()).select_from(ReferenceMunicipality)).one()
    return None if imported else municipality_by_code().get(code)


def province_counts(session: Session) -> dict[tuple[str, str], int]:
    """{(country, province): municipalities in it now}, from the current reference."""
    counts: dict[tuple[str, str], int] = {}
    for m in current(session):
        counts[(m.country, m.province)] = counts.get((m.country, m.province), 0) + 1
    return counts


@cache
def goals() -> dict[int, Goal]:
    return {int(r["goal"]): Goal(int(r["goal"]), r["name_nl"], r["name_en"], r["colour"],
                                 float(r["white_text_contrast"])) for r in _rows("sdg.csv")}
