"""Re-planning cost: rescheduling one session of an edition with 10 and with 1,000 participants.

    .venv/bin/python bench/planning.py          # SQLite in a temp dir, then PostgreSQL

Counts the SQL statements of the reschedule (service, after-commit planning handlers), the job
store writes that bring APScheduler's store in line (`sync_jobs`), and the milliseconds of both.
The 10-participant edition is the baseline: the figures must not grow with participants, because
recipients are worked out when a job fires, not when it is planned.

Then the full re-plan (`plan_all`: scheduler start, takeover, hourly) on the national data set
(`bench/national.py`'s generator, on PostgreSQL; BENCH_NATIONAL_SCALE=0.1 for a tenth of it):
the first plan (every moment new), a second one (nothing changed) and its SQL statements per
edition, each beside the baseline of the same run: the same editions re-planned subject by
subject (`replan_meeting`, `replan_deadline`, `plan_digest`: what a single change runs), timed on
BENCH_BASELINE_EDITIONS of them and scaled to all. Targets: <= 3 s, <= 5 statements per edition.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_DATABASE_URL, bench  # noqa: E402

NATIONAL_SCALE = float(os.environ.get("BENCH_NATIONAL_SCALE", "1"))
BASELINE_EDITIONS = int(os.environ.get("BENCH_BASELINE_EDITIONS", "60"))


def measure(participants: int) -> dict[str, float]:
    from apscheduler.schedulers.background import BackgroundScheduler
    from sqlalchemy import event
    from sqlmodel import SQLModel

    import trajectories.schema  # noqa: F401
    from tests import factories
    from tests.scheduler_processes import admit
    from trajectories.app import create_app
    from trajectories.schedule import services as schedule
    from trajectories.scheduler.engine import configure
    from trajectories.scheduler.plan import plan_all
    from trajectories.scheduler.sync import reconcile, sync_jobs

    tmp = Path(tempfile.mkdtemp(prefix="bench-planning-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    app = create_app({"database_url": url, "var_dir": str(tmp), "secret_key": "bench"})
    db = app.extensions["trajectories.db"]
    SQLModel.metadata.create_all(db.engine)
    with app.app_context(), db.session() as session:
        edition = factories.edition(session, coordinator_email="coordinator@vng.example")
        meetings = [factories.meeting(session, edition, on_date=date(2030, 3 + i, 10))
                    for i in range(6)]
        for i in range(3):
            schedule.set_deadline(session, edition, title=f"Deadline {i}",
                                  due_date=date(2030, 4 + i, 1))
        admit(session, edition, participants)

    scheduler = configure(BackgroundScheduler(), db.url)
    scheduler.start(paused=True)
    reconcile(scheduler, db)

    counter = {"app": 0, "store": 0}
    store_engine = scheduler._jobstores["default"].engine

    @event.listens_for(db.engine, "before_cursor_execute")
    def _app_statement(*_args):
        counter["app"] += 1

    @event.listens_for(store_engine, "before_cursor_execute")
    def _store_statement(conn, cursor, statement, *_args):
        if not statement.lstrip().upper().startswith("SELECT"):
            counter["store"] += 1

    with app.app_context(), db.session() as session:
        meeting = meetings[2]
        started = time.perf_counter()
        schedule.reschedule_meeting(session, meeting, on_date=date(2030, 5, 12),
                                    start=clock_time(10, 0), end=clock_time(12, 0))
        replan_ms = (time.perf_counter() - started) * 1000
    statements = counter["app"]
    started = time.perf_counter()
    synced = sync_jobs(scheduler, db)
    sync_ms = (time.perf_counter() - started) * 1000
    store_writes = counter["store"]

    started = time.perf_counter()
    with db.begin() as session:
        plan_all(session)
    plan_all_ms = (time.perf_counter() - started) * 1000
    scheduler.shutdown(wait=False)
    db.dispose()
    return {"statements": statements, "store_writes": store_writes, "synced": synced,
            "replan_ms": replan_ms + sync_ms, "plan_all_ms": plan_all_ms}


class Statements:
    """Counts the SQL statements an engine runs while enabled."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *_args):
        self.count += 1


def national() -> None:
    from sqlmodel import select

    from bench import national as data
    from bench.common import fresh_database
    from trajectories.core.clock import utcnow
    from trajectories.core.db import Database
    from trajectories.schedule.models import Deadline, Meeting
    from trajectories.scheduler import plan

    for name in ("ORGANISATIONS", "PARTICIPANTS", "EDITIONS"):
        setattr(data, name, max(10, int(getattr(data, name) * NATIONAL_SCALE)))
    url = fresh_database(BENCH_DATABASE_URL)
    database = Database(url)
    data.generate(database)
    statements = Statements(database.engine)
    with database.session() as session:
        editions = plan.unfinished_edition_ids(session, utcnow())
    sample = editions[:: max(1, len(editions) // BASELINE_EDITIONS)][:BASELINE_EDITIONS]

    # Baseline: subject by subject, on a sample (rolled back: the first plan starts empty too).
    with database.session() as session:
        statements.count = 0
        started, cpu = time.perf_counter(), time.process_time()
        for edition_id in sample:
            for meeting_id in session.exec(select(Meeting.id).where(
                    Meeting.edition_id == edition_id)).all():
                plan.replan_meeting(session, meeting_id)
            for deadline_id in session.exec(select(Deadline.id).where(
                    Deadline.edition_id == edition_id)).all():
                plan.replan_deadline(session, deadline_id)
            plan.plan_digest(session, edition_id)
        per_edition_ms = (time.perf_counter() - started) * 1000 / len(sample)
        per_edition_cpu_ms = (time.process_time() - cpu) * 1000 / len(sample)
        per_edition_statements = statements.count / len(sample)
        session.rollback()

    figures = {}
    for run in ("first", "again"):
        statements.count = 0
        started, cpu = time.perf_counter(), time.process_time()
        with database.begin(actor="bench") as session:
            plan.plan_all(session)
        figures[run] = ((time.perf_counter() - started) * 1000, statements.count,
                        (time.process_time() - cpu) * 1000)
    database.dispose()
    print(f"# national plan_all: {len(editions)} editions to plan, baseline on {len(sample)}")
    baseline_ms = per_edition_ms * len(editions)
    bench("planning.national.plan_all_first_ms", figures["first"][0], "ms", baseline_ms)
    bench("planning.national.plan_all_again_ms", figures["again"][0], "ms", baseline_ms)
    # This process's CPU time (the Python side), less sensitive to a busy machine.
    bench("planning.national.plan_all_first_cpu_ms", figures["first"][2], "ms",
          per_edition_cpu_ms * len(editions))
    bench("planning.national.plan_all_again_cpu_ms", figures["again"][2], "ms",
          per_edition_cpu_ms * len(editions))
    bench("planning.national.plan_all_first_statements_per_edition",
          figures["first"][1] / len(editions), "statements", per_edition_statements)
    bench("planning.national.plan_all_again_statements_per_edition",
          figures["again"][1] / len(editions), "statements", per_edition_statements)


def main() -> None:
    small, large = measure(10), measure(1000)
    bench("planning_reschedule_sql_statements_1000", large["statements"], "statements",
          small["statements"])
    bench("planning_reschedule_jobstore_writes_1000", large["store_writes"], "writes",
          small["store_writes"])
    bench("planning_reschedule_ms_1000", large["replan_ms"], "ms", small["replan_ms"])
    bench("planning_full_replan_ms_1000", large["plan_all_ms"], "ms", small["plan_all_ms"])
    national()


if __name__ == "__main__":
    main()
