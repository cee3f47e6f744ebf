"""The loans as iCalendar: the object's public feed (one all-day event per approved loan:
municipality and period, no contact details) and the iMIP invitation mailed on approval (the
hand-over day and the return day, METHOD REQUEST; CANCEL when the loan is cancelled)."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from trajectories.catalogue.models import Organiser
from trajectories.lending.models import LendableObject, Loan, LoanStatus
from trajectories.mail.invitation import address
from trajectories.people.models import Organisation, Participant

PRODID = "-//trajectories//uitlenen//NL"


def _calendar(method: str | None = None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    return calendar


def _stamp(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def feed(obj: LendableObject, loans: list[tuple[Loan, Organisation]], base_url: str) -> bytes:
    """The object's feed: where it is when (approved loans; cancelled ones stay as CANCELLED)."""
    calendar = _calendar(name=obj.name)
    for loan, organisation in loans:
        event = Event()
        event.add("uid", f"loan-{loan.id}@trajectories")
        event.add("dtstamp", _stamp(loan.updated_at))
        event.add("sequence", loan.sequence)
        cancelled = loan.status == LoanStatus.CANCELLED
        event.add("summary", ("Geannuleerd: " if cancelled else "")
                  + f"{obj.name} in {organisation.name}")
        event.add("dtstart", loan.starts_on)
        event.add("dtend", loan.ends_on + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("url", f"{base_url}/uitlenen/{obj.slug}")
        calendar.add_component(event)
    return calendar.to_ical()


def invitation(obj: LendableObject, loan: Loan, organisation: Organisation,
               organiser: Organiser, person: Participant, *, cancel: bool = False) -> str:
    """The iMIP calendar for the contact: the hand-over day and the return day (all-day)."""
    calendar = _calendar(method="CANCEL" if cancel else "REQUEST")
    english = person.language == "en"
    days = (("handover", loan.starts_on, "Hand-over" if english else "Overdracht"),
            ("return", loan.ends_on, "Return" if english else "Terugbrengen"))
    for key, day, word in days:
        event = Event()
        event.add("uid", f"loan-{loan.id}-{key}@trajectories")
        event.add("dtstamp", _stamp(loan.updated_at))
        event.add("sequence", loan.sequence)
        event.add("summary", f"{word}: {obj.name} ({organisation.name})")
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("location", loan.place)
        event.add("transp", "TRANSPARENT")
        event.add("status", "CANCELLED" if cancel else "CONFIRMED")
        address(event, organiser.email, organiser.name, person)
        calendar.add_component(event)
    return calendar.to_ical().decode()
