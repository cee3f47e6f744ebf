"""Test data through the real services: a small, valid world to change in each test."""

from __future__ import annotations

import itertools
from datetime import date, time

from sqlmodel import Session

from trajectories.catalogue import services as catalogue
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.people import services as people
from trajectories.people.models import OrganisationKind, Participant
from trajectories.schedule import services as schedule

_n = itertools.count(1)


def organiser(session: Session, slug: str | None = None, **kw) -> Organiser:
    n = next(_n)
    data = dict(slug=slug or f"org{n}", name=f"Organisator {n}", country="NL",
                email=f"org{n}@example.org")
    return catalogue.create_organiser(session, **{**data, **kw})


def track(session: Session, org: Organiser | None = None, **kw) -> Track:
    org = org or organiser(session)
    n = next(_n)
    data = dict(slug=f"traject-{n}", title=f"Leertraject {n}", sdgs=[10, 11])
    return catalogue.create_track(session, org, **{**data, **kw})


def edition(session: Session, trk: Track | None = None, **kw) -> Edition:
    trk = trk or track(session)
    n = next(_n)
    data = dict(slug=f"editie-{n}", name=f"Editie {n}", timezone="Europe/Amsterdam")
    return catalogue.create_edition(session, trk, **{**data, **kw})


def meeting(session: Session, coh: Edition, on_date: date = date(2030, 4, 13),
            start: time | None = time(13, 30), end: time | None = time(15, 30), **kw):
    data = dict(title="Sessie", on_date=on_date, start=start, end=end)
    return schedule.plan_meeting(session, coh, **{**data, **kw})


def municipality(session: Session, name: str = "Noordenveld", code: str | None = None):
    return people.create_organisation(session, name=name, kind=OrganisationKind.MUNICIPALITY,
                                      country="NL", code=code)


def participant(session: Session, **kw) -> Participant:
    n = next(_n)
    data = dict(name=f"Deelnemer {n}", email=f"deelnemer{n}@gemeente.example")
    return people.create_participant(session, **{**data, **kw})
