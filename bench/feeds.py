"""Feeds: the cost of building one, and how fast they are served.

1. Building a feed of 10, 100, 1,000 and 10,000 sessions (VEVENT texts, VTIMEZONE, joining):
   microseconds per event, against the per-event cost at 10 (it must stay flat).
2. Under gunicorn (2 workers, the repository's gunicorn.conf.py) on PostgreSQL, driven by wrk on
   loopback: requests per second of a edition feed of realistic size (24 sessions, 8 deadlines),
   the same answered 304, and a personal feed (two editions), each beside two hello-world
   baselines in the same run: a route in the same app (bench/app_with_hello.py: same middleware,
   the issue's baseline) and a bare Flask app (bench/hello.py, as in bench/load.py).
   Targets: feed >= 0.5 x hello-world, 304 >= 0.8 x.

    .venv/bin/python bench/feeds.py          # BENCH_SECONDS=10 per wrk run, BENCH_ROUNDS=3
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, app_env, bench, free_port, fresh_database, gunicorn  # noqa: E402
from bench.load import fetch, wrk  # noqa: E402

#: Alternating rounds of (hello-world, target) per target; the best of each counts.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
DATABASE_URL = os.environ.get("TRAJECTORIES_BENCH_FEEDS_DATABASE_URL",
                              "postgresql://postgres@127.0.0.1:5432/traj_feeds_bench")


def build_costs() -> None:
    from trajectories.catalogue.models import Edition, Organiser, Track
    from trajectories.feeds import splice
    from trajectories.feeds.calendar import meeting_entry
    from trajectories.schedule.models import Meeting

    organiser = Organiser(id=1, slug="vng", name="VNG", country="NL", email="a@vng.nl")
    track = Track(id=1, organiser_id=1, slug="g4gg", title="Gemeenten4GlobalGoals", sdgs=[10, 11])
    edition = Edition(id=1, track_id=1, slug="2030", name="2030", timezone="Europe/Amsterdam")
    stamp = datetime(2030, 1, 1, tzinfo=UTC)
    baseline = None
    for size in (10, 100, 1_000, 10_000):
        meetings = [Meeting(
            id=i, edition_id=1, uid=f"m{i}@bench", title=f"Sessie {i}: duurzaam inkopen, deel {i}",
            on_date=date(2030, 1, 1) + timedelta(days=i % 700),
            starts_at=datetime(2030, 1, 1, 12, 30, tzinfo=UTC) + timedelta(days=i % 700),
            ends_at=datetime(2030, 1, 1, 14, 30, tzinfo=UTC) + timedelta(days=i % 700),
            description="Programma:\n- welkom\n- praktijkvoorbeelden; discussie",
            online_url="https://meet.example.org/x", created_at=stamp, updated_at=stamp)
            for i in range(size)]
        rounds = max(1, 2_000 // size)
        started = time.perf_counter()
        for _ in range(rounds):
            body = splice.feed_bytes(
                uid="bench", name="Bench", description="Bench", timezone="Europe/Amsterdam",
                texts=[splice.entry_text(meeting_entry(m, edition, track, organiser,
                                                       base_url="https://x.nl"))
                       for m in meetings])
        per_event = (time.perf_counter() - started) / rounds / size * 1e6
        baseline = baseline or per_event
        bench(f"feeds.build.{size}_events.per_event", per_event, "us", baseline)
        bench(f"feeds.build.{size}_events.size", len(body) / 1024, "KiB", len(body) / 1024)


def seed(database_url: str) -> tuple[str, str]:
    """A edition of realistic size and a participant in it and one more edition; returns the
    edition feed path and a personal feed path."""
    from datetime import time as clock_time

    from sqlmodel import SQLModel

    import trajectories.schema  # noqa: F401
    from trajectories.catalogue import services as catalogue
    from trajectories.core.db import Database
    from trajectories.feeds.tokens import personal_feed_path, rotate_feed_token
    from trajectories.people import services as people
    from trajectories.schedule import services as schedule

    database = Database(database_url)
    # Tables newer than the migration (the lead regenerates it after merging).
    SQLModel.metadata.create_all(database.engine)
    with database.session(actor="bench") as s:
        organiser = catalogue.create_organiser(s, slug="vng", name="VNG", country="NL",
                                               email="info@vng.example")
        track = catalogue.create_track(s, organiser, slug="g4gg", title="Gemeenten4GlobalGoals",
                                       sdgs=[1, 10, 11, 16, 17])
        editions = [catalogue.create_edition(s, track, slug=slug, name=slug)
                   for slug in ("2030", "2031")]
        participant = people.create_participant(s, name="Ans", email="ans@gemeente.example")
        for edition in editions:
            for n in range(24):
                meeting = schedule.plan_meeting(
                    s, edition, on_date=date(2030, 1, 7) + timedelta(weeks=n),
                    start=clock_time(13, 30), end=clock_time(15, 30),
                    title=f"Sessie {n + 1}: van ambitie naar actie", mode="hybrid",
                    location="Stadhuis, zaal 2", online_url="https://meet.example.org/g4gg",
                    description="Programma:\n- welkom\n- praktijk; uitwisseling, vragen")
                schedule.add_material(s, meeting, title="Presentatie",
                                      url="https://example.org/slides.pdf")
            for n in range(8):
                schedule.set_deadline(s, edition, title=f"Oplevering {n + 1}",
                                      due_date=date(2030, 2, 1) + timedelta(weeks=3 * n))
            people.enroll(s, edition, participant)
        token = rotate_feed_token(s, participant)
    database.dispose()
    return "/feeds/vng/g4gg/2030.ics", personal_feed_path(token)


def serving() -> None:
    url = fresh_database(DATABASE_URL)
    edition_path, personal_path = seed(url)
    with tempfile.TemporaryDirectory() as var_dir:
        env = app_env(url, Path(var_dir))
        app_port, hello_port = free_port(), free_port()
        app = gunicorn("app_with_hello:app", app_port, env, chdir=ROOT / "bench")
        hello = gunicorn("hello:app", hello_port, env, chdir=ROOT / "bench")
        try:
            base = f"http://127.0.0.1:{app_port}"
            baselines = {"hello_in_app": base + "/bench-hello",
                         "hello_bare": f"http://127.0.0.1:{hello_port}/"}
            status, headers, body = fetch(base + edition_path)
            assert status == 200, f"{edition_path}: {status}"
            print(f"# edition feed: {body.count(b'BEGIN:VEVENT')} events, {len(body)} bytes")
            targets = {
                "edition": (base + edition_path, None, 200),
                "edition_304": (base + edition_path, {"If-None-Match": headers["ETag"]}, 304),
                "personal": (base + personal_path, None, 200),
            }
            for name, (target, request_headers, expected) in targets.items():
                status, _, _ = fetch(target, request_headers)
                assert status == expected, f"{name}: {status}, not {expected}"
                # The machine is shared: alternate baselines and target, keep the best of each.
                best = {}
                for _ in range(ROUNDS):
                    for label, address in [*baselines.items(), (name, target)]:
                        result = wrk(address, request_headers if label == name else None)
                        if label not in best or result[0] > best[label][0]:
                            best[label] = result
                rps, p99, problems = best[name]
                for label in baselines:
                    hello_rps, hello_p99, _ = best[label]
                    bench(f"feeds.serve.{label}_beside_{name}.rps", hello_rps, "req/s",
                          hello_rps)
                    bench(f"feeds.serve.{name}.rps_vs_{label}", rps, "req/s", hello_rps)
                    bench(f"feeds.serve.{name}.p99_vs_{label}", p99, "ms", hello_p99)
                if problems["non_2xx_3xx"] or problems["socket_errors"]:
                    print(f"# {name}: {problems}")
        finally:
            for process in (app, hello):
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    build_costs()
    serving()
