"""The outbox: every mail is a row first, written in the caller's transaction.

`queue_mail` adds a row to the session's transaction: when that transaction rolls back, nothing is
queued; when a row with the same dedupe key exists, nothing new is queued (INSERT ... ON CONFLICT
DO NOTHING, on SQLite and PostgreSQL alike, so the caller's transaction is not broken by it).
The drain (`trajectories.mail.drain`) sends the rows later. Around it: `render` (templates),
`fanout` (one mail to many), `preferences` (opt-outs and unsubscribe links).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service
from trajectories.mail.models import (
    EditionMailSettings,
    MailKind,
    MailPreference,
    MailStatus,
    OutboxMessage,
    preference_kind,
    settings_for,
)
from trajectories.people.models import Enrollment

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


# --- what a fan-out reads once, not once per recipient ----------------------------------------


def cached(session: Session, key, load):
    """`load()` once per transaction of `session` (a fan-out queues a thousand mails in one).
    Dropped when the transaction ends or when the session flushes a preference or an edition's
    mail settings (see `_forget_on_change`)."""
    cache = session.info.get("outbox.cache")
    transaction = session.get_transaction()
    if cache is None or cache.get(None) is not transaction:
        cache = session.info["outbox.cache"] = {None: transaction}
    if key not in cache:
        cache[key] = load()
    return cache[key]


@event.listens_for(OrmSession, "before_flush")
def _forget_on_change(session, _context, _instances) -> None:
    if "outbox.cache" in session.info and any(
            isinstance(row, MailPreference | EditionMailSettings)
            for row in (*session.new, *session.dirty, *session.deleted)):
        del session.info["outbox.cache"]


def _edition_preferences(session: Session, edition_id: int) -> dict[int, dict[str, bool]]:
    """{participant id: {preference kind: enabled}} for everyone enrolled in an edition."""
    found: dict[int, dict[str, bool]] = {pid: {} for pid in session.exec(
        select(Enrollment.participant_id).where(Enrollment.edition_id == edition_id))}
    for row in session.exec(select(MailPreference).join(
            Enrollment, Enrollment.participant_id == MailPreference.participant_id)
            .where(Enrollment.edition_id == edition_id)):
        found[row.participant_id][row.kind] = row.enabled
    return found


def mail_enabled(session: Session, participant_id: int | None, kind: str,
                 edition_id: int | None = None) -> bool:
    """Whether this participant still wants this kind of mail (no row: yes)."""
    preference = preference_kind(kind)
    if participant_id is None or preference is None:
        return True
    if edition_id is not None:
        known = cached(session, ("preferences", edition_id),
                        lambda: _edition_preferences(session, edition_id)).get(participant_id)
        if known is not None:
            return known.get(preference, True)
    row = session.get(MailPreference, (participant_id, preference))
    return row is None or row.enabled


_INSERTS: dict[str, object] = {}


def _insert_statement(dialect: str):
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, built once per dialect with
    a bound parameter per column (building it per mail cost more than the insert)."""
    if dialect not in _INSERTS:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        table = OutboxMessage.__table__
        columns = [c.name for c in table.columns if c.name != "id"]
        _INSERTS[dialect] = (insert(table).values({c: bindparam(c) for c in columns})
                             .on_conflict_do_nothing(index_elements=["dedupe_key"])
                             .returning(table.c.id))
    return _INSERTS[dialect]


def initial_status(session: Session, edition_id: int | None, kind: str) -> MailStatus:
    """Held when the edition holds all its mail, or reviews this kind first; else queued."""
    if edition_id is not None:
        edition_settings = cached(session, ("settings", edition_id),
                                  lambda: settings_for(session, edition_id))
        if edition_settings.hold or (edition_settings.review_coaching and kind in REVIEWED_KINDS):
            return MailStatus.HELD
    return MailStatus.QUEUED


def queue_mail(session: Session, *, to: str, kind: str, subject: str, text: str, html: str = "",
               calendar: str | None = None, dedupe_key: str, participant_id: int | None = None,
               edition_id: int | None = None, row: bool = True) -> OutboxMessage | bool | None:
    """Add one mail to the caller's transaction. Returns the new row, or None when nothing was
    queued (same dedupe key already queued, or the participant switched this kind off); with
    `row=False` only True or None (a fan-out then reads no row back)."""
    if "\n" in to or "\r" in to or "\n" in subject or "\r" in subject:
        raise ValueError("line breaks in a recipient or subject")  # header injection
    if not mail_enabled(session, participant_id, kind, edition_id):
        return None
    status = initial_status(session, edition_id, kind)
    key = _dedupe(dedupe_key)
    values = dict(to=to, to_name="", body_id=None, kind=str(kind), subject=subject[:300], text=text, html=html,
                  calendar=calendar, calendar_method=_calendar_method(calendar),
                  message_id=new_message_id(), dedupe_key=key, participant_id=participant_id,
                  edition_id=edition_id, status=str(status), attempts=0,
                  next_attempt_at=utcnow(), claimed_at=None, claimed_by="", last_error="",
                  created_at=utcnow(), sent_at=None)
    together = session.info.get("outbox.together")
    if together is not None and not row:
        together.rows.append(values)  # written by `queued_together` in one statement
        return True
    session.flush()
    new_id = session.execute(_insert_statement(session.get_bind().dialect.name), values).scalar()
    if new_id is None:
        return None
    return session.get(OutboxMessage, new_id) if row else True


class Together:
    """What `queued_together` wrote: `count` mails queued (a dedupe key already queued is not)."""

    def __init__(self):
        self.count, self.rows = 0, []


@contextmanager
def queued_together(session: Session, chunk: int = 500) -> Iterator[Together]:
    """Within the block, `queue_mail(..., row=False)` collects its rows; at the end they are
    written with multi-row INSERTs (a fan-out's thousand single INSERTs were most of its time).
    `count` then says how many were new; queue_mail's own True is only "not switched off"."""
    result = Together()
    session.info["outbox.together"] = result
    try:
        yield result
    finally:
        del session.info["outbox.together"]
    together = result.rows
    if together:
        session.flush()
        statement = _insert_statement(session.get_bind().dialect.name)
        for start in range(0, len(together), chunk):
            result.count += len(session.execute(
                statement, together[start:start + chunk]).all())


@service
def release_held(session: Session, edition_id: int, ids: list[int] | None = None) -> int:
    """Let held mails of an edition go (all of them, or the given ids); returns how many."""
    query = select(OutboxMessage).where(OutboxMessage.edition_id == edition_id,
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
