"""Completion's reads: the decisions of an edition, a certificate by its code, a participant's
certificates, attendance across an edition's sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.completion.models import Certificate, CompletionDecision
from trajectories.completion.rules import attended_counts, held_meeting_ids
from trajectories.people.models import (
    TAKING_PART,
    Attendance,
    Enrollment,
    Organisation,
    Participant,
)
from trajectories.people.registration import is_erased
from trajectories.schedule.models import Meeting, MeetingStatus


@dataclass(frozen=True)
class CertificateView:
    """What a certificate (and its verification page) shows."""

    certificate: Certificate
    participant: Participant
    organisation: str
    edition: Edition
    track: Track
    organiser: Organiser
    first_day: date | None
    last_day: date | None
    attended: int
    sessions: int


def _period(session: Session, edition_id: int) -> tuple[date | None, date | None]:
    days = list(session.exec(select(Meeting.on_date).where(
        Meeting.edition_id == edition_id, Meeting.status == MeetingStatus.SCHEDULED)))
    return (min(days), max(days)) if days else (None, None)


def certificate_view(session: Session, certificate: Certificate) -> CertificateView:
    participant = session.get(Participant, certificate.participant_id)
    organisation = session.get(Organisation, participant.organisation_id) \
        if participant.organisation_id else None
    edition = session.get(Edition, certificate.edition_id)
    track = session.get(Track, edition.track_id)
    meeting_ids = held_meeting_ids(session, edition.id)
    attended = attended_counts(session, meeting_ids).get(participant.id, 0)
    return CertificateView(certificate, participant, organisation.name if organisation else "",
                           edition, track, session.get(Organiser, track.organiser_id),
                           *_period(session, edition.id), attended, len(meeting_ids))


def valid_certificate(session: Session, code: str) -> CertificateView | None:
    """The certificate with this code, if it exists, is not revoked, and its holder still
    completed the edition and was not erased; else None (the page denies it)."""
    if not code or len(code) > 40:
        return None
    certificate = session.exec(select(Certificate).where(Certificate.code == code)).first()
    if certificate is None or certificate.revoked_at is not None:
        return None
    participant = session.get(Participant, certificate.participant_id)
    enrollment = session.get(Enrollment, certificate.enrollment_id)
    if participant is None or is_erased(participant) or enrollment is None \
            or enrollment.status != "completed":
        return None
    return certificate_view(session, certificate)


def certificates_of(session: Session, participant_id: int) -> list[tuple[Certificate, Edition,
                                                                          Track]]:
    """A participant's valid certificates, newest first (for /mijn)."""
    return list(session.exec(
        select(Certificate, Edition, Track)
        .join(Edition, Edition.id == Certificate.edition_id)
        .join(Track, Track.id == Edition.track_id)
        .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
        .where(Certificate.participant_id == participant_id, Certificate.revoked_at.is_(None),
               Enrollment.status == "completed")
        .order_by(Certificate.issued_at.desc())))


@dataclass(frozen=True)
class PersonRow:
    enrollment: Enrollment
    participant: Participant
    organisation: str
    attended: int
    decision: CompletionDecision | None
    certificate: Certificate | None


def completion_rows(session: Session, edition_id: int) -> list[PersonRow]:
    """Everyone taking part, with sessions attended, the decision and the certificate."""
    rows = list(session.exec(
        select(Enrollment, Participant, Organisation.name)
        .join(Participant, Participant.id == Enrollment.participant_id)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .where(Enrollment.edition_id == edition_id, Enrollment.status.in_(TAKING_PART))
        .order_by(Participant.name, Participant.id)))
    attended = attended_counts(session, held_meeting_ids(session, edition_id))
    decisions = {d.enrollment_id: d for d in session.exec(select(CompletionDecision).where(
        CompletionDecision.edition_id == edition_id))}
    certificates = {c.enrollment_id: c for c in session.exec(select(Certificate).where(
        Certificate.edition_id == edition_id))}
    return [PersonRow(e, p, org or "", attended.get(p.id, 0), decisions.get(e.id),
                      certificates.get(e.id)) for e, p, org in rows]


@dataclass(frozen=True)
class SessionRow:
    meeting: Meeting
    present: int
    recorded: int


def attendance_by_session(session: Session, edition_id: int) -> list[SessionRow]:
    """Each held session of the edition with how many were present (and recorded at all)."""
    meetings = list(session.exec(select(Meeting).where(
        Meeting.edition_id == edition_id, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.on_date, Meeting.starts_at, Meeting.id)))
    present: dict[int, int] = {}
    recorded: dict[int, int] = {}
    if meetings:
        for row in session.exec(select(Attendance).where(
                Attendance.meeting_id.in_([m.id for m in meetings]))):
            recorded[row.meeting_id] = recorded.get(row.meeting_id, 0) + 1
            present[row.meeting_id] = present.get(row.meeting_id, 0) + int(row.present)
    return [SessionRow(m, present.get(m.id, 0), recorded.get(m.id, 0)) for m in meetings]


def present_ids(session: Session, meeting_id: int) -> set[int]:
    return set(session.exec(select(Attendance.participant_id).where(
        Attendance.meeting_id == meeting_id, Attendance.present)))


def sign_in_rows(session: Session, edition_id: int) -> list[tuple[str, list[Participant]]]:
    """Everyone taking part, grouped by organisation (municipality) name, for the sign-in list."""
    groups: dict[str, list[Participant]] = {}
    for participant, organisation in session.exec(
            select(Participant, Organisation.name)
            .join(Enrollment, Enrollment.participant_id == Participant.id)
            .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
            .where(Enrollment.edition_id == edition_id, Enrollment.status.in_(TAKING_PART))
            .order_by(Participant.name)):
        groups.setdefault(organisation or "", []).append(participant)
    return sorted(groups.items(), key=lambda item: (item[0] == "", item[0].lower()))
