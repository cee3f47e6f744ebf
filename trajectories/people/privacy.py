"""A participant's own data (AVG/GDPR): export everything as JSON, or erase the account.

Erasing anonymises instead of deleting the participant row, so an edition's numbers (how many
municipalities took part) stay right: name and address become unrecognisable, active
enrollments are withdrawn (a waiting-list place moves up), attendance and extensions go, and
submissions go too — except those delivered on behalf of the organisation (`delivered_by =
organisation`), which an edition's publication needs; those stay, no longer linked to a person.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Track
from trajectories.core import events
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service
from trajectories.feeds.models import FeedPreference
from trajectories.interest.models import RETENTION_DAYS, InterestEntry
from trajectories.interest.services import remove_entry
from trajectories.lending.models import LendableObject, Loan
from trajectories.mail.models import MailPreference, MailStatus, OutboxMessage
from trajectories.mail.preferences import mail_preferences
from trajectories.menukaart.models import Example
from trajectories.menukaart.services import forget_contact
from trajectories.people import services as people
from trajectories.people.events import ParticipantChanged
from trajectories.people.models import (
    ACTIVE,
    Attendance,
    Enrollment,
    Organisation,
    Participant,
    Submission,
)
from trajectories.people.registration import ERASED_DOMAIN, is_erased
from trajectories.schedule.models import Deadline, DeadlineExtension, DeliveredBy, Meeting

ERASED_NAME = "Verwijderde deelnemer"


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def export(session: Session, participant: Participant) -> dict:
    """Everything stored about this participant, as plain JSON-ready values."""
    organisation = session.get(Organisation, participant.organisation_id) \
        if participant.organisation_id else None
    enrollments = list(session.exec(select(Enrollment, Edition, Track)
                                    .join(Edition, Edition.id == Enrollment.edition_id)
                                    .join(Track, Track.id == Edition.track_id)
                                    .where(Enrollment.participant_id == participant.id)))
    submissions = list(session.exec(select(Submission, Deadline)
                                    .join(Deadline, Deadline.id == Submission.deadline_id)
                                    .where(Submission.participant_id == participant.id)))
    attendance = list(session.exec(select(Attendance, Meeting)
                                   .join(Meeting, Meeting.id == Attendance.meeting_id)
                                   .where(Attendance.participant_id == participant.id)))
    extensions = list(session.exec(select(DeadlineExtension, Deadline)
                                   .join(Deadline, Deadline.id == DeadlineExtension.deadline_id)
                                   .where(DeadlineExtension.participant_id == participant.id)))
    data = {
        "exported_at": _iso(utcnow()),
        "participant": {
            "name": participant.name, "email": participant.email, "role": participant.role,
            "language": participant.language, "created_at": _iso(participant.created_at),
            "has_personal_feed": participant.feed_token_hash is not None,
        },
        "organisation": None if organisation is None else {
            "name": organisation.name, "kind": organisation.kind, "country": organisation.country,
            "code": organisation.code, "province": organisation.province},
        "enrollments": [{"track": t.title, "edition": c.name, "status": e.status,
                         "created_at": _iso(e.created_at), "updated_at": _iso(e.updated_at)}
                        for e, c, t in enrollments],
        "submissions": [{"deadline": d.title, "text": s.text, "file_name": s.file_name,
                         "submitted_at": _iso(s.submitted_at), "late": s.late}
                        for s, d in submissions],
        "attendance": [{"session": m.title, "date": m.on_date.isoformat(), "present": a.present}
                       for a, m in attendance],
        "deadline_extensions": [{"deadline": d.title, "due_date": x.due_date.isoformat()}
                                for x, d in extensions],
    }
    data["mail_preferences"] = mail_preferences(session, participant)
    data["interest_lists"] = [
        {"track": t.title, "since": _iso(e.created_at),
         "municipality": o.name if o else None}
        for e, t, o in session.exec(
            select(InterestEntry, Track, Organisation)
            .join(Track, Track.id == InterestEntry.track_id)
            .join(Organisation, Organisation.id == InterestEntry.organisation_id, isouter=True)
            .where(InterestEntry.participant_id == participant.id))]
    data["loans"] = [
        {"object": obj.name, "municipality": o.name, "from": loan.starts_on.isoformat(),
         "to": loan.ends_on.isoformat(), "place": loan.place, "status": loan.status,
         "requested_at": _iso(loan.requested_at)}
        for loan, obj, o in session.exec(
            select(Loan, LendableObject, Organisation)
            .join(LendableObject, LendableObject.id == Loan.object_id)
            .join(Organisation, Organisation.id == Loan.organisation_id)
            .where(Loan.participant_id == participant.id).order_by(Loan.starts_on))]
    data["menukaart_contact"] = [
        {"example": example.title, "contact_name": example.contact_name,
         "shown_publicly": example.contact_consent}
        for example in session.exec(select(Example).where(
            Example.contact_email == participant.email))]
    return data


@service
def erase(session: Session, participant: Participant) -> list[str]:
    """Anonymise the participant (see the module's docstring). Returns the paths (below the var
    directory) of uploaded files that are no longer needed, to delete after the commit."""
    if is_erased(participant):
        raise InvalidInput(_l("Dit account is al gewist."))
    for enrollment in session.exec(select(Enrollment).where(
            Enrollment.participant_id == participant.id,
            Enrollment.status.in_(ACTIVE))).all():
        people.withdraw.__wrapped__(session, enrollment)
    files = []
    for submission, deadline in session.exec(
            select(Submission, Deadline).join(Deadline, Deadline.id == Submission.deadline_id)
            .where(Submission.participant_id == participant.id)).all():
        if deadline.delivered_by == DeliveredBy.ORGANISATION:
            continue  # kept for the publication; the person behind it is erased below
        if submission.file_path:
            files.append(submission.file_path)
        session.delete(submission)
    for entry in session.exec(select(InterestEntry).where(
            InterestEntry.participant_id == participant.id)).all():
        remove_entry(session, entry, reason="erased")
    for model in (Attendance, DeadlineExtension, FeedPreference):
        for row in session.exec(select(model).where(model.participant_id == participant.id)):
            session.delete(row)
    _erase_mail(session, participant)
    forget_contact(session, participant.email)
    participant.name = ERASED_NAME
    participant.email = f"deelnemer-{participant.id}@{ERASED_DOMAIN}"
    participant.role = ""
    participant.feed_token_hash = None
    session.add(participant)
    session.flush()
    events.record(session, ParticipantChanged(participant_id=participant.id))
    return files


def _erase_mail(session: Session, participant: Participant) -> None:
    """Preferences go; mails not yet sent are dropped; sent ones keep only that they were sent."""
    for row in session.exec(select(MailPreference).where(
            MailPreference.participant_id == participant.id)):
        session.delete(row)
    for message in session.exec(select(OutboxMessage).where(or_(
            OutboxMessage.participant_id == participant.id,
            OutboxMessage.to == participant.email))):
        if message.status in (MailStatus.QUEUED, MailStatus.HELD):
            message.status, message.last_error = MailStatus.FAILED, "erased"
        message.to = f"deelnemer-{participant.id}@{ERASED_DOMAIN}"
        message.subject, message.text, message.html, message.calendar = "-", "", "", None
        message.body_id, message.to_name = None, ""
        session.add(message)


@service
def expire_interest(session: Session, now: datetime | None = None) -> int:
    """Delete interest-list entries kept two years (RETENTION_DAYS) without an edition of their
    track opening registration since; a person who was kept for the list alone (no enrollment,
    no other list) is erased as well. Returns how many entries went."""
    now = now or utcnow()
    limit = now - timedelta(days=RETENTION_DAYS)
    last_opening = dict(session.exec(
        select(Edition.track_id, func.max(Edition.registration_opens_at))
        .where(Edition.draft.is_(False), Edition.registration_opens_at.is_not(None))
        .group_by(Edition.track_id)).all())
    expired = [entry for entry in session.exec(
        select(InterestEntry).where(InterestEntry.created_at < limit))
        if (last_opening.get(entry.track_id) or entry.created_at) < limit]
    alone = set()
    for entry in expired:
        remove_entry(session, entry, reason="expired")
        alone.add(entry.participant_id)
    for participant_id in alone:
        participant = session.get(Participant, participant_id)
        if is_erased(participant) or session.exec(select(InterestEntry.id).where(
                InterestEntry.participant_id == participant_id)).first() or session.exec(
                select(Enrollment.id).where(Enrollment.participant_id == participant_id)).first():
            continue
        erase.__wrapped__(session, participant)
    return len(expired)
