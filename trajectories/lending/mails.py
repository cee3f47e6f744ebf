"""The lending mails, all through the outbox in the caller's transaction: the confirmation link
of a request, and the coordinator's decision (approved with an iMIP invitation for the hand-over
and return days, another period proposed, declined, cancelled with an iMIP CANCEL). They answer
the municipality's own request ("public_*" kinds, no unsubscribe link); the reminders before the
hand-over and the return are the scheduler's (`reminders`, kind "loan", with one)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlmodel import Session

from trajectories.catalogue.models import Organiser
from trajectories.core.reference import current_by_code
from trajectories.lending import calendar
from trajectories.lending.models import LendableObject, Loan
from trajectories.mail import public as public_mail
from trajectories.mail.outbox import queue_mail
from trajectories.mail.render import render_mail
from trajectories.people.models import Organisation, Participant


def confirm_link(session: Session, form, obj: LendableObject, link: str,
                 max_age: timedelta) -> None:
    organisation = current_name(session, form.municipality)
    public_mail.send(session, to=form.email, template="loan_confirm", language=form.language,
                     dedupe_key=f"public_loan:{link[-27:]}", name=form.name, obj=obj, form=form,
                     track={"title": obj.name},
                     municipality=organisation, link=link,
                     hours=int(max_age.total_seconds() // 3600))


def current_name(session: Session, code: str) -> str:
    found = current_by_code(session).get(code)
    return found.name if found else code


def decision(session: Session, loan: Loan, what: str, **context) -> None:
    """The mail of a decision (`what`: approved, proposed, declined, cancel;
    kind "public_loan_<what>", at most 20 characters) to the contact;
    approved and cancelled carry the hand-over and return days as an iMIP calendar."""
    if loan.participant_id is None:  # the contact erased their data
        return
    person = session.get(Participant, loan.participant_id)
    obj = session.get(LendableObject, loan.object_id)
    organiser = session.get(Organiser, obj.organiser_id)
    organisation = session.get(Organisation, loan.organisation_id)
    ics = None
    if what in ("approved", "cancel"):
        ics = calendar.invitation(obj, loan, organisation, organiser, person,
                                  cancel=what == "cancel")
    base_url = current_app.config["SETTINGS"].base_url
    kind = f"public_loan_{what}"
    subject, text, html = render_mail(kind, person.language, name=person.name, obj=obj,
                                      loan=loan, organisation=organisation, organiser=organiser,
                                      page=f"{base_url}/uitlenen/{obj.slug}",
                                      track={"title": obj.name}, **context)
    queue_mail(session, to=person.email, kind=kind, subject=subject, text=text, html=html,
               calendar=ics, participant_id=person.id,
               dedupe_key=f"loan:{loan.id}:{what}:seq{loan.sequence}")
