"""Completion's writes: the rules of an edition, applying them (the scheduler's completion
moment), a coordinator's override of one person, revoking a certificate.

`apply_rules` runs inside the caller's transaction (the scheduler's job holds one for the
moment and its mails); the others are services of their own (`@service`: one transaction).
Whoever completes gets a certificate with an unguessable code and a mail saying so (kind
"certificate", which a participant can switch off); whoever no longer completes (an override,
or the rules applied again after a change) has their certificate revoked.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.completion.events import (
    CertificateRevoked,
    CompletionApplied,
    CompletionOverridden,
    CompletionRulesSaved,
)
from trajectories.completion.models import (
    Certificate,
    CompletionDecision,
    CompletionRules,
    MinimumUnit,
    rules_for,
)
from trajectories.completion.rules import Outcome, evaluate
from trajectories.core import events
from trajectories.core import service as check
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service
from trajectories.mail.models import MailKind
from trajectories.mail.outbox import queue_mail
from trajectories.mail.preferences import unsubscribe_url
from trajectories.mail.render import render_mail
from trajectories.people.models import TAKING_PART, Enrollment, EnrollmentStatus, Participant

#: A percentage above this is refused; a number of sessions above this too (no edition has more).
MAX_PERCENT = 100
MAX_SESSIONS = 200


def new_code() -> str:
    """96 random bits, URL-safe: short enough to type from paper, too many to guess."""
    return secrets.token_urlsafe(12)


def verification_url(settings, code: str) -> str:
    return f"{settings.base_url}/bewijs/{code}"


# --- the rules -------------------------------------------------------------------------------------


@service
def save_rules(session: Session, edition: Edition, *, minimum, unit: str,
               deadlines_required: bool) -> CompletionRules:
    if unit not in {u.value for u in MinimumUnit}:
        raise InvalidInput(_l("Kies sessies of procent."), "unit")
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
        raise InvalidInput(_l("Vul een heel getal in, 0 of meer."), "minimum")
    if unit == MinimumUnit.PERCENT and minimum > MAX_PERCENT:
        raise InvalidInput(_l("Een percentage is hoogstens 100."), "minimum")
    if unit == MinimumUnit.SESSIONS and minimum > MAX_SESSIONS:
        raise InvalidInput(_l("Hoogstens %(n)s sessies.", n=MAX_SESSIONS), "minimum")
    rules = session.get(CompletionRules, edition.id) or CompletionRules(edition_id=edition.id)
    rules.minimum, rules.unit = minimum, unit
    rules.deadlines_required = bool(deadlines_required)
    rules.updated_at = utcnow()
    session.add(rules)
    session.flush()
    events.record(session, CompletionRulesSaved(edition_id=edition.id, minimum=minimum,
                                                unit=str(unit),
                                                deadlines_required=rules.deadlines_required))
    return rules


# --- deciding ----------------------------------------------------------------------------------------


def _certificate_mail(session: Session, settings, certificate: Certificate,
                      participant: Participant, edition: Edition) -> int:
    track = session.get(Track, edition.track_id)
    subject, text, html = render_mail(
        "certificate", participant.language, participant=participant, edition=edition,
        track=track, organiser=session.get(Organiser, track.organiser_id),
        download_url=f"{settings.base_url}/mijn/bewijs/{certificate.id}.pdf",
        verify_url=verification_url(settings, certificate.code),
        unsubscribe_url=unsubscribe_url(settings, participant.id, MailKind.CERTIFICATE))
    return int(bool(queue_mail(
        session, to=participant.email, kind=MailKind.CERTIFICATE, subject=subject, text=text,
        html=html, dedupe_key=f"certificate:{certificate.id}:{certificate.code}",
        participant_id=participant.id, edition_id=edition.id, row=False)))


#: Why a certificate was revoked when its holder no longer completed (the rules applied again
#: after a change, or an override): such a one comes back when they complete again; one a
#: coordinator revoked comes back only by a coordinator's decision.
NO_LONGER_COMPLETED = "niet (meer) afgerond"


class _Rows:
    """The edition's decisions, certificates and enrollments, read once (a thousand
    participants are a handful of queries and one flush, not a few thousand)."""

    def __init__(self, session: Session, edition_id: int, enrollment_id: int | None = None):
        def where(model):
            query = select(model).where(model.edition_id == edition_id)
            return query if enrollment_id is None else query.where(
                model.enrollment_id == enrollment_id)
        self.decisions = {d.enrollment_id: d for d in session.exec(where(CompletionDecision))}
        self.certificates = {c.enrollment_id: c for c in session.exec(where(Certificate))}


def _issue(session: Session, rows: _Rows, enrollment: Enrollment, now: datetime, *,
           by_coordinator: bool) -> Certificate | None:
    """A new certificate for the enrollment (a revoked one gets a new code), to be mailed; None
    when it was valid already (mailed then) or stays revoked (a coordinator revoked it)."""
    certificate = rows.certificates.get(enrollment.id)
    if certificate is None:
        certificate = Certificate(code=new_code(), enrollment_id=enrollment.id,
                                  participant_id=enrollment.participant_id,
                                  edition_id=enrollment.edition_id, issued_at=now)
    elif certificate.revoked_at is None:
        return None  # valid already: its mail went when it was issued
    elif not by_coordinator and certificate.revoked_reason != NO_LONGER_COMPLETED:
        return None
    else:
        certificate.code, certificate.issued_at = new_code(), now
        certificate.revoked_at, certificate.revoked_reason = None, ""
    rows.certificates[enrollment.id] = certificate
    session.add(certificate)
    return certificate


def _revoke(session: Session, certificate: Certificate | None, reason: str, now) -> None:
    if certificate is None or certificate.revoked_at is not None:
        return
    certificate.revoked_at, certificate.revoked_reason = now, reason[:500]
    session.add(certificate)
    events.record(session, CertificateRevoked(
        edition_id=certificate.edition_id, certificate_id=certificate.id,
        participant_id=certificate.participant_id, reason=certificate.revoked_reason))


def _decide(session: Session, rows: _Rows, enrollment: Enrollment, outcome: Outcome,
            now: datetime, *, overridden: bool = False, reason: str = "") -> Certificate | None:
    """Write one decision: the enrollment's status, the decision row, the certificate (returned
    when the person completed: its mail goes after the flush)."""
    decision = rows.decisions.get(enrollment.id) or CompletionDecision(
        enrollment_id=enrollment.id, edition_id=enrollment.edition_id,
        completed=outcome.completed)
    decision.completed, decision.attended = outcome.completed, outcome.attended
    decision.sessions, decision.missing_deadlines = outcome.sessions, outcome.missing_deadlines
    decision.overridden, decision.reason, decision.decided_at = overridden, reason, now
    session.add(decision)
    enrollment.status = EnrollmentStatus.COMPLETED if outcome.completed else \
        EnrollmentStatus.ADMITTED
    enrollment.updated_at = now
    session.add(enrollment)
    if outcome.completed:
        return _issue(session, rows, enrollment, now, by_coordinator=overridden)
    _revoke(session, rows.certificates.get(enrollment.id), NO_LONGER_COMPLETED, now)
    return None


def _mail_certificates(session: Session, settings, edition: Edition, certificates) -> int:
    session.flush()  # the new certificates' ids, for their download links
    people = {p.id: p for p in session.exec(select(Participant).where(
        Participant.id.in_([c.participant_id for c in certificates])))} if certificates else {}
    return sum(_certificate_mail(session, settings, c, people[c.participant_id], edition)
               for c in certificates)


def apply_rules(session: Session, edition_id: int, settings, now: datetime | None = None) -> int:
    """Apply the edition's rules to everyone taking part, in the caller's transaction: each
    enrollment becomes COMPLETED or stays (becomes) ADMITTED; a coordinator's override stays as
    it is. Returns how many certificate mails it queued."""
    now = now or utcnow()
    edition = session.get(Edition, edition_id)
    if edition is None:
        return 0
    rows = _Rows(session, edition_id)
    enrollments = {e.id: e for e in session.exec(select(Enrollment).where(
        Enrollment.edition_id == edition_id, Enrollment.status.in_(TAKING_PART)))}
    issued, completed, not_completed = [], [], []
    for outcome in evaluate(session, edition_id, rules_for(session, edition_id)):
        decision = rows.decisions.get(outcome.enrollment_id)
        if decision is not None and decision.overridden:
            continue
        certificate = _decide(session, rows, enrollments[outcome.enrollment_id], outcome, now)
        if certificate is not None:
            issued.append(certificate)
        (completed if outcome.completed else not_completed).append(outcome.participant_id)
    events.record(session, CompletionApplied(edition_id=edition_id, completed=tuple(completed),
                                             not_completed=tuple(not_completed)))
    return _mail_certificates(session, settings, edition, issued)


@service
def override(session: Session, enrollment: Enrollment, settings, *, completed: bool,
             reason: str) -> CompletionDecision:
    """A coordinator decides for one person, with a reason; applying the rules later keeps it."""
    reason = check.text(reason, "reason", _l("De reden"), max_length=500)
    if enrollment.status not in TAKING_PART:
        raise InvalidInput(_l("Alleen een toegelaten deelnemer kan een editie afronden."))
    edition = session.get(Edition, enrollment.edition_id)
    found = {o.enrollment_id: o for o in evaluate(session, edition.id,
                                                  rules_for(session, edition.id))}
    measured = found[enrollment.id]
    outcome = Outcome(enrollment.id, enrollment.participant_id, measured.attended,
                      measured.sessions, measured.missing_deadlines, bool(completed))
    certificate = _decide(session, _Rows(session, edition.id, enrollment.id), enrollment,
                          outcome, utcnow(), overridden=True, reason=reason)
    _mail_certificates(session, settings, edition, [certificate] if certificate else [])
    events.record(session, CompletionOverridden(
        edition_id=edition.id, enrollment_id=enrollment.id,
        participant_id=enrollment.participant_id, completed=bool(completed), reason=reason))
    return session.get(CompletionDecision, enrollment.id)


@service
def revoke_certificate(session: Session, certificate: Certificate, reason: str) -> None:
    reason = check.text(reason, "reason", _l("De reden"), max_length=500)
    if certificate.revoked_at is not None:
        raise InvalidInput(_l("Dit deelnamebewijs is al ingetrokken."))
    _revoke(session, certificate, reason, utcnow())


def revoke_erased(session: Session, participant_id: int) -> int:
    """Revoke the certificates of an erased participant (the page shows no erased names)."""
    now, count = utcnow(), 0
    for certificate in session.exec(select(Certificate).where(
            Certificate.participant_id == participant_id, Certificate.revoked_at.is_(None))):
        _revoke(session, certificate, "account gewist", now)
        count += 1
    session.flush()
    return count
