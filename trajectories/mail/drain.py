"""Draining the outbox: claim rows, send them over one connection, record each outcome.

Claiming marks rows `sending` in a short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
two drains never take the same row; SQLite serialises writers with BEGIN IMMEDIATE). Each outcome
is committed before the next mail's content is handed over (the write overlaps that mail's MAIL
FROM and RCPT TO), so a sender that dies sends at most the one mail in flight twice: a row left
`sending` by a dead process is queued again after `LEASE`.

On PostgreSQL each outcome is one autocommitted UPDATE (one round trip), with `synchronous_commit`
off: a commit no longer waits for its WAL flush, which took longer than the SMTP exchange itself.
The sender's own crash still loses no outcome, since the server has it; only a crash of the
database server itself could forget the outcomes of the last fraction of a second (three times
`wal_writer_delay`), and those mails would then be sent again, never lost.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Connection
from sqlmodel import select

from ..clock import utcnow
from ..db import Database
from .models import MailStatus, OutboxMessage
from .outbox import unsubscribe_url
from .transport import PermanentFailure, TemporaryFailure, Transport, as_bytes, build_message

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


_outbox = OutboxMessage.__table__
#: Every outcome through one statement built once: the drain records one per mail.
_RECORD_OUTCOME = (
    update(_outbox).where(_outbox.c.id == bindparam("row_id"))
    .values(status=bindparam("new_status"), attempts=bindparam("new_attempts"),
            last_error=bindparam("error"), next_attempt_at=bindparam("next_attempt"),
            sent_at=bindparam("sent"), claimed_at=None, claimed_by=""))


def _finish(conn: Connection, row: OutboxMessage, status: MailStatus, error: str = "", *,
            next_attempt_at: datetime | None = None, sent_at: datetime | None = None) -> None:
    """Record one attempt's outcome and commit it at once (one connection for the batch)."""
    conn.execute(_RECORD_OUTCOME, {
        "row_id": row.id, "new_status": status, "new_attempts": row.attempts + 1,
        "error": error[:1000], "next_attempt": next_attempt_at or row.next_attempt_at,
        "sent": sent_at})
    conn.commit()


class _Outcomes:
    """A batch's outcome writes, on its one connection, in a thread of their own: one mail's
    outcome is committed while the next mail's envelope (MAIL FROM, RCPT TO) goes out, and
    `settle()` waits for it before that mail's content does. So a sender that dies still sends
    at most the one mail in flight twice, and the database's round trip costs no time."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="outbox-outcomes")
        self.last: Future | None = None

    def record(self, row: OutboxMessage, status: MailStatus, error: str = "", **when) -> None:
        self.last = self.writer.submit(_finish, self.conn, row, status, error, **when)

    def settle(self) -> None:
        """Wait until every outcome recorded so far is committed (raises if one failed)."""
        if self.last is not None:
            self.last.result()

    def close(self) -> None:
        try:
            self.settle()
        finally:
            self.writer.shutdown()


def _temporary(outcomes: _Outcomes, row: OutboxMessage, error: str, now: datetime,
               result: DrainResult) -> None:
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        outcomes.record(row, MailStatus.FAILED, error)
        result.failed += 1
    else:
        outcomes.record(row, MailStatus.QUEUED, error, next_attempt_at=now + backoff(attempts))
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


def _wire(row: OutboxMessage, settings) -> bytes | ValueError:
    """The row's message as it goes on the wire, or the ValueError of a header value with a line
    break (a title typed by a user cannot add headers)."""
    try:
        return as_bytes(_message_for(row, settings))
    except ValueError as exc:
        return exc


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
        postgresql = conn.dialect.name == "postgresql"
        if postgresql:  # see the module's docstring; the pool resets the isolation level
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("SET synchronous_commit TO off")
        try:
            _send_batch(db, conn, transport, settings, rows, now, result)
        finally:
            if postgresql and not conn.invalidated:
                conn.exec_driver_sql("RESET synchronous_commit")
    if result.errors:
        log.warning("outbox drain: %s sent, %s retried, %s failed; last error: %s",
                    result.sent, result.retried, result.failed, result.errors[-1])
    return result


def _send_batch(db, conn, transport, settings, rows, now, result) -> None:
    pending = deque(rows)
    outcomes = _Outcomes(conn)
    try:
        transport.open()
    except (TemporaryFailure, PermanentFailure) as exc:
        for row in pending:
            _temporary(outcomes, row, str(exc), now, result)
        outcomes.close()
        return
    # A thread builds the messages while the SMTP server answers; sending stays one at a time.
    builder = ThreadPoolExecutor(1, thread_name_prefix="outbox-build")
    wires = builder.map(partial(_wire, settings=settings), rows)
    try:
        while pending:
            row, wire = pending.popleft(), next(wires)
            if isinstance(wire, ValueError):
                outcomes.record(row, MailStatus.FAILED, f"invalid message: {wire}")
                result.failed += 1
                continue
            try:
                transport.envelope(settings.mail_from, row.to)
                outcomes.settle()  # the mail before is recorded before this one is handed over
                transport.content(wire)
            except PermanentFailure as exc:
                outcomes.record(row, MailStatus.FAILED, str(exc))
                result.failed += 1
                result.errors.append(str(exc))
                continue
            except TemporaryFailure as exc:
                _temporary(outcomes, row, str(exc), now, result)
                if transport.client is None:
                    break  # the server went away: the rest waits for the next drain, unclaimed
                continue
            outcomes.record(row, MailStatus.SENT, sent_at=utcnow())
            result.sent += 1
    finally:
        builder.shutdown(wait=False, cancel_futures=True)
        try:
            outcomes.close()
        finally:
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
