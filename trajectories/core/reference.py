"""Reference data shipped with the project (sources in trajectories/data/README.md):
all Dutch and Flemish municipalities, and the 17 Global Goals with their official colours."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parents[1] / "data"


@dataclass(frozen=True)
class Municipality:
    code: str  #: CBS code (GM0363) or NIS code (11002)
    name: str
    province: str
    country: str  #: NL or BE


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
def goals() -> dict[int, Goal]:
    return {int(r["goal"]): Goal(int(r["goal"]), r["name_nl"], r["name_en"], r["colour"],
                                 float(r["white_text_contrast"])) for r in _rows("sdg.csv")}
