"""The job store as a cache of the plan: one APScheduler job per planned moment (id = the
moment's job id, added with replace_existing).

`reconcile` (at start and every hour) recomputes the whole plan (`replan`) and repairs missing,
stale and orphaned jobs (`repair`); between those, and while a re-plan runs, `sync_jobs` applies
the moments that handlers in any process changed (their `version` moved past `synced_version`).
Only the scheduler process calls them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import select

from trajectories.core.clock import utcnow
from trajectories.scheduler.models import MomentStatus, PlannedMoment
from trajectories.scheduler.plan import plan_all

log = logging.getLogger(__name__)

#: What every moment's job runs (importable by name: the job store keeps the reference).
JOB_FUNC = "trajectories.scheduler.jobs:fire"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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


def replan(db, now: datetime | None = None) -> None:
    """Recompute the plan from the database (`plan_all`): the database half of `reconcile`."""
    with db.begin(actor="scheduler") as session:
        plan_all(session, now or utcnow())


def _stored_run_times(scheduler: BaseScheduler) -> dict[str, float | None]:
    """Each stored job's next run time (a UTC timestamp): from the SQLAlchemyJobStore's table
    without unpickling every job (APScheduler keeps the time in a column of its own)."""
    store = scheduler._lookup_jobstore("default")  # APScheduler 3 has no public accessor
    if isinstance(store, SQLAlchemyJobStore):
        with store.engine.connect() as conn:
            return dict(conn.execute(sa_select(store.jobs_t.c.id,
                                               store.jobs_t.c.next_run_time)).all())
    return {job.id: job.next_run_time.timestamp() if job.next_run_time else None
            for job in scheduler.get_jobs(jobstore="default")}


def repair(scheduler: BaseScheduler, db) -> dict[str, int]:
    """Make the job store match the plan in the database: the job-store half of `reconcile`.
    Nothing else may write the job store meanwhile (`sync_jobs`: the caller holds one lock)."""
    with db.session() as session:
        # The versions still to sync, read before the plan: a moment a handler changes from
        # here on keeps a newer version, stays unsynced, and the next sync applies it.
        unsynced = [{"moment_id": moment_id, "read_version": version}
                    for moment_id, version in session.exec(
                        select(PlannedMoment.id, PlannedMoment.version).where(
                            PlannedMoment.synced_version != PlannedMoment.version))]
        wanted = {row.job_id: row for row in session.exec(
            select(PlannedMoment.job_id, PlannedMoment.due_at).where(
                PlannedMoment.status == MomentStatus.PLANNED))}
    stored = _stored_run_times(scheduler)
    counts = {"missing": 0, "stale": 0, "orphaned": 0, "planned": len(wanted)}
    for job_id, moment in wanted.items():
        if job_id not in stored:
            counts["missing"] += 1
        elif stored[job_id] is None or \
                abs(stored[job_id] - _aware(moment.due_at).timestamp()) > 0.0005:
            counts["stale"] += 1
        else:
            continue
        _put_job(scheduler, moment)
    for job_id in stored.keys() - wanted.keys():
        _drop_job(scheduler, job_id)
        counts["orphaned"] += 1
    if unsynced:
        with db.begin() as session:
            session.connection().execute(
                update(PlannedMoment.__table__)
                .where(PlannedMoment.__table__.c.id == bindparam("moment_id"),
                       PlannedMoment.__table__.c.version == bindparam("read_version"))
                .values(synced_version=bindparam("read_version")), unsynced)
    return counts


def reconcile(scheduler: BaseScheduler, db, now: datetime | None = None,
              store_lock: threading.Lock | None = None) -> dict[str, int]:
    """Recompute the plan from the database and make the job store match it. `store_lock`:
    held only while the job store is repaired, so `sync_jobs` (holding it too) goes on while
    the plan is recomputed, and APScheduler fires what is due all along."""
    replan(db, now)
    with store_lock or contextlib.nullcontext():
        counts = repair(scheduler, db)
    log.info("scheduler reconciled: %s", counts)
    return counts
