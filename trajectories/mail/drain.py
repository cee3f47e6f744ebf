"""Draining the outbox: claim rows, send them over one connection, record each outcome.

Rows are claimed first (`trajectories.mail.claims`: marked `sending` in this process's name,
renewed while it sends, released when it dies). Each outcome is committed before the next
mail's content is handed over (the write overlaps that mail's MAIL FROM), and a process runs one
drain at a time (`_ONE_DRAIN`), so a sender that dies sends at most the one mail in flight twice.

One thread does it all: the outcome before is written while the server answers MAIL FROM, the
next message built while it takes in this one's content. (With a thread each for building and
writing, the sender waited for the GIL after every reply: 0.6 of plain smtplib's rate.) A sent
mail's outcome is its `sent_at` alone; the batch's rows become `sent` together at its end
(`claims.end_claims`, or the release of a dead sender's claims).

Each outcome is one autocommitted UPDATE (on PostgreSQL one round trip), with `synchronous_commit`
off: a commit no longer waits for its WAL flush, which took longer than the SMTP exchange itself.
The sender's own crash still loses no outcome, since the server has it; only a crash of the
database server itself could forget the outcomes of the last fraction of a second (three times
`wal_writer_delay`), and those mails would then be sent again, never lost.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from itertools import islice

from sqlalchemy.engine import Connection

from trajectories.core.clock import utcnow
from trajectories.core.db import Database
from trajectories.mail.claims import Renewer, claim, end_claims, release_dead
from trajectories.mail.models import MailBody, MailStatus, OutboxMessage
from trajectories.mail.preferences import unsubscribe_url
from trajectories.mail.render import bodies_of, content
from trajectories.mail.transport import (
    PermanentFailure,
    TemporaryFailure,
    Transport,
    build_message,
    data,
)

log = logging.getLogger(__name__)

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


#: One drain at a time in a process: a crash then re-sends at most one mail in flight.
_ONE_DRAIN = threading.Lock()


def _bodies(db: Database, rows: list[OutboxMessage]) -> dict[int, MailBody]:
    """The shared texts of a batch (a fan-out's rows point at one per language)."""
    with db.session() as session:
        found = bodies_of(session, rows)
        session.expunge_all()
        return found


#: The outcome of an attempt (`_Outcomes`): one per mail...
_RECORD_OUTCOME = ("UPDATE mail_outbox SET status = {0}, attempts = {0}, last_error = {0}, "
                   "next_attempt_at = {0}, sent_at = {0}, claimed_at = NULL, claimed_by = '' "
                   "WHERE id = {0}")
#: ...but a mail the server took only gets its `sent_at`: it stays `sending` until the batch
#: ends (`claims.end_claims`), and a row with `sent_at` is sent even if its sender dies.
_RECORD_SENT = "UPDATE mail_outbox SET attempts = {0}, last_error = '', sent_at = {0} WHERE id = {0}"


class _Outcomes:
    """A batch's outcomes, each committed by itself on the batch's one connection. The latest
    one waits until the next mail's MAIL FROM is on its way (`write` runs while the server
    answers it), and is written before that mail's content goes: a sender that dies sends at
    most the one mail in flight twice, and the database's round trip overlaps the server's.

    Written through the driver, in autocommit (each UPDATE its own transaction): SQLAlchemy's
    own work per statement took longer than the database's."""

    def __init__(self, conn: Connection):
        self.cursor = conn.connection.dbapi_connection.cursor()
        placeholder = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self.outcome, self.sent = (_RECORD_OUTCOME.format(placeholder),
                                   _RECORD_SENT.format(placeholder))
        #: A datetime as SQLAlchemy stores it (text on SQLite).
        datetime_type = OutboxMessage.__table__.c.sent_at.type.dialect_impl(conn.dialect)
        self.stored = datetime_type.bind_processor(conn.dialect) or (lambda value: value)
        self.waiting: tuple | None = None

    def record(self, row: OutboxMessage, status: MailStatus, error: str = "", *,
               next_attempt_at: datetime | None = None, sent_at: datetime | None = None) -> None:
        self.write()
        # Kept as given, made into the statement's values in `write()`, which runs while the
        # server answers: between one mail's end and the next's MAIL FROM, nothing waits.
        self.waiting = (row, status, error, next_attempt_at, sent_at)

    def write(self) -> None:
        """Write the outcome that waits, if any."""
        if self.waiting is None:
            return
        (row, status, error, next_attempt_at, sent_at), self.waiting = self.waiting, None
        if status == MailStatus.SENT:
            self.cursor.execute(self.sent, (row.attempts + 1, self.stored(sent_at), row.id))
        else:
            self.cursor.execute(self.outcome, (
                status.value, row.attempts + 1, error[:1000],
                self.stored(next_attempt_at or row.next_attempt_at), self.stored(sent_at), row.id))


class _Ahead:
    """The batch's messages, built in order; `build` builds the next one while the server
    answers (one thread: building while another thread waits for the server stalled it on the
    GIL)."""

    def __init__(self, rows: list[OutboxMessage], build: Callable):
        self.wires = map(build, rows)
        self.built: list = []

    def build(self) -> None:
        self.built.extend(islice(self.wires, 1))

    def next(self) -> bytes | ValueError:
        return self.built.pop() if self.built else next(self.wires)


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


def _message_for(row: OutboxMessage, settings, body: MailBody | None = None):
    headers = {}
    link = unsubscribe_url(settings, row.participant_id, row.kind, row.edition_id)
    if link:
        # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the link.
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    subject, text, html = content(row, body, settings, sending=True)
    return build_message(sender=settings.mail_from, to=row.to, subject=subject,
                         text=text, html=html, message_id=row.message_id,
                         calendar=row.calendar, calendar_method=row.calendar_method,
                         headers=headers)


def _wire(row: OutboxMessage, settings, bodies: dict[int, MailBody]) -> bytes | ValueError:
    """The row's message as DATA carries it, or the ValueError of a header value with a line
    break (a title typed by a user cannot add headers)."""
    try:
        return data(_message_for(row, settings, bodies.get(row.body_id)))
    except ValueError as exc:
        return exc


def drain(db: Database, settings, *, batch: int = 200, now: datetime | None = None,
          transport: Transport | None = None,
          keep_going: Callable[[], bool] = lambda: True) -> DrainResult:
    """Send up to `batch` due rows over one connection; returns what happened. One drain at a
    time per process (others wait their turn); `keep_going()` is asked before each mail (a
    scheduler that lost its leader lock stops; what it did not send is queued again)."""
    with _ONE_DRAIN:
        now = now or utcnow()
        result = DrainResult(released=release_dead(db, now))
        if not keep_going():
            return result
        rows = claim(db, now, batch)
        if not rows:
            return result
        transport = transport or Transport(settings)
        renewer = Renewer(db, rows, now)
        try:
            with db.engine.connect() as conn:
                postgresql = conn.dialect.name == "postgresql"
                if postgresql:  # see the module's docstring; the pool resets the isolation level
                    conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                    conn.exec_driver_sql("SET synchronous_commit TO off")
                try:
                    _send_batch(db, conn, transport, settings, rows, now, result, keep_going)
                finally:
                    if postgresql and not conn.invalidated:
                        conn.exec_driver_sql("RESET synchronous_commit")
        finally:
            renewer.close()
    if result.errors:
        log.warning("outbox drain: %s sent, %s retried, %s failed; last error: %s",
                    result.sent, result.retried, result.failed, result.errors[-1])
    return result


def _send_batch(db, conn, transport, settings, rows, now, result, keep_going) -> None:
    pending = deque(rows)
    outcomes = _Outcomes(conn)
    try:
        transport.open()
    except (TemporaryFailure, PermanentFailure) as exc:
        for row in pending:
            _temporary(outcomes, row, str(exc), now, result)
        outcomes.write()
        return
    ahead = _Ahead(rows, partial(_wire, settings=settings, bodies=_bodies(db, rows)))

    try:
        while pending and keep_going():
            row, wire = pending.popleft(), ahead.next()
            if isinstance(wire, ValueError):
                outcomes.record(row, MailStatus.FAILED, f"invalid message: {wire}")
                result.failed += 1
                continue
            try:
                # The mail before is recorded before this one is handed over, while the server
                # answers this one's MAIL FROM; the next is built while it takes this one in.
                transport.envelope(settings.mail_from, row.to, meanwhile=outcomes.write)
                outcomes.write()  # (if the server could not be reached)
                transport.content(wire, meanwhile=ahead.build)
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
        try:
            outcomes.write()
        finally:
            end_claims(db, [r.id for r in rows])
            transport.close()
