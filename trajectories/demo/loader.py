"""Loading the demo: the programmes of `trajectories.demo.programmes` written through the
services, with coordinators to sign in with.

Idempotent: an organiser, track or edition that exists already is left as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from trajectories.accounts import services as accounts
from trajectories.accounts.models import Coordinator
from trajectories.catalogue import services as catalogue
from trajectories.catalogue.models import Edition, Organiser, PlaceUnit, Track
from trajectories.core.clock import local_today, to_utc
from trajectories.core.db import Database
from trajectories.core.reference import municipality_by_code
from trajectories.demo.ambassadors import load_ambassadors
from trajectories.demo.award import load_award
from trajectories.demo.lending import load_lending
from trajectories.demo.menukaart import load_menukaart
from trajectories.demo.programmes import (
    AMS,
    COORDINATORS,
    MUNICIPALITIES,
    ORGANISERS,
    PARTICIPANTS,
    programmes,
)
from trajectories.interest.models import InterestEntry
from trajectories.people import services as people
from trajectories.people.models import Attendance, Organisation, OrganisationKind, Submission
from trajectories.schedule import services as schedule

DEMO_PASSWORD = "demo-wachtwoord-2026"


def _registration_window(edition: dict) -> tuple[datetime, datetime]:
    opens, closes = edition["registration"]
    return to_utc(opens, time(9), edition["timezone"]), to_utc(closes, time(23, 59), edition["timezone"])


def _find(session: Session, model, **where):
    query = select(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return session.exec(query).first()


def load_demo(db: Database) -> Iterator[str]:
    """Load everything; yields one line per thing created or found."""
    with db.session(actor="demo") as session:
        organisers = {}
        for data in ORGANISERS:
            organisers[data["slug"]] = _find(session, Organiser, slug=data["slug"]) or \
                catalogue.create_organiser(session, **data)

        refs = municipality_by_code()
        for code in MUNICIPALITIES:
            if not _find(session, Organisation, code=code):
                m = refs[code]
                people.create_organisation(session, name=m.name, kind=OrganisationKind.MUNICIPALITY,
                                           country=m.country, code=m.code, province=m.province)
        participants = {}
        for name, email, role, code in PARTICIPANTS:
            participants[email] = people.find_participant(session, email) or \
                people.create_participant(session, name=name, email=email, role=role,
                                          organisation_id=_find(session, Organisation, code=code).id)

        for programme in programmes(local_today(AMS)):
            organiser = organisers[programme["organiser"]]
            track_data = dict(programme["track"])
            track = _find(session, Track, organiser_id=organiser.id, slug=track_data["slug"])
            if track is None:
                track = catalogue.create_track(session, organiser, **track_data)
                yield f"track   {organiser.slug}/{track.slug}"
            for edition_data in programme["editions"]:
                if _find(session, Edition, track_id=track.id, slug=edition_data["slug"]):
                    continue
                _load_edition(session, track, edition_data, participants)
                yield f"edition {organiser.slug}/{track.slug}/{edition_data['slug']}"
            _load_interest(session, track, programme.get("interest", []), participants)
        if "vng" in organisers:  # the campaign around the trajectories
            yield from load_lending(session, organisers["vng"], local_today(AMS))
            yield from load_menukaart(session, organisers["vng"])
            yield from load_award(session, organisers["vng"], local_today(AMS), DEMO_PASSWORD)
        yield from load_ambassadors(session, organisers)

        for data in COORDINATORS:
            if not _find(session, Coordinator, email=data["email"]):
                accounts.create_coordinator(session, email=data["email"], name=data["name"],
                                            password=DEMO_PASSWORD,
                                            organiser=organisers[data["organiser"]])
            yield f"login   {data['email']} / {DEMO_PASSWORD}"
        if not _find(session, Coordinator, email="admin@trajectories.example"):
            accounts.create_coordinator(session, email="admin@trajectories.example",
                                        name="Beheerder (demo)", password=DEMO_PASSWORD,
                                        is_admin=True)
        yield f"login   admin@trajectories.example / {DEMO_PASSWORD} (admin)"


def _load_edition(session: Session, track: Track, data: dict, participants: dict) -> None:
    opens, closes = _registration_window(data)
    edition = catalogue.create_edition(
        session, track, slug=data["slug"], name=data["name"], timezone=data["timezone"],
        capacity=data.get("capacity"), place_unit=data.get("place_unit", PlaceUnit.PERSON),
        eligibility=data["eligibility"], coordinator_email=data["coordinator_email"],
        registration_opens_at=opens, registration_closes_at=closes, region=data.get("region", ""))
    meetings = []
    for meeting in data["sessions"]:
        fields = {k: v for k, v in meeting.items() if k != "materials"}
        meetings.append(schedule.plan_meeting(session, edition, **fields))
        for title, url in meeting.get("materials", []):
            schedule.add_material(session, meetings[-1], title=title, url=url)
    deadlines = [schedule.set_deadline(session, edition, **d) for d in data["deadlines"]]
    for email in data["enroll"]:
        people.enroll(session, edition, participants[email])
    # Deliverables handed in before this system existed: history, not a live submission.
    for email in data["submitted"]:
        for deadline in deadlines:
            session.add(Submission(
                deadline_id=deadline.id, participant_id=participants[email].id,
                text="Onze tekst voor de publicatie (demo).",
                submitted_at=to_utc(deadline.due_date - timedelta(days=3), time(10), edition.timezone)))
    # Attendance of sessions held before this system existed: history, recorded as it was.
    if "absent" in data:
        for email in data["enroll"]:
            missed = data["absent"].get(email, [])
            for n, meeting in enumerate(meetings):
                session.add(Attendance(meeting_id=meeting.id, participant_id=participants[email].id,
                                       present=n not in missed))
    session.commit()


def _load_interest(session: Session, track: Track, emails: list[str], participants: dict) -> None:
    """People on the track's interest list (as if they confirmed the link)."""
    for email in emails:
        person = participants[email]
        if not _find(session, InterestEntry, track_id=track.id, participant_id=person.id):
            session.add(InterestEntry(track_id=track.id, participant_id=person.id,
                                      organisation_id=person.organisation_id))
    session.commit()

