"""The scheduler process: `run_scheduler` runs APScheduler (`engine`) as the alarm clock of
the plan in the database, beside a keeper thread that keeps its job store in line with the plan
(`sync`), a planner thread that recomputes the whole plan at start and hourly without holding
the others up, the one drainer thread that sends the outbox (`drainer`), and the one publisher
of track and organiser feed files (`trajectories.feeds.requests.run_publisher`).

Run exactly one scheduler per database: `trajectories scheduler` waits for the LeaderLock, beats
the heartbeat, steps down when it loses the lock (its connection dropped: a database restart) and
waits for the lock again in the same process (`run_as_leader`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from trajectories.core.clock import utcnow
from trajectories.core.heartbeat import beat, holder
from trajectories.core.leader import LeaderLock
from trajectories.feeds.requests import run_publisher
from trajectories.interest import handlers as interest_lists
from trajectories.mail.claims import holder_departed
from trajectories.scheduler import jobs
from trajectories.scheduler.drainer import DrainRequests, drainer
from trajectories.scheduler.engine import ClockScheduler, configure, make_scheduler
from trajectories.scheduler.sync import reconcile, sync_jobs

log = logging.getLogger(__name__)

SYNC_SECONDS = 5
DRAIN_SECONDS = 5
#: The leader checks its lock this often (and stops sending when it is gone)...
LOCK_CHECK_SECONDS = 1.0
#: ...and beats the heartbeat this often (/healthz calls a scheduler stale after a few missed).
BEAT_SECONDS = 5.0
RECONCILE_EVERY = timedelta(hours=1)


def run_scheduler(app: Flask, stop_event: threading.Event,
                  tick: Callable[[], None] | None = None, tick_seconds: float = 10, *,
                  sync_seconds: float = SYNC_SECONDS, drain_seconds: float = DRAIN_SECONDS) -> None:
    """Run until `stop_event` is set. `tick` (e.g. heartbeat and leader check) runs every
    `tick_seconds` inside the scheduler; it may set `stop_event` to step down.

    The BlockingScheduler runs in this thread; a keeper thread syncs changed moments every
    `sync_seconds` from the start and shuts the scheduler down on stop; a planner thread
    reconciles at start (and every hour) beside it.
    Jobs never call the scheduler's own API: shutdown(wait=True) holds the job store lock while
    it waits for running jobs, so a job that did would deadlock it.
    """
    db = app.extensions["trajectories.db"]
    settings = app.config["SETTINGS"]
    drain_requests = DrainRequests(stop_event)
    scheduler = configure(make_scheduler(), db.url,
                          jobs.Binding(app, after_fan_out=drain_requests.ask))
    on_own_clock = isinstance(scheduler, ClockScheduler)
    if on_own_clock and not scheduler.clock.paused:
        scheduler.clock.pause()  # until the plan is reconciled
    # Polling intervals are real seconds, also on a sped-up clock.
    speed = scheduler.clock.speed if on_own_clock else 1.0
    # One writer of the job store at a time: the keeper's syncs and the planner's repairs.
    store_lock = threading.Lock()

    def sync():
        with store_lock:
            sync_jobs(scheduler, db)

    if tick is not None:
        # (next_run_time=None would add the job paused.)
        scheduler.add_job(tick, "interval", seconds=tick_seconds * speed, id="system:tick",
                          jobstore="system", replace_existing=True, next_run_time=utcnow())
    drain_thread = threading.Thread(target=drainer, name="scheduler-drain", daemon=True,
                               args=(db, settings, stop_event, drain_requests, drain_seconds))
    # The one writer of track and organiser feed files (trajectories.feeds.requests).
    publish_thread = threading.Thread(target=run_publisher, name="scheduler-publish",
                                      daemon=True, args=(db, settings, stop_event))

    def wait_for_start() -> None:
        while not scheduler.running and not stop_event.is_set():
            time.sleep(0.05)

    last_reconcile = None

    def replan_if_due() -> None:
        nonlocal last_reconcile
        if last_reconcile is None or utcnow() - last_reconcile >= RECONCILE_EVERY:
            started = utcnow()
            reconcile(scheduler, db, started, store_lock)
            last_reconcile = started
            interest_lists.maintain(app, db)  # expiry, and announcements left unqueued
            if on_own_clock:
                scheduler.ready()  # the clock runs from here

    if on_own_clock:
        replanned_at = None  # real time (monotonic): the clock's hours fly by

        def between():
            # The clock stands still until the mails of the moments that fired are sent, and
            # while the plan is recomputed: a re-plan on a running clock (a day passes in a tenth
            # of a second) planned moments whose time had passed before they reached the store.
            nonlocal replanned_at
            drain_requests.wait_done()
            if replanned_at is None or time.monotonic() - replanned_at >= sync_seconds:
                replan_if_due()
                replanned_at = time.monotonic()
            sync()

        scheduler.between = between

    def keeper():
        """Syncs the job store every `sync_seconds`, from the start: a moment planned while no
        scheduler ran (a takeover) fires without waiting for the whole re-plan. (On its own
        clock the scheduler's loop re-plans, while the clock stands still: `between`.)"""
        wait_for_start()
        while not stop_event.is_set():
            try:
                sync()
            except Exception:
                log.exception("scheduler maintenance failed; trying again")
            stop_event.wait(sync_seconds)
        # A stop before start() finished waits for it; a start() that failed has nothing to stop.
        while not scheduler.running and not start_ended.is_set():
            time.sleep(0.05)
        if scheduler.running:
            scheduler.shutdown(wait=True)

    def planner():
        """The whole re-plan at start and every hour, apart from the keeper and from APScheduler
        (which fire what is due meanwhile); after a failure it tries again at the next turn."""
        wait_for_start()
        while not stop_event.is_set():
            try:
                replan_if_due()
            except Exception:
                log.exception("scheduler re-plan failed; trying again")
            stop_event.wait(sync_seconds)

    start_ended = threading.Event()
    keeper_thread = threading.Thread(target=keeper, name="scheduler-keeper", daemon=True)
    planner_thread = threading.Thread(target=planner, name="scheduler-planner", daemon=True)
    keeper_thread.start()
    if not on_own_clock:
        planner_thread.start()
    drain_thread.start()
    publish_thread.start()
    log.info("scheduler started")
    try:
        scheduler.start()
    finally:
        # Returns only when every thread of this scheduler has ended: nothing of it runs on.
        start_ended.set()
        stop_event.set()
        drain_requests.wake()
        drain_thread.join()
        publish_thread.join()
        keeper_thread.join()
        if planner_thread.is_alive():
            planner_thread.join()
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
