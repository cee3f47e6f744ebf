"""A small hand-made world for the reach report: VNG with two tracks over 2021 and 2022 and four
municipalities in two provinces (Utrecht, Groningen).

- Utrecht (GM0344): two civil servants in "Global Goals" 2021; one hands in the plan.
- Veenendaal (GM0345): one in "Inclusie" 2022, completed; merged into Veenendaal-Rhenen by
  `MERGER` when a test imports it.
- Groningen (GM0014): one in "Global Goals" 2022, admitted; another only on the waiting list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from tests import factories
from trajectories.catalogue.models import Organiser
from trajectories.people import services as people
from trajectories.people.models import Enrollment, EnrollmentStatus, Organisation
from trajectories.schedule import services as schedule

MERGER = "code;naam;provincie;vervangt\nGM1999;Veenendaal-Rhenen;Utrecht;GM0345 GM0340\n"


@dataclass
class ReachWorld:
    organiser: object
    goals_track: object
    inclusion_track: object
    editions: dict
    people: dict
    organisations: dict
    deadline: object
    meeting: object


def _municipality(session, code: str, name: str) -> Organisation:
    return people.create_organisation(session, name=name, kind="municipality", country="NL",
                                      code=code)


def build(session) -> ReachWorld:
    vng = session.exec(select(Organiser).where(Organiser.slug == "vng")).one()
    goals = factories.track(session, vng, slug="global-goals", title="Global Goals",
                            sdgs=[11, 13])
    inclusion = factories.track(session, vng, slug="inclusie-pilot", title="Inclusiepilot",
                                sdgs=[5, 10])
    editions = {
        "gg2021": factories.edition(session, goals, slug="gg-2021", name="2021"),
        "gg2022": factories.edition(session, goals, slug="gg-2022", name="2022"),
        "in2022": factories.edition(session, inclusion, slug="in-2022", name="2022", capacity=1),
    }
    meeting = factories.meeting(session, editions["gg2021"], on_date=date(2021, 3, 2),
                                title="Start 2021")
    factories.meeting(session, editions["gg2022"], on_date=date(2022, 3, 1), title="Start 2022")
    factories.meeting(session, editions["in2022"], on_date=date(2022, 9, 6), title="Inclusie")
    deadline = schedule.set_deadline(session, editions["gg2021"], title="Plan van aanpak",
                                     due_date=date(2030, 6, 1))
    orgs = {"utrecht": _municipality(session, "GM0344", "Utrecht"),
            "veenendaal": _municipality(session, "GM0345", "Veenendaal"),
            "groningen": _municipality(session, "GM0014", "Groningen")}
    who = {
        "anna": ("Anna de Vries", "anna@utrecht.example", "utrecht", "gg2021"),
        "bram": ("Bram Jansen", "bram@utrecht.example", "utrecht", "gg2021"),
        "carla": ("Carla Smit", "carla@veenendaal.example", "veenendaal", "in2022"),
        "daan": ("Daan Bakker", "daan@groningen.example", "groningen", "gg2022"),
        "eva": ("Eva Mulder", "eva@groningen.example", "groningen", "in2022"),
    }
    persons = {}
    for key, (name, email, org, edition) in who.items():
        persons[key] = factories.participant(session, name=name, email=email,
                                             organisation_id=orgs[org].id)
        people.enroll(session, editions[edition], persons[key])  # eva: waiting list (1 place)
    people.submit(session, deadline, persons["anna"], text="Ons plan.")
    carla = session.exec(select(Enrollment).where(
        Enrollment.participant_id == persons["carla"].id)).one()
    carla.status = EnrollmentStatus.COMPLETED  # finishing an edition has no screen yet
    session.add(carla)
    session.commit()
    return ReachWorld(vng, goals, inclusion, editions, persons, orgs, deadline, meeting)
