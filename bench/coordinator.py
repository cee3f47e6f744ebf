"""Coordinator pages with a realistic edition: 1,000 participants, six sessions with attendance,
two deadlines (half delivered). Median and 95th percentile of the dashboard, enrollments and
deliverables pages, against a hello-world route in the same app and process (Flask test client,
SQLite file; set TRAJECTORIES_BENCH_COORDINATOR_URL=postgresql://... for PostgreSQL). The process
is set up as gunicorn.conf.py sets up a production worker (the loaded app frozen for the garbage
collector, its thresholds), so a full collection costs what it costs there.

    .venv/bin/python bench/coordinator.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import SQLModel  # noqa: E402

from bench.common import as_gunicorn_worker, bench  # noqa: E402
from trajectories import schema  # noqa: E402,F401
from trajectories.accounts import services as accounts  # noqa: E402
from trajectories.app import create_app  # noqa: E402
from trajectories.catalogue import services as catalogue  # noqa: E402
from trajectories.people.models import (  # noqa: E402
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Participant,
    Submission,
)
from trajectories.schedule import services as schedule  # noqa: E402

PARTICIPANTS = 1000
ROUNDS = 40


def build(db) -> tuple[int, int]:
    with db.session(actor="bench") as s:
        organiser = catalogue.create_organiser(s, slug="vng", name="VNG", country="NL",
                                               email="vng@example.org")
        accounts.create_coordinator(s, email="bench@example.org", name="Bench",
                                    password="bench-wachtwoord-2026", organiser=organiser)
        track = catalogue.create_track(s, organiser, slug="groot", title="Groot traject",
                                       sdgs=[11])
        edition = catalogue.create_edition(s, track, slug="2030", name="2030")
        meetings = [schedule.plan_meeting(s, edition, title=f"Sessie {i}",
                                          on_date=date(2030, 1 + i, 13), start=clock_time(13, 30),
                                          end=clock_time(15, 30)) for i in range(6)]
        deadlines = [schedule.set_deadline(s, edition, title=f"Oplevering {i}",
                                           due_date=date(2030, 3 + 3 * i, 1)) for i in range(2)]
        # Set-up only: rows in bulk (the services would take minutes for 1,000 people).
        people = [Participant(name=f"Deelnemer {i}", email=f"d{i}@gemeente.example")
                  for i in range(PARTICIPANTS)]
        s.add_all(people)
        s.flush()
        s.add_all(Enrollment(participant_id=p.id, edition_id=edition.id,
                             status=EnrollmentStatus.ADMITTED) for p in people)
        s.add_all(Attendance(meeting_id=m.id, participant_id=p.id, present=i % 3 > 0)
                  for m in meetings for i, p in enumerate(people))
        s.add_all(Submission(deadline_id=deadlines[0].id, participant_id=p.id, text="klaar")
                  for p in people[::2])
        s.commit()
        return edition.id, deadlines[0].id


def timings(client, url: str) -> tuple[list[float], list[float]]:
    """Seconds per request: elapsed, and this process's CPU time (what a request costs when
    other processes share the cores)."""
    assert client.get(url).status_code == 200, url  # warm up
    elapsed, cpu = [], []
    for _ in range(ROUNDS):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        elapsed.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, url
    return elapsed, cpu


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("TRAJECTORIES_BENCH_COORDINATOR_URL") or f"sqlite:///{tmp}/bench.db"
        app = create_app({"database_url": url, "var_dir": tmp, "secret_key": "bench",
                          "calendars_dir": f"{tmp}/calendars", "WTF_CSRF_ENABLED": False})
        app.add_url_rule("/bench-hello", "bench_hello", lambda: "Hallo wereld")
        as_gunicorn_worker()  # as production's workers are once the app is loaded
        db = app.extensions["trajectories.db"]
        SQLModel.metadata.create_all(db.engine)
        edition_id, deadline_id = build(db)
        client = app.test_client()
        client.post("/beheer/inloggen", data={"email": "bench@example.org",
                                              "password": "bench-wachtwoord-2026"})
        hello, hello_cpu = timings(client, "/bench-hello")
        base_median, base_p95 = statistics.median(hello) * 1000, p95(hello) * 1000
        for name, page in (("dashboard", "/beheer/"),
                           ("enrollments", f"/beheer/edities/{edition_id}/inschrijvingen"),
                           ("deliverables", f"/beheer/deadlines/{deadline_id}"),
                           ("edition", f"/beheer/edities/{edition_id}")):
            values, cpu = timings(client, page)
            bench(f"coordinator_{name}_median_1000", statistics.median(values) * 1000, "ms",
                  base_median)
            bench(f"coordinator_{name}_p95_1000", p95(values) * 1000, "ms", base_p95)
            bench(f"coordinator_{name}_cpu_p95_1000", p95(cpu) * 1000, "ms", p95(hello_cpu) * 1000)
        db.dispose()


if __name__ == "__main__":
    main()
