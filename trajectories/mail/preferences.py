"""Which mail a participant wants: the kinds they can switch off, and the signed one-click
unsubscribe link every such mail carries (RFC 8058).
"""

from __future__ import annotations

import functools

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session, select

from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service
from trajectories.mail.models import (
    PREFERENCE_KINDS,
    MailKind,
    MailPreference,
    MailStatus,
    OutboxMessage,
    preference_kind,
)
from trajectories.people.models import Participant


@functools.lru_cache(maxsize=4)
def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="mail-unsubscribe")


def unsubscribe_token(secret_key: str, participant_id: int, kind: str) -> str:
    """A signed token for 'switch off this kind of mail' (no expiry: links in old mails work)."""
    return _serializer(secret_key).dumps([participant_id, preference_kind(kind) or kind])


def read_unsubscribe_token(secret_key: str, token: str) -> tuple[int, str] | None:
    try:
        participant_id, kind = _serializer(secret_key).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if kind not in PREFERENCE_KINDS or not isinstance(participant_id, int):
        return None
    return participant_id, kind


@functools.lru_cache(maxsize=4)
def _interest_serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="interest-leave")


def interest_token(secret_key: str, participant_id: int, edition_id: int) -> str:
    """A signed token for "take me off this track's interest list" (the track of the edition
    whose opening the mail announced; no expiry)."""
    return _interest_serializer(secret_key).dumps([participant_id, edition_id])


def read_interest_token(secret_key: str, token: str) -> tuple[int, int] | None:
    try:
        participant_id, edition_id = _interest_serializer(secret_key).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(participant_id, int) or not isinstance(edition_id, int):
        return None
    return participant_id, edition_id


def unsubscribe_url(settings, participant_id: int | None, kind: str,
                    edition_id: int | None = None) -> str | None:
    """The one-click link for this participant and kind; None when it cannot be switched off.
    An interest-list mail's link takes the person off that track's list."""
    if participant_id is not None and edition_id is not None and kind == MailKind.INTEREST:
        token = interest_token(settings.secret_key, participant_id, edition_id)
        return f"{settings.base_url}/mail/lijst/{token}"
    if participant_id is None or preference_kind(kind) is None:
        return None
    token = unsubscribe_token(settings.secret_key, participant_id, kind)
    return f"{settings.base_url}/mail/afmelden/{token}"


def mail_preferences(session: Session, participant: Participant) -> dict[str, bool]:
    """{preference kind: enabled} for every kind a participant can switch off."""
    stored = {row.kind: row.enabled for row in session.exec(
        select(MailPreference).where(MailPreference.participant_id == participant.id))}
    return {kind: stored.get(kind, True) for kind in PREFERENCE_KINDS}


PREFERENCE_LABELS = {
    "welcome": _l("Welkomstmails bij een toelating"),
    "invitation": _l("Uitnodigingen en wijzigingen van sessies"),
    "reminder": _l("Herinneringen aan sessies"),
    "nudge": _l("Herinneringen aan deadlines"),
    "coaching": _l("Coachingsmails na een sessie"),
    "announcement": _l("Berichten van de coördinator aan een editie"),
    "evaluation": _l("De evaluatie aan het eind van een editie"),
    "certificate": _l("Mijn deelnamebewijs als ik een editie heb afgerond"),
    "loan": _l("Herinneringen aan de overdracht en het terugbrengen van een geleend object"),
}


@service
def set_mail_preference(session: Session, participant: Participant, kind: str,
                        enabled: bool) -> None:
    """Switch one kind of mail on or off for a participant; queued mails of that kind that have
    not gone yet are withdrawn (failed, "afgemeld") when it is switched off."""
    if kind not in PREFERENCE_KINDS:
        raise InvalidInput(_l("Onbekend soort e-mail."), "kind")
    row = session.get(MailPreference, (participant.id, kind)) or MailPreference(
        participant_id=participant.id, kind=kind)
    row.enabled, row.updated_at = bool(enabled), utcnow()
    session.add(row)
    if not enabled:
        for message in session.exec(select(OutboxMessage).where(
                OutboxMessage.participant_id == participant.id,
                OutboxMessage.kind.in_([str(k) for k in PREFERENCE_KINDS[kind]]),
                OutboxMessage.status.in_([MailStatus.QUEUED, MailStatus.HELD]))):
            message.status, message.last_error = MailStatus.FAILED, "unsubscribed"
            session.add(message)
