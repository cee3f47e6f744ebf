"""Publishing feeds under calendars/ at national scale (bench/national.py's data set) on
PostgreSQL, against the demo data set as baseline:

- `publishing.reschedule`: wall time of one session reschedule through the service layer, with
  the after-commit publish of the affected feeds (an app with publish configured): until the
  save returns, and until every affected file is written (medians of a few);
- `publishing.publish_all`: `trajectories publish-calendars` from scratch.

    .venv/bin/python bench/publishing.py     # BENCH_NATIONAL_SCALE=0.25 for a proportionate 1/4
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bench import national  # noqa: E402
from bench.common import bench, bench_app, fresh_database  # noqa: E402

DATABASE_URL = os.environ.get("TRAJECTORIES_BENCH_PUBLISH_DATABASE_URL",
                              "postgresql://postgres@127.0.0.1:5432/traj_publish_bench")
SCALE = float(os.environ.get("BENCH_NATIONAL_SCALE", "1"))
RESCHEDULES = 5


def measure(database_url: str) -> dict[str, float]:
    from trajectories.core.clock import utcnow
    from trajectories.feeds.publish import publish_all, wait_idle
    from trajectories.schedule import services as schedule
    from trajectories.schedule.models import Meeting

    with tempfile.TemporaryDirectory() as var_dir:
        app = bench_app(database_url, var_dir)
        database = app.extensions["trajectories.db"]
        settings = app.config["SETTINGS"]
        times = {}
        started = time.perf_counter()
        count = publish_all(database, settings)
        times["publish_all"] = time.perf_counter() - started
        print(f"# {count} feeds published", flush=True)

        # A session still ahead, in an edition of the largest organiser feed.
        with database.session(actor="bench") as session:
            meeting = session.scalars(select(Meeting).where(
                Meeting.on_date > utcnow().date(), Meeting.starts_at.is_not(None))
                .order_by(Meeting.id)).first()
            meeting_id = meeting.id
        samples, published = [], []
        for n in range(RESCHEDULES):
            with database.session(actor="bench") as session:
                meeting = session.get(Meeting, meeting_id)
                step = timedelta(days=1 if n % 2 == 0 else -1)
                started = time.perf_counter()
                schedule.reschedule_meeting(session, meeting, on_date=meeting.on_date + step,
                                            start=clock(13, 30), end=clock(15, 30))
                samples.append(time.perf_counter() - started)
            wait_idle()
            published.append(time.perf_counter() - started)
        times["reschedule"] = statistics.median(samples)
        times["reschedule_until_all_published"] = statistics.median(published)
        database.dispose()
    return times


def main() -> None:
    from trajectories.core.db import Database
    from trajectories.demo.loader import load_demo

    url = fresh_database(DATABASE_URL)
    database = Database(url)
    list(load_demo(database))
    database.dispose()
    demo = measure(url)

    if SCALE != 1:
        for name in ("PARTICIPANTS", "EDITIONS"):
            setattr(national, name, int(getattr(national, name) * SCALE))
        print(f"# national data set at scale {SCALE}: {national.EDITIONS} editions", flush=True)
    url = fresh_database(DATABASE_URL)
    database = Database(url)
    started = time.perf_counter()
    national.generate(database)
    print(f"# generated in {time.perf_counter() - started:.1f} s", flush=True)
    database.dispose()
    scaled = measure(url)

    for name, seconds in scaled.items():
        bench(f"publishing.{name}", seconds * 1000, "ms", demo[name] * 1000)


if __name__ == "__main__":
    main()
