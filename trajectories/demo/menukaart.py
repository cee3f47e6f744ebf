"""Gemeenten4GlobalGoals' Menukaart as demo data.

The sources (000_… and 001_…) name the kinds of things municipalities do: debating the Global
Goals with residents and the council with the Tijdscapsule, laying policy and the budget alongside
the Global Goals, measuring their own progress, a young civil servant as YoungChallenger, the
campaign logo, Expeditie Juttersgeluk (2017). Which municipality did what, when and how are
examples, and each says so.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session, select

from trajectories.catalogue.models import Organiser
from trajectories.core.clock import utcnow
from trajectories.menukaart import fields, services
from trajectories.menukaart.models import Example, ExampleSource, ExampleStatus

NOTE = "Voorbeeld voor de demo: gemeente, jaar en details zijn verzonnen."

#: (municipality code, title, summary, what was done, goals, theme, year, link)
PUBLISHED = [
    ("GM0193", "De Tijdscapsule in de raadzaal",
     "Inwoners en gemeenteraad debatteerden met de Tijdscapsule over de Global Goals.",
     "De gemeente leende de Tijdscapsule en zette hem een maand in de hal van het stadhuis. "
     "Scholieren vulden hem met wensen voor 2030; de raad sloot af met een debat over wat de "
     "gemeente zelf kan doen.", [4, 11, 17], "Bewustwording", 2017),
    ("GM0344", "De begroting langs de Global Goals",
     "Elk programma van de begroting laat zien aan welke Global Goals het bijdraagt.",
     "De afdeling financiën legde de programma's van de begroting naast de 17 doelen en maakte "
     "de bijdrage per doel zichtbaar in de begroting en de jaarrekening.", [16, 17],
     "Beleid en begroting", 2019),
    ("GM0518", "Expeditie Juttersgeluk: samen zwerfafval opruimen",
     "Met andere gemeenten en inwoners zwerfafval op het strand opruimen en hergebruiken.",
     "Een groep gemeenten deed mee aan Expeditie Juttersgeluk. Vrijwilligers ruimden het strand "
     "op; het plastic werd gebruikt voor nieuwe producten.", [12, 14], "Circulaire economie",
     2017),
    ("GM0828", "Zelf meten hoe ver we zijn",
     "Een eigen meting van de voortgang op de Global Goals, elk jaar opnieuw.",
     "De gemeente koos per doel een paar cijfers uit de eigen monitor en rapporteert daar elk "
     "jaar over aan de raad.", [11, 16], "Monitoring", 2021),
]

#: A municipality's proposal, confirmed and waiting for a coordinator's review.
PROPOSED = ("GM0014", "Een YoungChallenger brengt de Global Goals in huis",
            "Een jonge ambtenaar kreeg tijd om de Global Goals binnen de organisatie tot leven te "
            "brengen.",
            "Via de YoungChallengers volgde een beleidsmedewerker de masterclasses en organiseerde "
            "daarna lunchsessies per afdeling.", [4, 8], "Organisatie", 2022)


def _data(code, title, summary, done, goals, theme, year) -> dict:
    return {"municipality": code, "title": title, "summary": summary,
            "what_was_done": f"{done}\n\n{NOTE}", "sdgs": goals, "theme": theme, "year": year,
            "links": "", "contact_name": "", "contact_email": "", "contact_consent": ""}


def load_menukaart(session: Session, organiser: Organiser) -> Iterator[str]:
    """The examples above in `organiser`'s Menukaart (idempotent: found by title)."""
    def exists(title: str) -> bool:
        return session.exec(select(Example.id).where(Example.title == title)).first() is not None

    for row in PUBLISHED:
        if not exists(row[1]):
            services.publish(session, services.create_example(session, organiser, _data(*row)))
            yield f"example {row[1]}"
    if not exists(PROPOSED[1]):
        checked = fields.check(session, _data(*PROPOSED))
        organisation = fields.organisation_for(session, checked.municipality)
        session.add(Example(organiser_id=organiser.id, organisation_id=organisation.id,
                            source=ExampleSource.PROPOSAL, status=ExampleStatus.PROPOSED,
                            confirmed_at=utcnow(), **{**checked.values(),
                                                      "contact_name": "Voorbeeld Ambtenaar"}))
        session.commit()
        yield f"example {PROPOSED[1]} (voorstel)"
