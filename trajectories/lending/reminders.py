"""A loan's reminders as moments of the scheduler: two days before the hand-over day and two
days before the return day, at the send hour in the organiser's zone (`plan`, written by the
lending services through `scheduler.plan.reconcile_subject`), and what each sends when the
scheduler fires it (`SENDERS`, registered in `scheduler.senders.SENDERS`)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session

from trajectories.catalogue.models import Organiser
from trajectories.core.clock import local_today, to_utc
from trajectories.core.models import country_zone
from trajectories.lending.models import LendableObject, Loan, LoanStatus
from trajectories.mail.models import MailKind
from trajectories.mail.outbox import queue_mail
from trajectories.mail.preferences import unsubscribe_url
from trajectories.mail.render import render_mail
from trajectories.people.models import Organisation, Participant
from trajectories.scheduler.moments import Moment
from trajectories.scheduler.plan import reconcile_subject

KINDS = ("loan_handover", "loan_return")
#: Days before the hand-over and the return day.
DAYS_BEFORE = 2
SEND_HOUR = 9


def zone_of(organiser: Organiser) -> str:
    """The zone a loan's days are timed in: its organiser's country's."""
    return country_zone(organiser.country)


def wanted(loan: Loan, zone_name: str) -> list[Moment]:
    """The reminders an approved loan wants (none otherwise)."""
    if loan.status != LoanStatus.APPROVED:
        return []
    subject = f"loan:{loan.id}"
    moments = []
    for kind, day in (("loan_handover", loan.starts_on), ("loan_return", loan.ends_on)):
        due = to_utc(day - timedelta(days=DAYS_BEFORE), time(SEND_HOUR), zone_name)
        useful = to_utc(day, time(SEND_HOUR), zone_name)
        moments.append(Moment(f"{kind}:{subject}:P{DAYS_BEFORE}D", kind, subject, None, due,
                              useful))
    return moments


def plan(session: Session, loan: Loan, organiser: Organiser, now: datetime) -> None:
    """Make the stored reminders of `loan` match its status and period."""
    reconcile_subject(session, f"loan:{loan.id}", KINDS, wanted(loan, zone_of(organiser)), now)


def _reminder(session, moment, settings, now) -> int:
    loan = session.get(Loan, int(moment.subject.split(":")[1]))
    if loan is None or loan.status != LoanStatus.APPROVED or loan.participant_id is None:
        return 0
    obj = session.get(LendableObject, loan.object_id)
    organiser = session.get(Organiser, obj.organiser_id)
    person = session.get(Participant, loan.participant_id)
    organisation = session.get(Organisation, loan.organisation_id)
    day = loan.starts_on if moment.kind == "loan_handover" else loan.ends_on
    link = unsubscribe_url(settings, person.id, MailKind.LOAN)
    subject, text, html = render_mail(
        "loan_reminder", person.language, name=person.name, obj=obj, loan=loan,
        organisation=organisation, organiser=organiser, day=day, handover=moment.kind ==
        "loan_handover", days=(day - local_today(zone_of(organiser), now)).days,
        link=f"{settings.base_url}/uitlenen/{obj.slug}", unsubscribe_url=link,
        track={"title": obj.name})
    return bool(queue_mail(session, to=person.email, kind=MailKind.LOAN, subject=subject,
                           text=text, html=html, participant_id=person.id, row=False,
                           dedupe_key=f"{moment.job_id}@{moment.due_at:%Y%m%dT%H%M}"))


SENDERS = {"loan_handover": _reminder, "loan_return": _reminder}
