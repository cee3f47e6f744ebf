"""The scheduler process: APScheduler 3 as the alarm clock of the plan in the database.

- Moment jobs live in a SQLAlchemyJobStore ("default") on the app's database, one per planned
  moment, id = the moment's job id, added with replace_existing. The store is a cache: at start
  (and every hour) `reconcile` recomputes the whole plan and repairs missing, stale and orphaned
  jobs; between those, `sync_jobs` applies the moments that handlers in any process changed.
- The outbox is sent by one drainer thread beside the scheduler (every `drain_seconds`, and at
  once when a moment has queued mails): one drain at a time, so a crash re-sends at most the one
  mail in flight. Reconciliation and sync run in a keeper thread, never as jobs; the caller's
  tick is a job in a memory store (see `run_scheduler`).
- Time zone UTC; coalesce; misfire_grace_time None on purpose: APScheduler would silently drop a
  late one-shot job, while our moments carry their own rule (`useful_until`: send late while
  useful, else skip and log), applied by `jobs.process_moment`.

On its own clock (TRAJECTORIES_CLOCK_START / _SPEED, see `trajectories.clock`) the process runs
a `ClockScheduler`: APScheduler reads "now" from that clock and waits in its time, the clock
stands still while due jobs run (they run in the scheduler's own thread) and until the drainer
has sent the mails they queued, and runs on only up to the next job, so every moment fires, and
its mails are dated, at its own moment whatever the
speed and the machine's load. The clock starts once the first reconciliation is done. Polling
intervals (sync, drain, heartbeat) stay in real seconds.

Run exactly one scheduler per database: `trajectories scheduler` waits for the LeaderLock, beats
the heartbeat, steps down when it loses the lock (its connection dropped: a database restart) and
waits for the lock again in the same process (`run_as_leader`). Each scheduler's executor
carries its own app (`jobs.Binding`): two schedulers in one process never fire each other's jobs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.debug import DebugExecutor
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import base as apscheduler_base
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger
from flask import Flask
from sqlalchemy import bindparam, update
from sqlmodel import select

from trajectories.core.clock import AppClock, app_clock, utcnow
from trajectories.core.db import make_engine
from trajectories.core.heartbeat import beat, holder
from trajectories.core.leader import LeaderLock
from trajectories.mail.drain import drain, holder_departed
from trajectories.scheduler import jobs
from trajectories.scheduler.models import MomentStatus, PlannedMoment
from trajectories.scheduler.plan import plan_all

log = logging.getLogger(__name__)

JOB_FUNC = "trajectories.scheduler.jobs:fire"
SYNC_SECONDS = 5
DRAIN_SECONDS = 5
#: The leader checks its lock this often (and stops sending when it is gone)...
LOCK_CHECK_SECONDS = 1.0
#: ...and beats the heartbeat this often (/healthz calls a scheduler stale after a few missed).
BEAT_SECONDS = 5.0
RECONCILE_EVERY = timedelta(hours=1)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def job_store(database_url: str) -> SQLAlchemyJobStore:
    """The job store on the app's database, with an engine that survives dropped connections
    (pool_pre_ping: APScheduler issue #1083)."""
    engine = make_engine(database_url) if not database_url.startswith("sqlite") else \
        make_engine(database_url, pool_pre_ping=True)
    return SQLAlchemyJobStore(engine=engine)


class _AppDatetime(datetime):
    """`datetime` whose now() is the process's clock: APScheduler 3 reads the time only through
    `datetime.now(tz)` in its scheduler module and offers no hook for it."""

    @classmethod
    def now(cls, tz=None):
        moment = utcnow()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


class ClockScheduler(BlockingScheduler):
    """The BlockingScheduler on the process's own clock (only when one is set).

    Its loop stops the clock, runs what is due (in this thread, DebugExecutor), then lets the
    clock run on up to the next job's time and waits that long divided by the speed. The clock
    stays stopped until `ready()` (the first reconciliation is done)."""

    def __init__(self, clock: AppClock, **options):
        apscheduler_base.datetime = _AppDatetime
        super().__init__(**options)
        self.clock = clock
        self._ready = threading.Event()
        #: Run after the due jobs, before the clock moves on (e.g. `sync_jobs`: a digest that
        #: fired planned the next one, which must be in the store before its time passes).
        self.between: Callable[[], object] | None = None
        # Jobs run inside `_process_jobs` here: a shutdown must wait for them to finish.
        self._working = threading.Lock()

    def shutdown(self, wait=True):
        with self._working:
            super().shutdown(wait)

    def ready(self) -> None:
        self._ready.set()
        self.wakeup()

    def _next_wakeup(self) -> datetime | None:
        with self._jobstores_lock:
            times = [store.get_next_run_time() for store in self._jobstores.values()]
        return min((t for t in times if t is not None), default=None)

    def _main_loop(self):
        wait_seconds = None
        while self.state != STATE_STOPPED:
            self._event.wait(wait_seconds)
            self._event.clear()
            with self._working:
                if self.state == STATE_STOPPED:
                    break
                self.clock.pause()
                self._process_jobs()
                if self.between is not None:
                    try:
                        self.between()
                    except Exception:
                        log.exception("scheduler maintenance failed; trying again")
                wait_seconds = None
                if self._ready.is_set():
                    wake = self._next_wakeup()
                    self.clock.resume(until=wake)
                    if wake is not None:
                        wait_seconds = min(threading.TIMEOUT_MAX, self.clock.real_seconds(
                            (wake - self.clock.now()).total_seconds()))


def make_scheduler() -> BlockingScheduler:
    """A BlockingScheduler, or a ClockScheduler when this process runs on its own clock."""
    clock = app_clock()
    return BlockingScheduler() if clock is None else ClockScheduler(clock)


class _BoundPool(ThreadPoolExecutor):
    """Runs one scheduler's jobs in threads of its own, each bound to that scheduler's app."""

    def __init__(self, binding: jobs.Binding | None, max_workers: int = 4):
        super().__init__(max_workers, pool_kwargs={"initializer": jobs.bind,
                                                   "initargs": (binding,)})


class _BoundInline(DebugExecutor):
    """Runs one scheduler's jobs in the scheduler's own thread, bound to its app meanwhile."""

    def __init__(self, binding: jobs.Binding | None):
        super().__init__()
        self.binding = binding

    def _do_submit_job(self, job, run_times):
        with jobs.bound(self.binding):
            super()._do_submit_job(job, run_times)


def configure(scheduler: BaseScheduler, database_url: str,
              binding: jobs.Binding | None = None) -> BaseScheduler:
    """Job stores, executor and defaults. `binding`: the app (and drainer wake-up) this
    scheduler's jobs fire against; each scheduler carries its own, so a second scheduler in the
    process never redirects the first one's jobs. Without one, a job that fires fails."""
    # On the process's own clock, jobs run in the scheduler's thread while the clock stands still.
    executor = _BoundInline(binding) if isinstance(scheduler, ClockScheduler) \
        else _BoundPool(binding)
    scheduler.configure(
        jobstores={"default": job_store(database_url), "system": MemoryJobStore()},
        executors={"default": executor},
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


def _drain_all(db, settings, keep_going: Callable[[], bool]) -> None:
    while keep_going() and drain(db, settings, batch=200, keep_going=keep_going).sent >= 200:
        pass


class _DrainRequests:
    """Wakes the drainer when a moment queued mails, and lets the scheduler on its own clock
    wait until those are sent before the clock moves on (their Date is the moment's time)."""

    def __init__(self, stop_event: threading.Event):
        self._changed = threading.Condition()
        self._stop = stop_event
        self.asked = self.done = 0

    def ask(self) -> None:
        with self._changed:
            self.asked += 1
            self._changed.notify_all()

    def wake(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def take(self, seconds: float) -> int:
        """Wait up to `seconds` for a request (or the stop); returns the requests so far."""
        with self._changed:
            self._changed.wait_for(lambda: self.asked > self.done or self._stop.is_set(),
                                   seconds)
            return self.asked

    def finished(self, upto: int) -> None:
        with self._changed:
            self.done = max(self.done, upto)
            self._changed.notify_all()

    def wait_done(self) -> None:
        """Until every request so far is drained, or the scheduler stops."""
        with self._changed:
            # (A stop sets no condition: look again twice a second.)
            while not self._changed.wait_for(
                    lambda: self.done >= self.asked or self._stop.is_set(), 0.5):
                pass


def _drainer(db, settings, stop_event: threading.Event, requests: _DrainRequests,
             seconds: float) -> None:
    """The scheduler's one drain loop: every `seconds`, or at once when asked."""
    keep_going = lambda: not stop_event.is_set()  # noqa: E731
    upto = 0
    while not stop_event.is_set():
        try:
            _drain_all(db, settings, keep_going)
        except Exception:
            log.exception("outbox drain failed; trying again")
        # Every request made before this pass began had its mails committed: they are sent.
        requests.finished(upto)
        upto = requests.take(seconds)
    requests.finished(requests.take(0))  # stopped: release whoever waits for a drain


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
    drain_requests = _DrainRequests(stop_event)
    scheduler = configure(make_scheduler(), db.url,
                          jobs.Binding(app, after_fan_out=drain_requests.ask))
    on_own_clock = isinstance(scheduler, ClockScheduler)
    if on_own_clock and not scheduler.clock.paused:
        scheduler.clock.pause()  # until the plan is reconciled
    # Polling intervals are real seconds, also on a sped-up clock.
    speed = scheduler.clock.speed if on_own_clock else 1.0
    if on_own_clock:
        def between():
            # The clock stands still until the mails of the moments that fired are sent.
            drain_requests.wait_done()
            sync_jobs(scheduler, db)

        scheduler.between = between
    if tick is not None:
        # (next_run_time=None would add the job paused.)
        scheduler.add_job(tick, "interval", seconds=tick_seconds * speed, id="system:tick",
                          jobstore="system", replace_existing=True, next_run_time=utcnow())
    drainer = threading.Thread(target=_drainer, name="scheduler-drain", daemon=True,
                               args=(db, settings, stop_event, drain_requests, drain_seconds))

    def keeper():
        while not scheduler.running and not stop_event.is_set():
            time.sleep(0.05)
        last_reconcile = None
        while not stop_event.is_set():
            try:
                if last_reconcile is None or utcnow() - last_reconcile >= RECONCILE_EVERY:
                    last_reconcile = utcnow()
                    reconcile(scheduler, db, last_reconcile)
                    if on_own_clock:
                        scheduler.ready()  # the clock runs from here
                else:
                    sync_jobs(scheduler, db)
            except Exception:
                log.exception("scheduler maintenance failed; trying again")
            stop_event.wait(sync_seconds)
        # A stop before start() finished waits for it; a start() that failed has nothing to stop.
        while not scheduler.running and not start_ended.is_set():
            time.sleep(0.05)
        if scheduler.running:
            scheduler.shutdown(wait=True)

    start_ended = threading.Event()
    keeper_thread = threading.Thread(target=keeper, name="scheduler-keeper", daemon=True)
    keeper_thread.start()
    drainer.start()
    log.info("scheduler started")
    try:
        scheduler.start()
    finally:
        # Returns only when every thread of this scheduler has ended: nothing of it runs on.
        start_ended.set()
        stop_event.set()
        drain_requests.wake()
        drainer.join()
        keeper_thread.join()
    log.info("scheduler stopped")


def run_as_leader(app: Flask, stop_event: threading.Event, poll_seconds: float = 2.0) -> None:
    """Until `stop_event`: wait to be the one active scheduler (LeaderLock), then run with a
    heartbeat. When the lock's connection is lost (a database restart, a dropped connection) the
    scheduler stops sending before its next mail, steps down, and waits for the lock again in
    this same process: it resumes as soon as the database is back."""
    db = app.extensions["trajectories.db"]
    state = app.extensions.setdefault("trajectories.scheduler", {})
    while not stop_event.is_set():
        state["running"] = False
        lock = LeaderLock(db.url)
        if not lock.wait(poll_seconds, stop=stop_event.is_set):
            break
        running = threading.Event()  # set to stop this term as leader

        def watch(lock=lock, running=running) -> None:
            last_beat = None
            while not running.wait(LOCK_CHECK_SECONDS if last_beat else 0):
                if stop_event.is_set():
                    break
                if not lock.still_held():
                    log.warning("scheduler lost the leader lock; stopping, then waiting for it "
                                "again")
                    break
                if last_beat is None or time.monotonic() - last_beat >= BEAT_SECONDS:
                    try:
                        beat(db)
                        last_beat = time.monotonic()
                    except Exception:
                        log.warning("scheduler heartbeat failed", exc_info=True)
                        last_beat = last_beat or time.monotonic()
            running.set()

        try:
            # The previous leader's lock is gone: its claims on the outbox go back to the queue.
            previous = holder(db)
            if previous:
                holder_departed(previous)
        except Exception:
            log.warning("could not read the previous leader", exc_info=True)
        watcher = threading.Thread(target=watch, name="scheduler-leader", daemon=True)
        watcher.start()
        state["running"] = True
        try:
            run_scheduler(app, running)
        except Exception:
            log.exception("scheduler failed; waiting for the leader lock again")
        finally:
            state["running"] = False
            running.set()
            watcher.join()
            try:
                lock.release()
            except Exception:
                log.warning("leader lock already gone", exc_info=True)
        if not stop_event.is_set():
            time.sleep(poll_seconds)
    state["running"] = False
