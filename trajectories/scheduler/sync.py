"""The job store as a cache of the plan: one APScheduler job per planned moment (id = the
moment's job id, added with replace_existing).

`reconcile` (at start and every hour) recomputes the whole plan and repairs missing, stale and
orphaned jobs; between those, `sync_jobs` applies the moments that handlers in any process
changed (their `version` moved past `synced_version`). Only the scheduler process calls them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import bindparam, update
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


def reconcile(scheduler: BaseScheduler, db, now: datetime | None = None) -> dict[str, int]:
    """Recompute the plan from the database and make the job store match it."""
    now = now or utcnow()
    with db.begin(actor="scheduler") as session:
        plan_all(session, now)
    with db.session() as session:
        # The versions still to sync, read before the plan: a moment a handler changes from
        # here on keeps a newer version, stays unsynced, and the next sync applies it.
        unsynced = [{"moment_id": moment_id, "read_version": version}
                    for moment_id, version in session.exec(
                        select(PlannedMoment.id, PlannedMoment.version).where(
                            PlannedMoment.synced_version != PlannedMoment.version))]
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
    if unsynced:
        with db.begin() as session:
            session.connection().execute(
                update(PlannedMoment.__table__)
                .where(PlannedMoment.__table__.c.id == bindparam("moment_id"),
                       PlannedMoment.__table__.c.version == bindparam("read_version"))
                .values(synced_version=bindparam("read_version")), unsynced)
    log.info("scheduler reconciled: %s", counts)
    return counts
