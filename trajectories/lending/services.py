"""Lending an object: the organiser's objects, a municipality's request for a period (double
opt-in by a mail link, like the interest list: nothing is stored before it is followed), and
the coordinator's decision: approve, propose another period (the municipality accepts it by a
mail link), decline with a reason, or cancel an approved loan.

Two approved loans of one object never overlap. The database refuses it (`models`: an exclusion
constraint on PostgreSQL, triggers on SQLite), so two coordinators approving at the same moment
cannot both succeed; `_approve` turns the refusal into a clear Dutch message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from trajectories.accounts import tokens as signin
from trajectories.catalogue.models import Organiser
from trajectories.core import events
from trajectories.core import service as base
from trajectories.core.clock import local_today, utcnow
from trajectories.core.errors import FieldChecks, InvalidInput
from trajectories.core.models import Language
from trajectories.core.service import service
from trajectories.lending import mails, reminders
from trajectories.lending.events import LendableObjectSaved, LoanDecided, LoanRequested
from trajectories.lending.models import WAITING, LendableObject, Loan, LoanStatus
from trajectories.people import services as people

#: The longest period one can ask for.
MAX_DAYS = 92
#: Paths under /uitlenen/ that are not objects (the links in the mails).
RESERVED_SLUGS = frozenset({"bevestigen", "voorstel"})


def overlap_message(obj: LendableObject) -> str:
    return str(_l("Deze periode overlapt met een goedgekeurde uitlening van %(name)s. Kies een "
                  "andere periode, of stel de gemeente een andere periode voor.", name=obj.name))


# --- objects -------------------------------------------------------------------------------------


def _object_fields(session: Session, data: dict, current: LendableObject | None) -> dict:
    checks = FieldChecks()
    fields = {
        "name": checks.run(base.text, data.get("name"), "name", _l("Naam"), max_length=200),
        "slug": checks.run(base.slug, data.get("slug")),
        "description": checks.run(base.text, data.get("description"), "description",
                                  _l("Beschrijving"), required=False, max_length=4000,
                                  multiline=True),
        "available": bool(data.get("available")),
    }
    if fields["slug"] in RESERVED_SLUGS:
        checks.errors["slug"] = str(_l("Deze korte naam gebruikt de website zelf; kies een "
                                       "andere."))
    elif fields["slug"]:
        other = session.exec(select(LendableObject).where(
            LendableObject.slug == fields["slug"])).first()
        if other is not None and (current is None or other.id != current.id):
            checks.errors["slug"] = str(_l("Deze korte naam is al in gebruik; kies een andere."))
    checks.done()
    return fields


@service
def create_object(session: Session, organiser: Organiser, data: dict) -> LendableObject:
    obj = LendableObject(organiser_id=organiser.id, **_object_fields(session, data, None))
    session.add(obj)
    session.flush()
    events.record(session, LendableObjectSaved(object_id=obj.id, organiser_id=obj.organiser_id))
    return obj


@service
def update_object(session: Session, obj: LendableObject, data: dict) -> LendableObject:
    if base.assign(obj, _object_fields(session, data, obj)):
        obj.updated_at = utcnow()
        session.add(obj)
        session.flush()
        events.record(session, LendableObjectSaved(object_id=obj.id, organiser_id=obj.organiser_id))
    return obj


# --- a municipality's request ---------------------------------------------------------------------


@dataclass(frozen=True)
class RequestForm:
    """A request as typed, checked."""

    object_id: int
    name: str
    email: str
    #: CBS/NIS code of the municipality.
    municipality: str
    starts_on: date
    ends_on: date
    place: str
    language: str

    def payload(self) -> dict:
        return {"o": self.object_id, "n": self.name, "e": self.email, "m": self.municipality,
                "s": self.starts_on.isoformat(), "u": self.ends_on.isoformat(),
                "p": self.place, "l": self.language}


def _day(value, field: str, label) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidInput(_l("%(label)s: vul een datum in (dag, maand en jaar).", label=label),
                           field) from None


def check_period(starts_on, ends_on, today: date, *, starts_field: str = "starts_on",
                 ends_field: str = "ends_on") -> tuple[date, date]:
    """Two dates from a form: a real period, not in the past, at most MAX_DAYS long."""
    checks = FieldChecks()
    start = checks.run(_day, starts_on, starts_field, _l("Van"))
    end = checks.run(_day, ends_on, ends_field, _l("Tot en met"))
    if start and start < today:
        checks.errors[starts_field] = str(_l("De periode kan niet in het verleden beginnen."))
    if start and end and end < start:
        checks.errors[ends_field] = str(_l("De einddatum ligt vóór de begindatum."))
    elif start and end and (end - start).days + 1 > MAX_DAYS:
        checks.errors[ends_field] = str(_l("Een uitlening duurt hoogstens %(n)s dagen.",
                                           n=MAX_DAYS))
    checks.done()
    return start, end


def lendable(session: Session, object_id) -> LendableObject:
    obj = session.get(LendableObject, object_id) if isinstance(object_id, int) else None
    if obj is None:
        raise InvalidInput(_l("Dit object bestaat niet (meer)."))
    if not obj.available:
        raise InvalidInput(_l("%(name)s is op dit moment niet te leen.", name=obj.name))
    return obj


def _today(session: Session, obj: LendableObject) -> date:
    return local_today(reminders.zone_of(session.get(Organiser, obj.organiser_id)))


def check_request(session: Session, obj: LendableObject, data: dict) -> RequestForm:
    checks = FieldChecks()
    name, email, municipality = people.contact_fields(checks, session, data)
    place = checks.run(base.text, data.get("place"), "place", _l("Plaats en adres van de "
                                                                  "overdracht"), max_length=300)
    try:
        start, end = check_period(data.get("starts_on"), data.get("ends_on"), _today(session, obj))
    except InvalidInput as exc:
        checks.errors.update(exc.errors)
        start = end = None
    checks.done()
    language = data.get("language") if data.get("language") in list(Language) else Language.NL
    return RequestForm(obj.id, name, email, municipality, start, end, place, language)


@service
def request_loan(session: Session, object_id, data: dict) -> RequestForm:
    """Check the form and mail a confirmation link; nothing is kept until it is followed."""
    obj = lendable(session, object_id)
    form = check_request(session, obj, data)
    token = signin.make_token(current_app.config["SECRET_KEY"], signin.LOAN, form.payload())
    link = current_app.config["SETTINGS"].base_url + "/uitlenen/bevestigen?t=" + token
    mails.confirm_link(session, form, obj, link, signin.MAX_AGE[signin.LOAN])
    return form


@service
def confirm_request(session: Session, token: str):
    """Follow the confirmation link: the request joins the object's queue (once)."""
    payload = signin.read_token(current_app.config["SECRET_KEY"], signin.LOAN, token)
    obj = lendable(session, payload.get("o"))
    signin.consume(session, signin.LOAN, payload)
    start, end = date.fromisoformat(payload["s"]), date.fromisoformat(payload["u"])
    check_period(payload["s"], payload["u"], _today(session, obj))
    organisation = people.municipality(session, payload["m"])
    person = people.find_participant(session, payload["e"])
    if person is None:
        person = people.create_participant.__wrapped__(
            session, name=payload["n"], email=payload["e"], organisation_id=organisation.id,
            language=payload["l"])
    loan = Loan(object_id=obj.id, organisation_id=organisation.id, participant_id=person.id,
                starts_on=start, ends_on=end, place=payload["p"])
    session.add(loan)
    session.flush()
    events.record(session, LoanRequested(loan_id=loan.id, object_id=obj.id,
                                         organiser_id=obj.organiser_id))
    return person, loan


# --- the coordinator's decision -------------------------------------------------------------------


def _decided(session: Session, loan: Loan, status: str) -> None:
    loan.status, loan.decided_at, loan.updated_at = status, utcnow(), utcnow()
    loan.sequence += 1
    session.add(loan)


def _approve(session: Session, loan: Loan) -> Loan:
    """Approve in the caller's transaction: the database refuses an overlap (the message);
    then the confirmation with its invitation, and the reminders planned."""
    obj = session.get(LendableObject, loan.object_id)
    _decided(session, loan, LoanStatus.APPROVED)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise InvalidInput(overlap_message(obj)) from exc
    organiser = session.get(Organiser, obj.organiser_id)
    reminders.plan(session, loan, organiser, utcnow())
    mails.decision(session, loan, "approved")
    events.record(session, LoanDecided(loan_id=loan.id, object_id=obj.id,
                                       organiser_id=obj.organiser_id, status=loan.status))
    return loan


def _waiting(loan: Loan) -> None:
    if loan.status not in WAITING:
        raise InvalidInput(_l("Over deze aanvraag is al besloten."))


@service
def approve(session: Session, loan: Loan) -> Loan:
    if loan.status != LoanStatus.REQUESTED:
        raise InvalidInput(_l("Alleen een aanvraag die wacht kan worden goedgekeurd."))
    return _approve(session, loan)


@service
def propose(session: Session, loan: Loan, data: dict) -> Loan:
    """Propose another period; the municipality accepts it by the link in the mail."""
    _waiting(loan)
    obj = session.get(LendableObject, loan.object_id)
    start, end = check_period(data.get("proposed_starts_on"), data.get("proposed_ends_on"),
                              _today(session, obj), starts_field="proposed_starts_on",
                              ends_field="proposed_ends_on")
    loan.proposed_starts_on, loan.proposed_ends_on = start, end
    _decided(session, loan, LoanStatus.PROPOSED)
    session.flush()
    token = signin.make_token(current_app.config["SECRET_KEY"], signin.LOAN_PROPOSAL,
                              {"loan": loan.id, "seq": loan.sequence})
    link = current_app.config["SETTINGS"].base_url + "/uitlenen/voorstel?t=" + token
    mails.decision(session, loan, "proposed", link=link,
                   days=signin.MAX_AGE[signin.LOAN_PROPOSAL].days)
    events.record(session, LoanDecided(loan_id=loan.id, object_id=obj.id,
                                       organiser_id=obj.organiser_id, status=loan.status))
    return loan


@service
def accept_proposal(session: Session, token: str):
    """The municipality accepts the proposed period: the loan is approved for it (unless it
    now overlaps an approved loan: refused with the message)."""
    payload = signin.read_token(current_app.config["SECRET_KEY"], signin.LOAN_PROPOSAL, token)
    loan = session.get(Loan, payload.get("loan"))
    if loan is None or loan.status != LoanStatus.PROPOSED or loan.sequence != payload.get("seq"):
        raise InvalidInput(_l("Dit voorstel geldt niet meer. Neem contact op met de "
                              "coördinator."))
    signin.consume(session, signin.LOAN_PROPOSAL, payload)
    loan.starts_on, loan.ends_on = loan.proposed_starts_on, loan.proposed_ends_on
    loan.proposed_starts_on = loan.proposed_ends_on = None
    _approve(session, loan)
    return loan


def _reason(data: dict) -> str:
    return base.text(data.get("reason"), "reason", _l("Reden"), max_length=500, multiline=True)


@service
def decline(session: Session, loan: Loan, data: dict) -> Loan:
    _waiting(loan)
    loan.reason = _reason(data)
    _decided(session, loan, LoanStatus.DECLINED)
    session.flush()
    mails.decision(session, loan, "declined")
    obj = session.get(LendableObject, loan.object_id)
    events.record(session, LoanDecided(loan_id=loan.id, object_id=obj.id,
                                       organiser_id=obj.organiser_id, status=loan.status))
    return loan


@service
def cancel(session: Session, loan: Loan, data: dict) -> Loan:
    """Cancel an approved loan: a cancellation (iMIP CANCEL) to the contact, reminders off."""
    if loan.status != LoanStatus.APPROVED:
        raise InvalidInput(_l("Alleen een goedgekeurde uitlening kan worden geannuleerd."))
    loan.reason = _reason(data)
    _decided(session, loan, LoanStatus.CANCELLED)
    session.flush()
    obj = session.get(LendableObject, loan.object_id)
    reminders.plan(session, loan, session.get(Organiser, obj.organiser_id), utcnow())
    mails.decision(session, loan, "cancel")
    events.record(session, LoanDecided(loan_id=loan.id, object_id=obj.id,
                                       organiser_id=obj.organiser_id, status=loan.status))
    return loan

