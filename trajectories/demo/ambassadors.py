"""Ambassadors per province as demo data.

The source (000_…, "Prioriteiten Gemeenten4GlobalGoals voor 2017") names the plan: "het benoemen
van een Global Goals gemeenten ambassadeur in elke provincie". It names no ambassador, so every
person here is an example and says so; their municipalities are the demo's participants' (Zwolle,
Groningen, Noordenveld, Utrecht, Leuven, Gent), so each province page also lists them as taking
part. Overijssel has had two: one from 2017 to 2022, one since.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlmodel import Session, select

from trajectories.ambassadors import provinces
from trajectories.ambassadors import services as ambassadors
from trajectories.ambassadors.models import Ambassador
from trajectories.catalogue.models import Organiser

EXAMPLE = " (voorbeeld)"

#: (organiser, province, name, role, municipality code, public contact, from, to).
AMBASSADORS = [
    ("vng", "Overijssel", "Henk Brinkman", "wethouder Duurzaamheid", "GM0193", "",
     date(2017, 3, 1), date(2022, 12, 31)),
    ("vng", "Overijssel", "Femke Jansen", "wethouder Internationale Zaken", "GM0193",
     "ambassadeur.overijssel@zwolle.example", date(2023, 1, 1), None),
    ("vng", "Groningen", "Lotte Mulder", "beleidsadviseur duurzaamheid", "GM0014",
     "globalgoals@groningen.example", date(2019, 5, 1), None),
    ("vng", "Drenthe", "Jan Hoekstra", "wethouder Sociaal Domein", "GM1699", "",
     date(2021, 1, 1), None),
    ("vng", "Utrecht", "Joris de Vries", "programmamanager inclusie", "GM0344", "",
     date(2022, 9, 1), None),
    ("vvsg", "Vlaams-Brabant", "Wout Janssens", "mondiaal ambtenaar", "24062",
     "mondiaal@leuven.example", date(2020, 1, 1), None),
    ("vvsg", "Oost-Vlaanderen", "An De Smet", "schepen Ontwikkelingssamenwerking", "44021", "",
     date(2019, 1, 1), None),
]


def load_ambassadors(session: Session, organisers: dict[str, Organiser]) -> Iterator[str]:
    """Appoint each example ambassador once (a period already there is left as it is)."""
    for slug, province_name, name, role, code, contact, starts_on, ends_on in AMBASSADORS:
        organiser = organisers.get(slug)
        province = provinces.find(organiser.country, province_name) if organiser else None
        if province is None:
            continue
        if session.exec(select(Ambassador).where(
                Ambassador.organiser_id == organiser.id, Ambassador.province == province.name,
                Ambassador.starts_on == starts_on)).first():
            continue
        ambassadors.appoint(session, organiser, dict(
            province=province.slug, name=name + EXAMPLE, role=role + EXAMPLE,
            municipality_code=code, contact_email=contact, contact_consent=bool(contact),
            starts_on=starts_on, ends_on=ends_on))
        yield f"ambassador {slug} {province.name}: {name}{EXAMPLE}"
