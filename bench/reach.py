"""The reach report and a municipality's page at national scale (bench/national.py's data set:
700 organisations, 20,000 participants, 2,000 editions), against the coordinator dashboard in
the same run; and the SQL statements each page costs with 10 editions per organiser and with
1,000 (they must be equal: set-based queries).

    TRAJECTORIES_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/reach_bench \
        .venv/bin/python bench/reach.py

TRAJECTORIES_BENCH_REACH_SCALE (default 1) scales the national data set (0.1: a tenth).
Target: each page under 300 ms at national scale (median of ROUNDS requests, warm).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select  # noqa: E402

from bench import national  # noqa: E402
from bench.common import BENCH_DATABASE_URL, bench, bench_app, fresh_database  # noqa: E402
from trajectories.accounts.services import create_coordinator  # noqa: E402
from trajectories.catalogue.models import Organiser  # noqa: E402
from trajectories.core.db import Database  # noqa: E402
from trajectories.people.models import Organisation, Participant  # noqa: E402

ROUNDS = 15
SCALE = float(os.environ.get("TRAJECTORIES_BENCH_REACH_SCALE", "1"))
NATIONAL = dict(ORGANISATIONS=700, PARTICIPANTS=int(20_000 * SCALE),
                EDITIONS=max(int(2_000 * SCALE) // 10 * 10, 20))
#: 10 editions per organiser: the small side of the statement count.
SMALL = dict(ORGANISATIONS=700, PARTICIPANTS=200, EDITIONS=20)


def build(url: str, sizes: dict) -> None:
    for name, value in sizes.items():
        setattr(national, name, value)
    fresh_database(url)
    database = Database(url)
    national.generate(database)
    with database.engine.connect() as conn:  # statistics, as autovacuum keeps them in production
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    database.dispose()


def pages(database) -> dict[str, str]:
    """The pages to time: the dashboard, the reach report (with a period), the municipality with
    most participants, the search."""
    with database.session() as s:
        busiest = s.execute(select(Participant.organisation_id, func.count()).join(
            Organisation, Organisation.id == Participant.organisation_id).where(
            Organisation.kind == "municipality").group_by(Participant.organisation_id)
            .order_by(func.count().desc())).first()[0]
    return {"dashboard": "/beheer/", "reach": "/beheer/bereik",
            "reach_filtered": "/beheer/bereik?van=2024&tot=2026",
            "municipality": f"/beheer/gemeenten/{busiest}",
            "search": "/beheer/zoeken?q=utrecht"}


def measure(url: str) -> tuple[dict[str, float], dict[str, int]]:
    """(median ms, SQL statements) per page."""
    with tempfile.TemporaryDirectory() as var_dir:
        app = bench_app(url, var_dir)
        database = app.extensions["trajectories.db"]
        with database.session(actor="bench") as session:
            vng = session.scalars(select(Organiser).where(Organiser.slug == "vng")).one()
            create_coordinator(session, email="bench@vng.example", name="Bench",
                               password="bench-wachtwoord-2026", organiser=vng)
        client = app.test_client()
        response = client.post("/beheer/inloggen", data={"email": "bench@vng.example",
                                                         "password": "bench-wachtwoord-2026"})
        assert response.status_code == 302, response.status_code
        statements: list[str] = []
        event.listen(database.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *a: statements.append(statement))
        times, counts = {}, {}
        for name, page in pages(database).items():
            assert client.get(page).status_code == 200, page  # warm up
            statements.clear()
            assert client.get(page).status_code == 200, page
            counts[name] = len(statements)
            values = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                client.get(page)
                values.append(time.perf_counter() - started)
            times[name] = statistics.median(values) * 1000
        database.dispose()
    return times, counts


def main() -> None:
    url = os.environ.get("TRAJECTORIES_BENCH_DATABASE_URL", BENCH_DATABASE_URL)
    build(url, SMALL)
    _small_times, small_counts = measure(url)
    build(url, NATIONAL)
    times, counts = measure(url)
    editions = NATIONAL["EDITIONS"] // 2
    for name in ("reach", "reach_filtered", "municipality", "search"):
        bench(f"reach.{name}_national_ms", times[name], "ms", times["dashboard"])
    bench("reach.dashboard_national_ms", times["dashboard"], "ms", times["dashboard"])
    for name, count in counts.items():
        bench(f"reach.{name}_statements_{editions}_vs_10_editions", count, "statements",
              small_counts[name])
    slow = [name for name, ms in times.items() if ms >= 300]
    print(f"target: every page under 300 ms at {editions} editions per organiser: "
          + ("met" if not slow else f"NOT met ({', '.join(slow)})"), flush=True)


if __name__ == "__main__":
    main()
