"""Claims on outbox rows: a drain marks the rows it sends `sending`, in its holder's name, and
rows whose holder died go back to the queue.

While it sends, a drain writes only the `sent_at` of each mail the server took (the row stays
`sending`: no index changes, a third of the write); its claims end together (`end_claims`), so
a row with `sent_at` is sent whether its holder ended the batch or died (`_end`).

Claiming is a short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two drains never
take the same row; SQLite serialises writers with BEGIN IMMEDIATE).

A claim names its holder, "host:pid:start" (`holder_id()`; the start token tells a restarted
process from a dead one with the same pid, pid 1 in a container), and the holder renews it every
`RENEW` while it sends. Rows left `sending` go back to the queue as soon as their holder is known
to be dead (`release_dead`, at every drain, each release logged with count and holder):
- a holder on this host whose process is gone, or whose pid is now another process (ours);
- a holder named dead by the caller (the scheduler that took over the leader lock names the
  previous leader, whose lock is gone) once its claims missed two renewals;
- any holder whose claims were not renewed for `LEASE` (its heartbeat is gone: another host).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Row, func, update
from sqlmodel import select

from trajectories.core.db import Database
from trajectories.core.heartbeat import holder_id
from trajectories.mail.models import MailStatus, OutboxMessage

log = logging.getLogger(__name__)

#: A sender renews its claims this often while it sends...
RENEW = timedelta(seconds=3)
#: ...so a claim not renewed for this long belongs to a sender that died.
LEASE = timedelta(seconds=20)

#: Holders a caller knows to be dead (see `holder_departed`), released once their claims go stale.
_DEPARTED: set[str] = set()




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


def _end(session, where: tuple, **queued) -> None:
    """End the `sending` claims matching `where`: a row the server took (its `sent_at` is set)
    is sent, any other goes back to the queue (with the `queued` values)."""
    session.execute(update(OutboxMessage).where(*where, OutboxMessage.sent_at.is_not(None))
                    .values(status=MailStatus.SENT, claimed_at=None, claimed_by="")
                    .execution_options(synchronize_session=False))
    session.execute(update(OutboxMessage).where(*where)
                    .values(status=MailStatus.QUEUED, claimed_at=None, claimed_by="", **queued)
                    .execution_options(synchronize_session=False))


def _release(db: Database, now: datetime, why: str, *conditions) -> dict[str, int]:
    """End the `sending` claims matching `conditions` (`_end`); returns {holder: count}."""
    where = (OutboxMessage.status == MailStatus.SENDING, *conditions)
    with db.begin() as session:
        counts = dict(session.execute(
            select(OutboxMessage.claimed_by, func.count()).where(*where)
            .group_by(OutboxMessage.claimed_by)).all())
        if counts:
            _end(session, where, next_attempt_at=now, last_error=f"released: {why}"[:1000])
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


class Renewer:
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


def claim(db: Database, now: datetime, batch: int) -> list[Row]:
    """Up to `batch` due rows, oldest first, marked `sending` in this process's name: one
    UPDATE ... RETURNING (the due rows chosen `FOR UPDATE SKIP LOCKED` on PostgreSQL). Plain
    rows, read like an OutboxMessage (`row.to`, `row.attempts`): the drain only reads them, and
    making 500 model objects took a third of the claim."""
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.status == MailStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
           .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
           .limit(batch)
           .with_for_update(skip_locked=True))
    with db.begin() as session:
        outbox = OutboxMessage.__table__
        rows = session.execute(
            update(outbox).where(outbox.c.id.in_(due))
            .values(status=MailStatus.SENDING, claimed_at=now, claimed_by=holder_id())
            .returning(*outbox.c)).all()
    return sorted(rows, key=lambda row: (row.next_attempt_at, row.id))


def end_claims(db: Database, ids: list[int]) -> None:
    """End this process's claims on `ids` (a drain's batch, when it ends): the rows the server
    took are sent, the ones not sent go back to the queue."""
    if ids:
        with db.begin() as session:
            _end(session, (OutboxMessage.id.in_(ids), OutboxMessage.status == MailStatus.SENDING,
                           OutboxMessage.claimed_by == holder_id()))
