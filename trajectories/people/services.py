"""Organisations, participants, enrollments, submissions and attendance."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Eligibility
from trajectories.core import events, reference
from trajectories.core import service as base
from trajectories.core.clock import to_local, utcnow
from trajectories.core.errors import FieldChecks, InvalidInput
from trajectories.core.models import Country, Language
from trajectories.core.service import service
from trajectories.people import places
from trajectories.people.events import (
    AttendanceRecorded,
    EnrollmentAdmitted,
    EnrollmentApplied,
    EnrollmentWaitlisted,
    EnrollmentWithdrawn,
    ParticipantChanged,
    SubmissionReceived,
)
from trajectories.people.models import (
    ENROLLED,
    TAKING_PART,
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Organisation,
    OrganisationKind,
    Participant,
    Submission,
)
from trajectories.schedule.models import Deadline, DeadlineExtension, Meeting


@service
def create_organisation(session: Session, *, name: str, kind: str, country: str,
                        code: str | None = None, province: str = "") -> Organisation:
    organisation = Organisation(
        name=base.text(name, "name", _l("Naam"), max_length=200),
        kind=base.choice(kind, list(OrganisationKind), "kind", _l("soort organisatie")),
        country=base.choice(country, list(Country), "country", _l("land")),
        code=(code or "").strip().upper() or None,
        province=base.text(province, "province", _l("Provincie"), required=False, max_length=100),
    )
    if organisation.code and session.exec(
            select(Organisation).where(Organisation.code == organisation.code)).first():
        raise InvalidInput(_l("Er bestaat al een organisatie met code %(code)s.",
                              code=organisation.code), "code")
    known = reference.find(session, organisation.code) if organisation.code else None
    if known is not None and organisation.kind == OrganisationKind.MUNICIPALITY:
        organisation.province = known.province  # a municipality's province is the reference's
    session.add(organisation)
    session.flush()
    return organisation


def municipality(session: Session, code: str, *, former: bool = False) -> Organisation:
    """The organisation of the municipality with this CBS/NIS code, added on first use from the
    current reference (after a merger: the new municipality; `former`: a merged one too, for
    history such as an example of years ago). Part of the caller's service (registration, the
    interest list, an import, the Menukaart); an unknown code is refused."""
    code = code.strip().upper()
    found = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if found is not None:
        return found
    known = reference.find(session, code) if former else \
        reference.current_by_code(session).get(code)
    if known is None:
        raise InvalidInput(_l("Onbekende organisatiecode %(code)s.", code=code), "organisatiecode")
    return create_organisation.__wrapped__(
        session, name=known.name, kind=OrganisationKind.MUNICIPALITY, country=known.country,
        code=known.code, province=known.province)


def contact_fields(checks: FieldChecks, session: Session, data: dict) -> tuple[str, str, str]:
    """Name, e-mail address and municipality (a code of the current reference) of a public form
    that needs no account (the interest list, a loan request), each refusal kept in `checks`."""
    name = checks.run(base.text, data.get("name"), "name", _l("Naam"), max_length=200)
    email = checks.run(base.email, data.get("email"))
    municipality = (data.get("municipality") or "").strip()
    if municipality not in reference.current_by_code(session):
        checks.errors["municipality"] = str(_l("Kies je gemeente uit de lijst."))
    return name, email, municipality


def _participant_fields(data: dict) -> dict:
    return {
        "name": base.text(data.get("name"), "name", _l("Naam"), max_length=200),
        "email": base.email(data.get("email")),
        "role": base.text(data.get("role"), "role", _l("Functie"), required=False, max_length=200),
        "organisation_id": data.get("organisation_id"),
        "language": base.choice(data.get("language") or Language.NL, list(Language), "language",
                                _l("taal")),
    }


def find_participant(session: Session, email: str) -> Participant | None:
    return session.exec(select(Participant).where(
        Participant.email == (email or "").strip().lower())).first()


@service
def create_participant(session: Session, **data) -> Participant:
    fields = _participant_fields(data)
    if find_participant(session, fields["email"]):
        raise InvalidInput(_l("Er is al een deelnemer met dit e-mailadres."), "email")
    if fields["organisation_id"] is not None and not session.get(Organisation,
                                                                 fields["organisation_id"]):
        raise InvalidInput(_l("Kies een bestaande organisatie."), "organisation_id")
    participant = Participant(**fields)
    session.add(participant)
    session.flush()
    return participant


@service
def update_participant(session: Session, participant: Participant, **data) -> Participant:
    fields = _participant_fields({**participant.model_dump(), **data})
    other = find_participant(session, fields["email"])
    if other is not None and other.id != participant.id:
        raise InvalidInput(_l("Er is al een deelnemer met dit e-mailadres."), "email")
    for key, value in fields.items():
        setattr(participant, key, value)
    session.add(participant)
    session.flush()
    events.record(session, ParticipantChanged(participant_id=participant.id))
    return participant


def admitted_count(session: Session, edition_id: int) -> int:
    return session.exec(select(func.count()).select_from(Enrollment).where(
        Enrollment.edition_id == edition_id, Enrollment.status == EnrollmentStatus.ADMITTED)).one()


def _check_eligible(session: Session, edition: Edition, participant: Participant) -> None:
    if edition.eligibility == Eligibility.ANYONE:
        return
    organisation = session.get(Organisation, participant.organisation_id) \
        if participant.organisation_id else None
    kind = organisation.kind if organisation else None
    if edition.eligibility == Eligibility.MUNICIPALITIES and kind != OrganisationKind.MUNICIPALITY:
        raise InvalidInput(_l("Deze editie is alleen voor gemeenten."), "organisation_id")
    if edition.eligibility == Eligibility.PUBLIC_BODIES and kind not in (
            OrganisationKind.MUNICIPALITY, OrganisationKind.PROVINCE):
        raise InvalidInput(_l("Deze editie is alleen voor gemeenten en provincies."),
                           "organisation_id")


def _set_status(session: Session, enrollment: Enrollment, status: EnrollmentStatus) -> None:
    enrollment.status = status
    enrollment.updated_at = utcnow()
    session.add(enrollment)
    session.flush()
    event_type = {
        EnrollmentStatus.APPLIED: EnrollmentApplied,
        EnrollmentStatus.ADMITTED: EnrollmentAdmitted,
        EnrollmentStatus.WAITLISTED: EnrollmentWaitlisted,
        EnrollmentStatus.WITHDRAWN: EnrollmentWithdrawn,
    }.get(status)
    if event_type:
        events.record(session, event_type(enrollment_id=enrollment.id,
                                          edition_id=enrollment.edition_id,
                                          participant_id=enrollment.participant_id))


@service
def enroll(session: Session, edition: Edition, participant: Participant) -> Enrollment:
    """Enroll a participant: admitted while places last, else waitlisted; applied (awaiting a
    coordinator) when the edition requires approval. With places per organisation a colleague of
    an admitted municipality joins its team (`places.placement`). Enrolling again returns the
    same enrollment; a withdrawn participant is enrolled anew, unless their organisation has the
    edition's maximum of people."""
    edition = base.lock(session, Edition, edition.id)
    _check_eligible(session, edition, participant)
    enrollment = session.exec(select(Enrollment).where(
        Enrollment.edition_id == edition.id, Enrollment.participant_id == participant.id)).first()
    if enrollment is not None and enrollment.status in ENROLLED:
        return enrollment
    places.check_team_room(session, edition, participant)
    if enrollment is None:
        enrollment = Enrollment(edition_id=edition.id, participant_id=participant.id)
    status = EnrollmentStatus.APPLIED if edition.requires_approval \
        else places.placement(session, edition, participant)
    _set_status(session, enrollment, status)
    return enrollment


@service
def admit(session: Session, enrollment: Enrollment) -> Enrollment:
    edition = base.lock(session, Edition, enrollment.edition_id)
    if enrollment.status == EnrollmentStatus.ADMITTED:
        return enrollment
    if enrollment.status not in (EnrollmentStatus.APPLIED, EnrollmentStatus.WAITLISTED):
        raise InvalidInput(_l("Alleen aanmeldingen en de wachtlijst kunnen worden toegelaten."))
    participant = session.get(Participant, enrollment.participant_id)
    if places.needs_place(session, edition, participant) and not places.has_place(session,
                                                                                  edition):
        raise InvalidInput(places.full_message(edition))
    places.check_team_room(session, edition, participant, (EnrollmentStatus.ADMITTED,))
    _set_status(session, enrollment, EnrollmentStatus.ADMITTED)
    for colleague in places.waiting_colleagues(session, edition, participant):
        _set_status(session, colleague, EnrollmentStatus.ADMITTED)  # a municipality moves up whole
    return enrollment


@service
def waitlist(session: Session, enrollment: Enrollment) -> Enrollment:
    if enrollment.status == EnrollmentStatus.WAITLISTED:
        return enrollment
    if enrollment.status not in (EnrollmentStatus.APPLIED, EnrollmentStatus.ADMITTED):
        raise InvalidInput(_l("Deze inschrijving kan niet op de wachtlijst."))
    _set_status(session, enrollment, EnrollmentStatus.WAITLISTED)
    return enrollment


@service
def withdraw(session: Session, enrollment: Enrollment) -> Enrollment:
    """Withdraw; when this frees a place in an edition without approval step, the first on
    the waiting list is admitted (with places per organisation: everyone waiting of the first
    waiting municipality, together). A colleague who leaves an admitted team frees no place."""
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        raise InvalidInput(_l("Deze inschrijving is al ingetrokken."))
    edition = base.lock(session, Edition, enrollment.edition_id)
    freed = enrollment.status == EnrollmentStatus.ADMITTED
    _set_status(session, enrollment, EnrollmentStatus.WITHDRAWN)
    if freed and not edition.requires_approval and places.has_place(session, edition):
        for row in places.next_up(session, edition):
            _set_status(session, row, EnrollmentStatus.ADMITTED)
    return enrollment


def deadline_passed(deadline: Deadline, extended_to, edition: Edition, now=None) -> bool:
    """Whether the (possibly extended) deadline is over: after `due_at` when it has a time,
    else after the end of the due date in the edition's zone."""
    now = now or utcnow()
    if deadline.due_at is not None and extended_to in (None, deadline.due_date):
        return now > deadline.due_at
    return to_local(now, edition.timezone).date() > (extended_to or deadline.due_date)


def due_date_for(session: Session, deadline: Deadline, participant_id: int):
    extension = session.get(DeadlineExtension, (deadline.id, participant_id))
    return extension.due_date if extension else deadline.due_date


@service
def submit(session: Session, deadline: Deadline, participant: Participant, *, text: str = "",
           file_path: str = "", file_name: str = "") -> Submission:
    """Deliver (or deliver again) for a deadline; after the due date it is marked late."""
    text = base.text(text, "text", _l("Tekst"), required=False, max_length=100_000,
                     multiline=True)
    if not text and not file_path:
        raise InvalidInput(_l("Voeg een tekst of een bestand toe."), "text")
    enrolled = session.exec(select(Enrollment).where(
        Enrollment.edition_id == deadline.edition_id, Enrollment.participant_id == participant.id,
        Enrollment.status.in_(TAKING_PART))).first()
    if not enrolled:
        raise InvalidInput(_l("Alleen toegelaten deelnemers kunnen iets inleveren."))
    edition = session.get(Edition, deadline.edition_id)
    now = utcnow()
    extension = session.get(DeadlineExtension, (deadline.id, participant.id))
    late = deadline_passed(deadline, extension.due_date if extension else None, edition, now)
    submission = session.exec(select(Submission).where(
        Submission.deadline_id == deadline.id, Submission.participant_id == participant.id)).first()
    if submission is not None and late:
        # Resubmitting is for before the deadline; afterwards the delivered version stays.
        raise InvalidInput(_l("De deadline is verstreken: uw eerdere inzending blijft staan en "
                              "kan niet meer worden vervangen."), "text")
    if submission is None:
        submission = Submission(deadline_id=deadline.id, participant_id=participant.id)
    submission.text, submission.file_path, submission.file_name = text, file_path, file_name
    submission.submitted_at, submission.late = now, late
    session.add(submission)
    session.flush()
    events.record(session, SubmissionReceived(
        submission_id=submission.id, deadline_id=deadline.id, edition_id=deadline.edition_id,
        participant_id=participant.id))
    return submission


@service
def record_attendance(session: Session, meeting: Meeting, present: dict[int, bool]) -> None:
    """Record who was there: {participant_id: present}."""
    admitted = set(session.exec(select(Enrollment.participant_id).where(
        Enrollment.edition_id == meeting.edition_id,
        Enrollment.status.in_(TAKING_PART))))
    unknown = set(present) - admitted
    if unknown:
        raise InvalidInput(_l("Aanwezigheid kan alleen voor toegelaten deelnemers."))
    existing = {a.participant_id: a for a in session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting.id))}
    for participant_id, was_there in present.items():
        row = existing.get(participant_id) or Attendance(meeting_id=meeting.id,
                                                         participant_id=participant_id,
                                                         present=bool(was_there))
        row.present, row.recorded_at = bool(was_there), utcnow()
        session.add(row)
    session.flush()
    events.record(session, AttendanceRecorded(meeting_id=meeting.id,
                                              edition_id=meeting.edition_id))
