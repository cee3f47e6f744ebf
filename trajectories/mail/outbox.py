"""The outbox: every mail is a row first, written in the caller's transaction.

`queue_mail` adds a row to the session's transaction: when that transaction rolls back, nothing is
queued; when a row with the same dedupe key exists, nothing new is queued (INSERT ... ON CONFLICT
DO NOTHING, on SQLite and PostgreSQL alike, so the caller's transaction is not broken by it).
The drain (`trajectories.mail.drain`) sends the rows later. Rendering lives here too: a text and
an HTML template per kind in `templates/emails/`, in the recipient's language.
"""

from __future__ import annotations

import hashlib
import re
import uuid

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from ..clock import utcnow
from ..errors import InvalidInput
from ..models import Participant
from ..services.base import service
from .models import (
    PREFERENCE_KINDS,
    MailKind,
    MailPreference,
    MailStatus,
    OutboxMessage,
    preference_kind,
    settings_for,
)

#: Mail kinds a coordinator reviews first when the edition has the review step on.
REVIEWED_KINDS = (MailKind.COACHING,)


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@trajectories>"


def _dedupe(key: str) -> str:
    """Keys longer than the column become a readable prefix plus a hash (still unique)."""
    if len(key) <= 300:
        return key
    return key[:230] + "#" + hashlib.sha256(key.encode()).hexdigest()


def _calendar_method(calendar: str | None) -> str | None:
    if not calendar:
        return None
    match = re.search(r"^METHOD:(\w+)\s*$", calendar, re.MULTILINE)
    return match.group(1).upper() if match else "PUBLISH"


def mail_enabled(session: Session, participant_id: int | None, kind: str) -> bool:
    """Whether this participant still wants this kind of mail (no row: yes)."""
    preference = preference_kind(kind)
    if participant_id is None or preference is None:
        return True
    row = session.get(MailPreference, (participant_id, preference))
    return row is None or row.enabled


def queue_mail(session: Session, *, to: str, kind: str, subject: str, text: str, html: str = "",
               calendar: str | None = None, dedupe_key: str, participant_id: int | None = None,
               cohort_id: int | None = None) -> OutboxMessage | None:
    """Add one mail to the caller's transaction. Returns the new row, or None when nothing was
    queued (same dedupe key already queued, or the participant switched this kind off)."""
    if "\n" in to or "\r" in to or "\n" in subject or "\r" in subject:
        raise ValueError("line breaks in a recipient or subject")  # header injection
    if not mail_enabled(session, participant_id, kind):
        return None
    status = MailStatus.QUEUED
    if cohort_id is not None:
        cohort_settings = settings_for(session, cohort_id)
        if cohort_settings.hold or (cohort_settings.review_coaching and kind in REVIEWED_KINDS):
            status = MailStatus.HELD
    key = _dedupe(dedupe_key)
    values = dict(to=to, kind=str(kind), subject=subject[:300], text=text, html=html,
                  calendar=calendar, calendar_method=_calendar_method(calendar),
                  message_id=new_message_id(), dedupe_key=key, participant_id=participant_id,
                  cohort_id=cohort_id, status=str(status), attempts=0,
                  next_attempt_at=utcnow(), claimed_by="", last_error="", created_at=utcnow())
    session.flush()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = OutboxMessage.__table__
    new_id = session.execute(insert(table).values(**values)
                             .on_conflict_do_nothing(index_elements=["dedupe_key"])
                             .returning(table.c.id)).scalar()
    return None if new_id is None else session.get(OutboxMessage, new_id)


@service
def release_held(session: Session, cohort_id: int, ids: list[int] | None = None) -> int:
    """Let held mails of an edition go (all of them, or the given ids); returns how many."""
    query = select(OutboxMessage).where(OutboxMessage.cohort_id == cohort_id,
                                        OutboxMessage.status == MailStatus.HELD)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    rows = list(session.exec(query))
    for row in rows:
        row.status, row.next_attempt_at = MailStatus.QUEUED, utcnow()
        session.add(row)
    return len(rows)


@service
def retry(session: Session, message_id: int) -> OutboxMessage:
    """Queue a failed (or held) mail again, now, with its attempts reset."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise InvalidInput(_l("Deze mail bestaat niet."))
    if row.status == MailStatus.SENT:
        raise InvalidInput(_l("Deze mail is al verzonden."))
    row.status, row.attempts, row.next_attempt_at = MailStatus.QUEUED, 0, utcnow()
    row.claimed_at, row.claimed_by = None, ""
    session.add(row)
    return row


# --- rendering -----------------------------------------------------------------------------------


def render_mail(template_name: str, language: str = "nl", **context) -> tuple[str, str, str]:
    """(subject, text, html) from `emails/<name>.txt` (blocks `subject` and `body`) and
    `emails/<name>.html`, in `language` (Dutch unless "en"). Needs an app context."""
    language = "en" if language == "en" else "nl"
    env = current_app.jinja_env
    with force_locale(language):
        context = {"language": language, **context}
        text_template = env.get_template(f"emails/{template_name}.txt")
        ctx = text_template.new_context(dict(context))
        subject = " ".join("".join(text_template.blocks["subject"](ctx)).split())
        text = text_template.render(**context).strip() + "\n"
        html = env.get_template(f"emails/{template_name}.html").render(subject=subject, **context)
    return subject, text, html


# --- preferences and unsubscribe ------------------------------------------------------------------


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


def unsubscribe_url(settings, participant_id: int | None, kind: str) -> str | None:
    """The one-click link for this participant and kind; None when it cannot be switched off."""
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
