"""Draining the outbox: claim rows, send them over one connection, record each outcome.

Claiming marks rows `sending` in a short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
two drains never take the same row; SQLite serialises writers with BEGIN IMMEDIATE). Each outcome
is committed right after its send, so a crash loses at most the one mail in flight: a row left
`sending` by a dead process is queued again after `LEASE`.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Connection
from sqlmodel import select

from ..clock import utcnow
from ..db import Database
from .models import MailStatus, OutboxMessage
from .outbox import unsubscribe_url
from .transport import PermanentFailure, TemporaryFailure, Transport, build_message

log = logging.getLogger(__name__)

#: A row in `sending` longer than this belongs to a sender that died.
LEASE = timedelta(minutes=10)
#: First retry after a temporary failure; doubled on every attempt, capped.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
#: After this many attempts a temporary failure becomes final (and shows in the digest).
MAX_ATTEMPTS = 8


@dataclass
class DrainResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def release_stale(db: Database, now: datetime, lease: timedelta = LEASE) -> int:
    """Queue again the rows a dead sender left in `sending`."""
    with db.begin() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == MailStatus.SENDING,
                   OutboxMessage.claimed_at < now - lease)
            .values(status=MailStatus.QUEUED, claimed_at=None, claimed_by="", next_attempt_at=now,
                    last_error="released after lease timeout")
            .execution_options(synchronize_session=False))
        return result.rowcount or 0


def claim(db: Database, now: datetime, batch: int) -> list[OutboxMessage]:
    with db.begin() as session:
        rows = list(session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.status == MailStatus.QUEUED,
                   OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(batch)
            .with_for_update(skip_locked=True)))
        holder = _holder()
        for row in rows:
            row.status, row.claimed_at, row.claimed_by = MailStatus.SENDING, now, holder
            session.add(row)
        return rows


def _finish(conn: Connection, row_id: int, **values) -> None:
    """Record one outcome and commit it at once (one connection for the batch: cheap)."""
    conn.execute(update(OutboxMessage.__table__).where(OutboxMessage.__table__.c.id == row_id)
                 .values(claimed_at=None, claimed_by="", **values))
    conn.commit()


def _temporary(conn: Connection, row: OutboxMessage, error: str, now: datetime,
               result: DrainResult) -> None:
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _finish(conn, row.id, status=MailStatus.FAILED, attempts=attempts,
                last_error=error[:1000])
        result.failed += 1
    else:
        _finish(conn, row.id, status=MailStatus.QUEUED, attempts=attempts, last_error=error[:1000],
                next_attempt_at=now + backoff(attempts))
        result.retried += 1
    result.errors.append(error)


def _message_for(row: OutboxMessage, settings):
    headers = {}
    link = unsubscribe_url(settings, row.participant_id, row.kind)
    if link:
        # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the link.
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return build_message(sender=settings.mail_from, to=row.to, subject=row.subject,
                         text=row.text, html=row.html, message_id=row.message_id,
                         calendar=row.calendar, calendar_method=row.calendar_method,
                         headers=headers)


def drain(db: Database, settings, *, batch: int = 200, now: datetime | None = None,
          transport: Transport | None = None) -> DrainResult:
    """Send up to `batch` due rows over one connection; returns what happened."""
    now = now or utcnow()
    result = DrainResult(released=release_stale(db, now))
    rows = claim(db, now, batch)
    if not rows:
        return result
    transport = transport or Transport(settings)
    with db.engine.connect() as conn:
        _send_batch(db, conn, transport, settings, rows, now, result)
    if result.errors:
        log.warning("outbox drain: %s sent, %s retried, %s failed; last error: %s",
                    result.sent, result.retried, result.failed, result.errors[-1])
    return result


def _send_batch(db, conn, transport, settings, rows, now, result) -> None:
    pending = list(rows)
    try:
        transport.open()
    except (TemporaryFailure, PermanentFailure) as exc:
        for row in pending:
            _temporary(conn, row, str(exc), now, result)
        return
    try:
        while pending:
            row = pending.pop(0)
            try:
                message = _message_for(row, settings)
                transport.send(message, settings.mail_from, row.to)
            except PermanentFailure as exc:
                _finish(conn, row.id, status=MailStatus.FAILED, attempts=row.attempts + 1,
                        last_error=str(exc)[:1000])
                result.failed += 1
                result.errors.append(str(exc))
                continue
            except TemporaryFailure as exc:
                _temporary(conn, row, str(exc), now, result)
                if transport.client is None:
                    # The server went away: leave the rest for the next drain, unclaimed.
                    _unclaim(db, [r.id for r in pending])
                    pending = []
                continue
            except ValueError as exc:  # a header value with a line break
                _finish(conn, row.id, status=MailStatus.FAILED, attempts=row.attempts + 1,
                        last_error=f"invalid message: {exc}"[:1000])
                result.failed += 1
                continue
            _finish(conn, row.id, status=MailStatus.SENT, attempts=row.attempts + 1,
                    sent_at=utcnow(), last_error="")
            result.sent += 1
    finally:
        if pending:
            _unclaim(db, [r.id for r in pending])
        transport.close()


def _unclaim(db: Database, ids: list[int]) -> None:
    if not ids:
        return
    with db.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids),
                                                    OutboxMessage.status == MailStatus.SENDING)
                        .values(status=MailStatus.QUEUED, claimed_at=None, claimed_by="")
                        .execution_options(synchronize_session=False))
