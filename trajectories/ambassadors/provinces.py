"""The provinces of the reference data (12 Dutch, 5 Flemish) with their address on the site, and
which regional meetings are for which province.

A province's slug is its name in lower case with hyphens ("noord-brabant"); a name that exists
in both countries gets the country ("limburg-nl", "limburg-be").

A regional meeting is for a region (`Edition.region`, free text). It is a province's when the
region names the province ("Overijssel", "Regio Utrecht") or is one of the parts of the country
below ("Oost-Nederland"), and its organiser works in the province's country.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from trajectories.core import reference
from trajectories.core.models import country_zone

#: The parts of a country that regional meetings are usually named after, with their provinces.
REGIONS: dict[str, dict[str, frozenset[str]]] = {
    "NL": {
        "noord-nederland": frozenset({"Groningen", "Friesland", "Drenthe"}),
        "oost-nederland": frozenset({"Overijssel", "Gelderland"}),
        "midden-nederland": frozenset({"Utrecht", "Flevoland"}),
        "west-nederland": frozenset({"Noord-Holland", "Zuid-Holland"}),
        "zuid-nederland": frozenset({"Noord-Brabant", "Limburg", "Zeeland"}),
        "nederland": frozenset(reference.provinces().get("NL", ())),
    },
    "BE": {
        "vlaanderen": frozenset(reference.provinces().get("BE", ())),
    },
}

@dataclass(frozen=True)
class Province:
    country: str
    name: str
    slug: str

    @property
    def zone(self) -> str:
        """The zone its "today" is read in."""
        return country_zone(self.country)


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


@cache
def all_provinces() -> tuple[Province, ...]:
    """Every province: the Dutch ones, then the Flemish ones, each by name."""
    listed = reference.provinces()
    names = [name for country in ("NL", "BE") for name in listed.get(country, ())]
    twice = {name for name in names if names.count(name) > 1}
    return tuple(Province(country, name,
                          _slug(name) + (f"-{country.lower()}" if name in twice else ""))
                 for country in ("NL", "BE") for name in listed.get(country, ()))


def by_slug(slug: str) -> Province | None:
    return next((p for p in all_provinces() if p.slug == slug), None)


def find(country: str, name: str) -> Province | None:
    return next((p for p in all_provinces() if p.country == country and p.name == name), None)


def of_country(country: str) -> list[Province]:
    return [p for p in all_provinces() if p.country == country]


def region_covers(region: str, province: Province) -> bool:
    """Whether a regional meeting for `region` is one for `province` (same country assumed)."""
    text = " ".join((region or "").split())
    if not text:
        return False
    if province.name in REGIONS.get(province.country, {}).get(text.lower(), ()):
        return True
    return re.search(rf"(?<![\w-]){re.escape(province.name)}(?![\w-])", text,
                     re.IGNORECASE) is not None
