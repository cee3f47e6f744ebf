"""The Tijdscapsule as demo data: VNG International lends it to municipalities (source 000_…:
"Het aanbieden van de Tijdscapsule (leent zich uitstekend om op lokaal niveau te starten met
Gemeenten4GlobalGoals)"; 001_…: "de Tijdscapsule naar uw gemeente laten komen om met uw
inwoners en gemeenteraad over de Global Goals te debatteren").

The loans, places and contacts are examples and say so: one held, one now, one ahead (with its
reminders planned) and one request waiting in the queue. Written as rows (the past cannot be
requested through the form); the database's overlap rule holds for them as for any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from sqlmodel import Session, select

from trajectories.catalogue.models import Organiser
from trajectories.core.clock import utcnow
from trajectories.core.reference import municipality_by_code
from trajectories.lending import reminders
from trajectories.lending.models import LendableObject, Loan, LoanStatus
from trajectories.people import services as people
from trajectories.people.models import Organisation, OrganisationKind

DESCRIPTION = (
    "De Tijdscapsule reist van gemeente naar gemeente. Ze leent zich uitstekend om op lokaal "
    "niveau te starten met Gemeenten4GlobalGoals: zet haar in het stadhuis, de bibliotheek of "
    "op een school en ga met inwoners en gemeenteraad in gesprek over de Global Goals.\n"
    "Voorbeeld: de uitleningen en contactpersonen hieronder zijn verzonnen voor de demo.")

#: (municipality code, first day, last day from today, status, place, contact name, e-mail)
LOANS = [
    ("GM0193", -120, -106, LoanStatus.APPROVED, "Stadhuis, Grote Kerkplein 15, Zwolle (voorbeeld)",
     "Fatima el Amrani (voorbeeld)", "f.elamrani@zwolle.example"),
    ("GM0344", -3, 10, LoanStatus.APPROVED, "Stadskantoor, Stadsplateau 1, Utrecht (voorbeeld)",
     "Bram de Vries (voorbeeld)", "b.devries@utrecht.example"),
    ("GM0014", 30, 44, LoanStatus.APPROVED, "Forum Groningen, Nieuwe Markt 1 (voorbeeld)",
     "Anouk Bakker (voorbeeld)", "a.bakker@groningen.example"),
    ("GM0080", 60, 70, LoanStatus.REQUESTED, "Stadhuis, Hofplein 38, Leeuwarden (voorbeeld)",
     "Sjoerd Hoekstra (voorbeeld)", "s.hoekstra@leeuwarden.example"),
]


def _municipality(session: Session, code: str) -> Organisation:
    found = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if found:
        return found
    ref = municipality_by_code()[code]
    return people.create_organisation(session, name=ref.name, kind=OrganisationKind.MUNICIPALITY,
                                      country=ref.country, code=ref.code, province=ref.province)


def load_lending(session: Session, vng: Organiser, today: date) -> Iterator[str]:
    if session.exec(select(LendableObject).where(LendableObject.slug == "tijdscapsule")).first():
        return
    capsule = LendableObject(organiser_id=vng.id, name="Tijdscapsule", slug="tijdscapsule",
                             description=DESCRIPTION, available=True)
    session.add(capsule)
    session.flush()
    now = utcnow()
    for n, (code, first, last, status, place, name, email) in enumerate(LOANS):
        organisation = _municipality(session, code)
        person = people.find_participant(session, email) or people.create_participant.__wrapped__(
            session, name=name, email=email, organisation_id=organisation.id)
        loan = Loan(object_id=capsule.id, organisation_id=organisation.id,
                    participant_id=person.id, status=status, place=place,
                    starts_on=today + timedelta(days=first), ends_on=today + timedelta(days=last),
                    requested_at=now - timedelta(days=150 - n),
                    decided_at=now if status == LoanStatus.APPROVED else None,
                    sequence=1 if status == LoanStatus.APPROVED else 0)
        session.add(loan)
        session.flush()
        reminders.plan(session, loan, vng, now)
    session.commit()
    yield f"lending uitlenen/{capsule.slug} ({len(LOANS)} loans and requests)"
