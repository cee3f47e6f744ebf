"""Draining the outbox: claim rows, send them over one connection, record each outcome.

Claiming marks rows `sending` in a short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
two drains never take the same row; SQLite serialises writers with BEGIN IMMEDIATE). Each outcome
is committed before the next mail's content is handed over (the write overlaps that mail's MAIL
FROM and RCPT TO), and a process runs one drain at a time (`_ONE_DRAIN`), so a sender that dies
sends at most the one mail in flight twice.

A claim names its holder, "host:pid:start" (`holder_id()`; the start token tells a restarted
process from a dead one with the same pid, pid 1 in a container), and the holder renews it every
`RENEW` while it sends. Rows left `sending` go back to the queue as soon as their holder is known
to be dead (`release_dead`, at every drain, each release logged with count and holder):
- a holder on this host whose process is gone, or whose pid is now another process (ours);
- a holder named dead by the caller (the scheduler that took over the leader lock names the
  previous leader, whose lock is gone) once its claims missed two renewals;
- any holder whose claims were not renewed for `LEASE` (its heartbeat is gone: another host).

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
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import bindparam, func, update
from sqlalchemy.engine import Connection
from sqlmodel import select

from trajectories.core.clock import utcnow
from trajectories.core.db import Database
from trajectories.mail.models import MailBody, MailStatus, OutboxMessage
from trajectories.mail.preferences import unsubscribe_url
from trajectories.mail.render import bodies_of, content
from trajectories.mail.transport import (
    PermanentFailure,
    TemporaryFailure,
    Transport,
    as_bytes,
    build_message,
)

log = logging.getLogger(__name__)

#: A sender renews its claims this often while it sends...
RENEW = timedelta(seconds=3)
#: ...so a claim not renewed for this long belongs to a sender that died.
LEASE = timedelta(seconds=20)
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


_HOLDER: tuple[int, str] | None = None
#: One drain at a time in a process: a crash then re-sends at most one mail in flight.
_ONE_DRAIN = threading.Lock()
#: Holders a caller knows to be dead (see `holder_departed`), released once their claims go stale.
_DEPARTED: set[str] = set()


def holder_id() -> str:
    """This process, as claims and the scheduler's heartbeat name it: "host:pid:start"."""
    global _HOLDER
    if _HOLDER is None or _HOLDER[0] != os.getpid():  # a forked child is another holder
        _HOLDER = (os.getpid(), f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    return _HOLDER[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def holder_gone(holder: str) -> bool:
    """Whether a holder on this host is known to be dead: its process is gone, or its pid is
    ours under another start token (this process is its restart). Other hosts: unknown."""
    host, _, rest = holder.partition(":")
    pid_text, _, _start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or holder == holder_id():
        return False
    pid = int(pid_text)
    return pid == os.getpid() or not _pid_alive(pid)


def holder_departed(holder: str) -> None:
    """Name a holder that is known to be dead (the leader whose lock we now hold): its claims are
    released at the next drain once they missed two renewals (it may have been sending its
    last mail when its lock went)."""
    if holder and holder != holder_id():
        _DEPARTED.add(holder)


def _release(db: Database, now: datetime, why: str, *conditions) -> dict[str, int]:
    """Queue again the `sending` rows matching `conditions`; returns {holder: count}."""
    where = (OutboxMessage.status == MailStatus.SENDING, *conditions)
    with db.begin() as session:
        counts = dict(session.execute(
            select(OutboxMessage.claimed_by, func.count()).where(*where)
            .group_by(OutboxMessage.claimed_by)).all())
        if counts:
            session.execute(
                update(OutboxMessage).where(*where)
                .values(status=MailStatus.QUEUED, claimed_at=None, claimed_by="",
                        next_attempt_at=now, last_error=f"released: {why}"[:1000])
                .execution_options(synchronize_session=False))
    for holder, count in counts.items():
        log.warning("outbox: released %s claimed mails of %s (%s)", count, holder or "?", why)
    return counts


def release_dead(db: Database, now: datetime, lease: timedelta = LEASE) -> int:
    """Queue again the rows that senders known to be dead left in `sending`; returns how many."""
    with db.session() as session:
        holders = set(session.exec(select(OutboxMessage.claimed_by).where(
            OutboxMessage.status == MailStatus.SENDING).distinct()))
    released = 0
    gone = sorted(h for h in holders if holder_gone(h))
    if gone:
        released += sum(_release(db, now, "its process is gone",
                                 OutboxMessage.claimed_by.in_(gone)).values())
    departed = sorted(holders & _DEPARTED)
    if departed:
        released += sum(_release(db, now, "it lost the leader lock",
                                 OutboxMessage.claimed_by.in_(departed),
                                 OutboxMessage.claimed_at < now - 2 * RENEW).values())
    _DEPARTED.intersection_update(holders)
    released += sum(_release(db, now, f"not renewed for {lease.total_seconds():.0f} s",
                             OutboxMessage.claimed_at < now - lease).values())
    return released


def _renew(db: Database, ids: Iterable[int], claimed_at: datetime) -> None:
    with db.begin() as session:
        session.execute(update(OutboxMessage).where(
            OutboxMessage.id.in_(list(ids)), OutboxMessage.status == MailStatus.SENDING,
            OutboxMessage.claimed_by == holder_id()).values(claimed_at=claimed_at)
            .execution_options(synchronize_session=False))


class _Renewer:
    """Renews this batch's claims every RENEW in a thread of its own, so a slow SMTP server
    cannot make a live sender's claims look dead."""

    def __init__(self, db: Database, rows: list[OutboxMessage], now: datetime):
        self.db, self.ids, self.now = db, [r.id for r in rows], now
        self.started = time.monotonic()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="outbox-renew", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(RENEW.total_seconds()):
            # On the drain's own clock (`now` may be given), advanced by the time it has run.
            at = self.now + timedelta(seconds=time.monotonic() - self.started)
            try:
                _renew(self.db, self.ids, at)
            except Exception:
                log.warning("outbox: could not renew claims", exc_info=True)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def claim(db: Database, now: datetime, batch: int) -> list[OutboxMessage]:
    with db.begin() as session:
        rows = list(session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.status == MailStatus.QUEUED,
                   OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(batch)
            .with_for_update(skip_locked=True)))
        holder = holder_id()
        for row in rows:
            row.status, row.claimed_at, row.claimed_by = MailStatus.SENDING, now, holder
            session.add(row)
        return rows


def _bodies(db: Database, rows: list[OutboxMessage]) -> dict[int, MailBody]:
    """The shared texts of a batch (a fan-out's rows point at one per language)."""
    with db.session() as session:
        found = bodies_of(session, rows)
        session.expunge_all()
        return found


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


def _message_for(row: OutboxMessage, settings, body: MailBody | None = None):
    headers = {}
    link = unsubscribe_url(settings, row.participant_id, row.kind)
    if link:
        # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the link.
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    subject, text, html = content(row, body, settings)
    return build_message(sender=settings.mail_from, to=row.to, subject=subject,
                         text=text, html=html, message_id=row.message_id,
                         calendar=row.calendar, calendar_method=row.calendar_method,
                         headers=headers)


def _wire(row: OutboxMessage, settings, bodies: dict[int, MailBody]) -> bytes | ValueError:
    """The row's message as it goes on the wire, or the ValueError of a header value with a line
    break (a title typed by a user cannot add headers)."""
    try:
        return as_bytes(_message_for(row, settings, bodies.get(row.body_id)))
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
        renewer = _Renewer(db, rows, now)
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
        outcomes.close()
        return
    # A thread builds the messages while the SMTP server answers; sending stays one at a time.
    builder = ThreadPoolExecutor(1, thread_name_prefix="outbox-build")
    wires = builder.map(partial(_wire, settings=settings, bodies=_bodies(db, rows)), rows)
    try:
        while pending and keep_going():
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
