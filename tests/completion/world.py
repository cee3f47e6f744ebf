"""An edition to run to its end: three sessions, a deadline each participant hands in and one
their municipality hands in as a team; Anna (Noordenveld), Bert and Carl (Assen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from tests import factories
from trajectories.catalogue.models import Edition, Organiser
from trajectories.people import services as people
from trajectories.people.models import Participant
from trajectories.schedule import services as schedule
from trajectories.schedule.models import Deadline, DeliveredBy, Meeting


@dataclass
class World:
    organiser: Organiser
    edition: Edition
    meetings: list[Meeting]
    own: Deadline
    team: Deadline
    anna: Participant
    bert: Participant
    carl: Participant


def build(session: Session) -> World:
    organiser = factories.organiser(session, name="Vereniging van Nederlandse Gemeenten")
    track = factories.track(session, organiser, title="Gemeenten4GlobalGoals")
    edition = factories.edition(session, track, name="2030",
                                coordinator_email="coordinator@vng.example")
    meetings = [factories.meeting(session, edition, on_date=day, title=f"Sessie {n}",
                                  mode="on_site", location="Stadhuis Utrecht")
                for n, day in enumerate((date(2030, 4, 13), date(2030, 5, 13),
                                         date(2030, 6, 13)), start=1)]
    own = schedule.set_deadline(session, edition, title="Lokale analyse",
                                due_date=date(2030, 5, 1))
    team = schedule.set_deadline(session, edition, title="Actieplan van de gemeente",
                                 due_date=date(2030, 6, 1), delivered_by=DeliveredBy.ORGANISATION)
    noordenveld = factories.municipality(session, "Noordenveld", "GM1699")
    assen = factories.municipality(session, "Assen", "GM0106")
    anna = factories.participant(session, name="Anna de Vries", email="anna@noordenveld.example",
                                 organisation_id=noordenveld.id)
    bert = factories.participant(session, name="Bert Jansen", email="bert@assen.example",
                                 organisation_id=assen.id, language="en")
    carl = factories.participant(session, name="Carl Smit", email="carl@assen.example",
                                 organisation_id=assen.id)
    for person in (anna, bert, carl):
        people.enroll(session, edition, person)
    return World(organiser, edition, meetings, own, team, anna, bert, carl)


def attend(session: Session, world: World, meeting: Meeting, *present: Participant) -> None:
    ids = {p.id for p in present}
    people.record_attendance(session, meeting, {p.id: p.id in ids
                                                for p in (world.anna, world.bert, world.carl)})
