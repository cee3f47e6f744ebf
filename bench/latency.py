"""From a moment's due time to the mail accepted by the SMTP server, through the running
scheduler (APScheduler job store, keeper, outbox drain), in one run.

    .venv/bin/python bench/latency.py       # BENCH_MOMENTS=20, SQLite in a temp dir

Baseline: the same mail rendered, queued and drained directly, without the scheduler.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench, free_port  # noqa: E402

MOMENTS = int(os.environ.get("BENCH_MOMENTS", "20"))


class Sink:
    def __init__(self):
        self.arrivals: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):
        self.arrivals[envelope.rcpt_tos[0]] = time.time()
        return "250 OK"


def main() -> None:
    from aiosmtpd.controller import Controller
    from sqlmodel import SQLModel, select

    import trajectories.schema  # noqa: F401
    from tests import factories
    from trajectories.app import create_app
    from trajectories.mail.drain import drain
    from trajectories.people import services as people
    from trajectories.scheduler.jobs import process_moment
    from trajectories.scheduler.models import PlannedMoment
    from trajectories.scheduler.runtime import run_scheduler

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    app = create_app({"database_url": url, "var_dir": str(tmp), "secret_key": "bench",
                      "smtp_port": controller.port})
    db = app.extensions["trajectories.db"]
    SQLModel.metadata.create_all(db.engine)
    with app.app_context(), db.session() as session:
        edition = factories.edition(session)
        enrollments = [people.enroll(session, edition, factories.participant(
            session, email=f"d{n}@gemeente.example")) for n in range(MOMENTS + 1)]
    start = datetime.now(UTC) + timedelta(seconds=3)
    due = {}
    with db.begin() as session:
        for n, enrollment in enumerate(enrollments):
            row = session.exec(select(PlannedMoment).where(
                PlannedMoment.job_id == f"welcome:enrollment:{enrollment.id}")).one()
            row.due_at = start + timedelta(seconds=0.25 * n)
            row.useful_until = row.due_at + timedelta(days=1)
            row.version += 1
            due[f"d{n}@gemeente.example"] = row.due_at.timestamp()
            session.add(row)

    # Baseline: the last one fired and drained directly, without the scheduler.
    last = f"d{MOMENTS}@gemeente.example"
    baseline_start = time.time()
    process_moment(app, f"welcome:enrollment:{enrollments[-1].id}",
                   now=datetime.now(UTC) + timedelta(minutes=1))
    drain(db, app.config["SETTINGS"])
    deadline = time.monotonic() + 10
    while last not in sink.arrivals and time.monotonic() < deadline:
        time.sleep(0.005)
    baseline = sink.arrivals[last] - baseline_start

    stop = threading.Event()
    thread = threading.Thread(target=run_scheduler, args=(app, stop), daemon=True)
    thread.start()
    deadline = time.monotonic() + 60 + 0.25 * MOMENTS
    while len(sink.arrivals) < MOMENTS + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=30)
    controller.stop()
    latencies = [sink.arrivals[to] - due[to] for to in due if to != last and to in sink.arrivals]
    assert len(latencies) == MOMENTS, f"{len(latencies)} of {MOMENTS} arrived"
    bench("scheduler_due_to_accepted_median", statistics.median(latencies) * 1000, "ms",
          baseline * 1000)
    bench("scheduler_due_to_accepted_worst", max(latencies) * 1000, "ms", baseline * 1000)


if __name__ == "__main__":
    main()
