"""The scheduler process: APScheduler 3 as the alarm clock of the plan in the database.

- Moment jobs live in a SQLAlchemyJobStore ("default") on the app's database, one per planned
  moment, id = the moment's job id, added with replace_existing. The store is a cache: at start
  (and every hour) `reconcile` recomputes the whole plan and repairs missing, stale and orphaned
  jobs; between those, `sync_jobs` applies the moments that handlers in any process changed.
- System jobs (drain, the caller's tick) live in a memory store; reconciliation and sync run in
  a keeper thread beside the scheduler, never as jobs (see `run_scheduler`).
- Time zone UTC; coalesce; misfire_grace_time None on purpose: APScheduler would silently drop a
  late one-shot job, while our moments carry their own rule (`useful_until`: send late while
  useful, else skip and log), applied by `jobs.process_moment`.

Run exactly one scheduler per database: `trajectories scheduler` waits for the LeaderLock, beats
the heartbeat and steps down when it loses the lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger
from flask import Flask
from sqlalchemy import update
from sqlmodel import select

from ..clock import utcnow
from ..db import make_engine
from ..mail.drain import drain
from . import jobs
from .models import MomentStatus, PlannedMoment
from .plan import plan_all

log = logging.getLogger(__name__)

JOB_FUNC = "trajectories.scheduler.jobs:fire"
SYNC_SECONDS = 5
DRAIN_SECONDS = 10
RECONCILE_EVERY = timedelta(hours=1)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def job_store(database_url: str) -> SQLAlchemyJobStore:
    """The job store on the app's database, with an engine that survives dropped connections
    (pool_pre_ping: APScheduler issue #1083)."""
    engine = make_engine(database_url) if not database_url.startswith("sqlite") else \
        make_engine(database_url, pool_pre_ping=True)
    return SQLAlchemyJobStore(engine=engine)


def configure(scheduler: BaseScheduler, database_url: str) -> BaseScheduler:
    scheduler.configure(
        jobstores={"default": job_store(database_url), "system": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        timezone=UTC)
    return scheduler


def _put_job(scheduler: BaseScheduler, moment: PlannedMoment) -> None:
    scheduler.add_job(JOB_FUNC, DateTrigger(run_date=_aware(moment.due_at), timezone=UTC),
                      args=[moment.job_id], id=moment.job_id, name=moment.job_id,
                      replace_existing=True, jobstore="default")


def _drop_job(scheduler: BaseScheduler, job_id: str) -> bool:
    try:
        scheduler.remove_job(job_id, jobstore="default")
        return True
    except JobLookupError:
        return False


def sync_jobs(scheduler: BaseScheduler, db, limit: int = 500) -> int:
    """Apply the moments changed since the last sync to the job store; returns how many."""
    with db.session() as session:
        changed = list(session.exec(select(PlannedMoment).where(
            PlannedMoment.synced_version != PlannedMoment.version).limit(limit)))
    for moment in changed:
        if moment.status == MomentStatus.PLANNED:
            _put_job(scheduler, moment)
        else:
            _drop_job(scheduler, moment.job_id)
    with db.begin() as session:
        for moment in changed:
            # Only if nothing changed it meanwhile; otherwise the next sync takes it.
            session.execute(update(PlannedMoment).where(
                PlannedMoment.id == moment.id, PlannedMoment.version == moment.version)
                .values(synced_version=moment.version)
                .execution_options(synchronize_session=False))
    return len(changed)


def reconcile(scheduler: BaseScheduler, db, now: datetime | None = None) -> dict[str, int]:
    """Recompute the plan from the database and make the job store match it."""
    now = now or utcnow()
    with db.begin(actor="scheduler") as session:
        plan_all(session, now)
    with db.session() as session:
        wanted = {m.job_id: m for m in session.exec(select(PlannedMoment).where(
            PlannedMoment.status == MomentStatus.PLANNED))}
    stored = {job.id: job for job in scheduler.get_jobs(jobstore="default")}
    counts = {"missing": 0, "stale": 0, "orphaned": 0, "planned": len(wanted)}
    for job_id, moment in wanted.items():
        job = stored.get(job_id)
        if job is None:
            counts["missing"] += 1
        elif job.next_run_time is None or job.next_run_time != _aware(moment.due_at):
            counts["stale"] += 1
        else:
            continue
        _put_job(scheduler, moment)
    for job_id in stored.keys() - wanted.keys():
        _drop_job(scheduler, job_id)
        counts["orphaned"] += 1
    with db.begin() as session:
        session.execute(update(PlannedMoment).values(synced_version=PlannedMoment.version)
                        .execution_options(synchronize_session=False))
    log.info("scheduler reconciled: %s", counts)
    return counts


def _drain_all(db, settings) -> None:
    while drain(db, settings, batch=200).sent >= 200:
        pass


def run_scheduler(app: Flask, stop_event: threading.Event,
                  tick: Callable[[], None] | None = None, tick_seconds: float = 10, *,
                  sync_seconds: float = SYNC_SECONDS, drain_seconds: float = DRAIN_SECONDS) -> None:
    """Run until `stop_event` is set. `tick` (e.g. heartbeat and leader check) runs every
    `tick_seconds` inside the scheduler; it may set `stop_event` to step down.

    The BlockingScheduler runs in this thread; a keeper thread reconciles at start (and every
    hour), syncs changed moments every `sync_seconds`, and shuts the scheduler down on stop.
    Jobs never call the scheduler's own API: shutdown(wait=True) holds the job store lock while
    it waits for running jobs, so a job that did would deadlock it.
    """
    db = app.extensions["trajectories.db"]
    settings = app.config["SETTINGS"]
    scheduler = configure(BlockingScheduler(), db.url)
    jobs.bind(app)

    def system_job(func, seconds, job_id, first=None):
        # (next_run_time=None would add the job paused.)
        extra = {"next_run_time": first} if first else {}
        scheduler.add_job(func, "interval", seconds=seconds, id=job_id, jobstore="system",
                          replace_existing=True, **extra)

    system_job(lambda: _drain_all(db, settings), drain_seconds, "system:drain")
    if tick is not None:
        system_job(tick, tick_seconds, "system:tick", first=utcnow())

    def keeper():
        while not scheduler.running and not stop_event.is_set():
            time.sleep(0.05)
        last_reconcile = None
        while not stop_event.is_set():
            try:
                if last_reconcile is None or time.monotonic() - last_reconcile > \
                        RECONCILE_EVERY.total_seconds():
                    reconcile(scheduler, db)
                    last_reconcile = time.monotonic()
                else:
                    sync_jobs(scheduler, db)
            except Exception:
                log.exception("scheduler maintenance failed; trying again")
            stop_event.wait(sync_seconds)
        while not scheduler.running:  # a stop before start() finished
            time.sleep(0.05)
        scheduler.shutdown(wait=True)

    threading.Thread(target=keeper, name="scheduler-keeper", daemon=True).start()
    log.info("scheduler started")
    scheduler.start()
    log.info("scheduler stopped")


def run_as_leader(app: Flask, stop_event: threading.Event, poll_seconds: float = 2.0) -> None:
    """Wait to be the one active scheduler (LeaderLock), then run with a heartbeat; step down
    when the lock's connection is lost."""
    from ..heartbeat import beat
    from ..leader import LeaderLock

    db = app.extensions["trajectories.db"]
    lock = LeaderLock(db.url)
    if not lock.wait(poll_seconds, stop=stop_event.is_set):
        return

    def tick():
        if not lock.still_held():
            stop_event.set()
            return
        beat(db)

    try:
        run_scheduler(app, stop_event, tick=tick)
    finally:
        lock.release()
