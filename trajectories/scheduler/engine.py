"""APScheduler set up for the plan: its job stores, executors and defaults (`configure`), and
the `ClockScheduler` for a process on its own clock.

- Moment jobs live in a SQLAlchemyJobStore ("default") on the app's database; the caller's tick
  is a job in a memory store ("system").
- Time zone UTC; coalesce; misfire_grace_time None on purpose: APScheduler would silently drop a
  late one-shot job, while our moments carry their own rule (`useful_until`: send late while
  useful, else skip and log), applied by `jobs.process_moment`.
- Each scheduler's executor carries its own app (`jobs.Binding`): two schedulers in one process
  never fire each other's jobs.

On its own clock (TRAJECTORIES_CLOCK_START / _SPEED, see `trajectories.core.clock`) the process
runs a `ClockScheduler`: APScheduler reads "now" from that clock and waits in its time, the clock
stands still while due jobs run (they run in the scheduler's own thread) and until the drainer
has sent the mails they queued, and runs on only up to the next job, so every moment fires, and
its mails are dated, at its own moment whatever the speed and the machine's load. The clock
starts once the first reconciliation is done. Polling intervals (sync, drain, heartbeat) stay in
real seconds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.executors.debug import DebugExecutor
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import base as apscheduler_base
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from trajectories.core.clock import AppClock, app_clock, utcnow
from trajectories.core.db import make_engine
from trajectories.scheduler import jobs

log = logging.getLogger(__name__)


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
                # Until the first re-plan is done (`ready`), look again every real second.
                wait_seconds = 1.0
                if self._ready.is_set():
                    wait_seconds = None
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
