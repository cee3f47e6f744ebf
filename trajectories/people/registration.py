"""Registration without an account: double opt-in, then enrollment; and sign-in links.

`request_registration` checks the form and mails a signed confirmation link; nothing is stored
until the link is followed (the link itself carries the registration). `confirm_registration`
then creates the organisation and participant when new, enrolls (admitted, waitlisted or
awaiting approval, see `people.enroll`) and mails the outcome — all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.accounts import tokens as signin
from trajectories.catalogue.models import Edition, Eligibility, Track
from trajectories.catalogue.status import registration_open
from trajectories.core import service as base
from trajectories.core.errors import FieldChecks, InvalidInput
from trajectories.core.models import Language
from trajectories.core.reference import current_by_code
from trajectories.core.service import service
from trajectories.mail import public as public_mail
from trajectories.people import places
from trajectories.people import services as people
from trajectories.people.models import (
    Enrollment,
    EnrollmentStatus,
    Organisation,
    OrganisationKind,
    Participant,
)

#: What the privacy page promises.
RETENTION = SimpleNamespace(
    confirmation_hours=int(signin.MAX_AGE[signin.CONFIRM].total_seconds() // 3600),
    signin_minutes=int(signin.MAX_AGE[signin.SIGNIN].total_seconds() // 60),
)

OTHER = "other"
#: Kinds a registrant may choose for a body that is not on the municipality list.
OTHER_KINDS = (OrganisationKind.PROVINCE, OrganisationKind.OTHER)
#: Participants erased on request keep their row (enrollments count) under an address like this.
ERASED_DOMAIN = "verwijderd.invalid"


def is_erased(participant: Participant) -> bool:
    return participant.email.endswith("@" + ERASED_DOMAIN)


@dataclass(frozen=True)
class Form:
    """A registration as typed, checked."""

    name: str
    email: str
    role: str
    #: CBS/NIS code of a municipality, or "other".
    organisation: str
    other_name: str
    other_kind: str
    language: str

    def payload(self) -> dict:
        return {"n": self.name, "e": self.email, "r": self.role, "o": self.organisation,
                "on": self.other_name, "ok": self.other_kind, "l": self.language}

    @classmethod
    def from_payload(cls, data: dict) -> Form:
        return cls(data["n"], data["e"], data["r"], data["o"], data["on"], data["ok"], data["l"])

    @property
    def kind(self) -> str:
        return OrganisationKind.MUNICIPALITY if self.organisation != OTHER else self.other_kind


def _check_open(edition: Edition) -> None:
    if not registration_open(edition):
        raise InvalidInput(_l("De inschrijving voor deze editie is gesloten."))


def _check_eligible(edition: Edition, kind: str) -> None:
    if edition.eligibility == Eligibility.MUNICIPALITIES and kind != OrganisationKind.MUNICIPALITY:
        raise InvalidInput(_l("Deze editie is alleen voor gemeenten. Kies je gemeente uit de "
                              "lijst; andere organisaties kunnen niet deelnemen."), "organisation")
    if edition.eligibility == Eligibility.PUBLIC_BODIES and kind not in (
            OrganisationKind.MUNICIPALITY, OrganisationKind.PROVINCE):
        raise InvalidInput(_l("Deze editie is alleen voor gemeenten en provincies."),
                           "organisation")


def check_form(session: Session, edition: Edition, data: dict) -> Form:
    """The registration, checked field by field; InvalidInput names every field found wrong."""
    _check_open(edition)
    checks = FieldChecks()
    name = checks.run(base.text, data.get("name"), "name", _l("Naam"), max_length=200)
    email = checks.run(base.email, data.get("email"))
    role = checks.run(base.text, data.get("role"), "role", _l("Functie"), required=False,
                      max_length=200)
    organisation = (data.get("organisation") or "").strip()
    other_name, other_kind = "", ""
    if organisation == OTHER:
        other_name = checks.run(base.text, data.get("other_name"), "other_name",
                                _l("Naam van je organisatie"), max_length=200)
        other_kind = checks.run(base.choice, data.get("other_kind") or OrganisationKind.OTHER,
                                OTHER_KINDS, "other_kind", _l("soort organisatie"))
    elif organisation not in current_by_code(session):
        checks.errors["organisation"] = str(_l(
            "Kies je gemeente uit de lijst, of kies \"Andere organisatie\"."))
    if "organisation" not in checks.errors and "other_kind" not in checks.errors:
        kind = OrganisationKind.MUNICIPALITY if organisation != OTHER else other_kind
        checks.run(_check_eligible, edition, kind)
    checks.done()
    language = data.get("language") if data.get("language") in list(Language) else Language.NL
    return Form(name, email, role, organisation, other_name, other_kind, language)


def other_kinds(edition: Edition) -> tuple[str, ...]:
    """The kinds of non-municipal body this edition admits (none: the form offers no "other")."""
    if edition.eligibility == Eligibility.MUNICIPALITIES:
        return ()
    if edition.eligibility == Eligibility.PUBLIC_BODIES:
        return (OrganisationKind.PROVINCE,)
    return OTHER_KINDS


def _external(endpoint: str, **values) -> str:
    """An absolute link for a mail, on the configured public address."""
    return current_app.config["SETTINGS"].base_url + url_for(endpoint, **values)


@service
def request_registration(session: Session, edition: Edition, data: dict) -> Form:
    """Check the form and mail a fresh confirmation link. Registering again does the same:
    the same answer, a fresh link, and (on confirmation) still one enrollment."""
    form = check_form(session, edition, data)
    someone = places.candidate(session, form.organisation, form.email)
    if someone is not None:  # the municipality's maximum, said before any mail goes out
        places.check_team_room(session, edition, someone)
    token = signin.make_token(current_app.config["SECRET_KEY"], signin.CONFIRM,
                              {"c": edition.id, **form.payload()})
    track = session.get(Track, edition.track_id)
    public_mail.send(session, to=form.email, template="confirm", language=form.language,
                     dedupe_key=f"public_confirm:{token[-27:]}", edition_id=edition.id,
                     name=form.name, track=track, edition=edition,
                     link=_external("selfservice.confirm", t=token),
                     hours=RETENTION.confirmation_hours)
    return form


def _organisation_for(session: Session, form: Form) -> Organisation:
    if form.organisation != OTHER:
        return people.municipality(session, form.organisation)
    found = session.exec(select(Organisation).where(
        Organisation.code.is_(None), Organisation.name == form.other_name,
        Organisation.kind == form.other_kind)).first()
    # The country of another body is not asked; the edition's organiser's country is a good guess.
    return found or people.create_organisation.__wrapped__(
        session, name=form.other_name, kind=form.other_kind, country="NL")


OUTCOME_TEMPLATES = {
    EnrollmentStatus.ADMITTED: "admitted",
    EnrollmentStatus.WAITLISTED: "waitlisted",
    EnrollmentStatus.APPLIED: "applied",
    EnrollmentStatus.COMPLETED: "admitted",
}


@service
def confirm_registration(session: Session, token: str) -> Enrollment:
    """Follow a confirmation link: create what is new, enroll, mail the outcome; once only."""
    payload = signin.read_token(current_app.config["SECRET_KEY"], signin.CONFIRM, token)
    edition = session.get(Edition, payload.get("c"))
    if edition is None:
        raise InvalidInput(_l("Deze editie bestaat niet meer."))
    form = Form.from_payload(payload)
    _check_open(edition)
    _check_eligible(edition, form.kind)
    signin.consume(session, signin.CONFIRM, payload)
    participant = people.find_participant(session, form.email)
    if participant is None:
        organisation = _organisation_for(session, form)
        participant = people.create_participant.__wrapped__(
            session, name=form.name, email=form.email, role=form.role,
            organisation_id=organisation.id, language=form.language)
    elif participant.organisation_id is None:
        participant.organisation_id = _organisation_for(session, form).id
        session.add(participant)
    enrollment = people.enroll.__wrapped__(session, edition, participant)
    _mail_outcome(session, edition, participant, enrollment)
    return enrollment


def _mail_outcome(session: Session, edition: Edition, participant: Participant,
                  enrollment: Enrollment) -> None:
    track = session.get(Track, edition.track_id)
    place = None
    if enrollment.status == EnrollmentStatus.WAITLISTED:
        place = places.waiting_position(session, edition, enrollment)
    template = OUTCOME_TEMPLATES.get(enrollment.status, "admitted")
    link = signin_link(participant)
    # One outcome, one mail: the key names this change of the enrollment, so a second
    # confirmation (registered twice, even at the same moment) signs in like the first but does
    # not announce the same admission again; enrolling anew after a withdrawal mails again.
    public_mail.send(
        session, to=participant.email, template=template, language=participant.language,
        dedupe_key=f"public_{template}:{enrollment.id}:{enrollment.updated_at:%Y%m%dT%H%M%S.%f}",
        participant_id=participant.id, edition_id=edition.id,
        name=participant.name, track=track, edition=edition, place=place, link=link,
        team=places.joined_team(session, edition, participant),
        per_organisation=places.per_organisation(edition))


def signin_link(participant: Participant) -> str:
    token = signin.make_token(current_app.config["SECRET_KEY"], signin.SIGNIN,
                              {"p": participant.id, "e": participant.email})
    return _external("selfservice.signin", t=token)


@service
def request_signin(session: Session, email: str) -> None:
    """Mail a sign-in link to a known participant. Unknown addresses get no mail and the same
    answer, so the form does not reveal who takes part."""
    address = base.email(email)
    participant = people.find_participant(session, address)
    if participant is None or is_erased(participant):
        return
    link = signin_link(participant)
    public_mail.send(session, to=participant.email, template="signin",
                     language=participant.language,
                     dedupe_key=f"public_signin:{link[-27:]}", participant_id=participant.id,
                     name=participant.name, link=link, minutes=RETENTION.signin_minutes)


@service
def sign_in(session: Session, token: str) -> Participant:
    """Follow a sign-in link, once: the participant it was made for."""
    payload = signin.read_token(current_app.config["SECRET_KEY"], signin.SIGNIN, token)
    participant = session.get(Participant, payload.get("p"))
    if participant is None or is_erased(participant) or participant.email != payload.get("e"):
        raise InvalidInput(_l("Deze link is ongeldig."))
    signin.consume(session, signin.SIGNIN, payload)
    return participant
