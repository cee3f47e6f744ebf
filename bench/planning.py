"""Re-planning cost: rescheduling one session of an edition with 10 and with 1,000 participants.

    .venv/bin/python bench/planning.py          # SQLite in a temp dir

Counts the SQL statements of the reschedule (service, after-commit planning handlers), the job
store writes that bring APScheduler's store in line (`sync_jobs`), and the milliseconds of both.
The 10-participant edition is the baseline: the figures must not grow with participants, because
recipients are worked out when a job fires, not when it is planned.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench  # noqa: E402


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


def main() -> None:
    small, large = measure(10), measure(1000)
    bench("planning_reschedule_sql_statements_1000", large["statements"], "statements",
          small["statements"])
    bench("planning_reschedule_jobstore_writes_1000", large["store_writes"], "writes",
          small["store_writes"])
    bench("planning_reschedule_ms_1000", large["replan_ms"], "ms", small["replan_ms"])
    bench("planning_full_replan_ms_1000", large["plan_all_ms"], "ms", small["plan_all_ms"])


if __name__ == "__main__":
    main()
