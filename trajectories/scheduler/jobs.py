"""What happens when a moment fires: recipients worked out now, mails queued in the outbox.

`process_moment(app, job_id, now)` is the whole job: in one transaction it re-reads the moment,
skips it (and logs) when it fired too late to be useful, otherwise queues one mail per recipient
(its kind's function in `senders.SENDERS`) and marks the moment done. A crash before the commit
leaves the moment planned and queues nothing; firing it again queues each mail once (the
outbox's dedupe keys), so it is never lost, never twice. APScheduler calls `fire(job_id)`, which
is importable by name and takes only the id; the app it fires against comes from the executor of
the scheduler that runs it (`Binding`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlmodel import select

from trajectories.core.clock import utcnow
from trajectories.mail.outbox import queued_together
from trajectories.scheduler.models import MomentRun, MomentStatus, PlannedMoment, SkipReason
from trajectories.scheduler.plan import plan_digest
from trajectories.scheduler.senders import SENDERS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Binding:
    """What one scheduler's jobs run with: its app (database, settings) and what wakes its
    drainer once a moment queued mails."""

    app: Flask
    after_fan_out: Callable[[], object] | None = None


#: Set for the job runs of one scheduler by its executor (`engine.configure`), never
#: process-wide: two schedulers in one process (a standby taking over, `serve --scheduler`
#: beside another, tests) each fire their own jobs against their own app.
_binding: ContextVar[Binding | None] = ContextVar("scheduler_binding", default=None)


def bind(binding: Binding | None) -> None:
    """Bind the current thread's context (a job thread of one scheduler's pool) for good."""
    _binding.set(binding)


@contextmanager
def bound(binding: Binding | None) -> Iterator[None]:
    """Bind the current context for the duration of the block (a job run in the caller's
    thread)."""
    token = _binding.set(binding)
    try:
        yield
    finally:
        _binding.reset(token)


def fire(job_id: str) -> None:
    """The APScheduler job function."""
    binding = _binding.get()
    if binding is None:
        raise RuntimeError("scheduler jobs run only inside run_scheduler")
    if process_moment(binding.app, job_id) == "sent" and binding.after_fan_out is not None:
        # Send right away, by the scheduler's one drainer: a second drain beside it would put a
        # second mail in flight, and a crash would send both twice.
        binding.after_fan_out()


def process_moment(app: Flask, job_id: str, now: datetime | None = None) -> str:
    """Fire one moment; returns "sent", "skipped" or "gone" (already processed or removed)."""
    now = now or utcnow()
    db = app.extensions["trajectories.db"]
    settings = app.config["SETTINGS"]
    with app.app_context(), db.begin(actor="scheduler") as session:
        moment = session.exec(select(PlannedMoment).where(PlannedMoment.job_id == job_id)
                              .with_for_update()).first()
        if moment is None or moment.status != MomentStatus.PLANNED:
            return "gone"
        run = MomentRun(moment_id=moment.id, edition_id=moment.edition_id, due_at=moment.due_at,
                        fired_at=now, useful_until=moment.useful_until)
        if now > moment.useful_until:
            moment.status, moment.processed_at = MomentStatus.SKIPPED, now
            moment.note = f"too late: due {moment.due_at:%Y-%m-%d %H:%M}Z, fired {now:%Y-%m-%d %H:%M}Z"
            log.warning("skipped %s: %s", job_id, moment.note)
            run.skipped = SkipReason.TOO_LATE
            outcome = "skipped"
        else:
            with queued_together(session) as queued:
                SENDERS[moment.kind](session, moment, settings, now)
            count = queued.count
            moment.status, moment.processed_at = MomentStatus.DONE, now
            moment.note = f"{count} mails queued"
            run.queued = count
            outcome = "sent"
        session.add(run)
        moment.version += 1
        moment.updated_at = now
        session.add(moment)
        kind, edition_id = moment.kind, moment.edition_id
    if kind == "digest":
        with db.begin(actor="scheduler") as session:
            plan_digest(session, edition_id, now)
    return outcome
