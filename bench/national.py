"""A simulated national scale on PostgreSQL: every municipality of the Netherlands and Flanders
plus other bodies (700 organisations), 20,000 participants, 2,000 editions with their sessions,
deadlines, enrollments and submissions. Then the times of what a national platform does often.

    .venv/bin/python bench/national.py

Baselines come from the same run on the demo data set (a few dozen rows), so each ratio says
how much the national scale costs over the demo.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from bench.common import BENCH_DATABASE_URL, bench, bench_app, fresh_database  # noqa: E402
from trajectories.catalogue.models import Edition, Organiser, Track  # noqa: E402
from trajectories.core.clock import utcnow  # noqa: E402
from trajectories.core.db import Database  # noqa: E402
from trajectories.core.reference import municipalities  # noqa: E402
from trajectories.people.models import Enrollment, Organisation, Participant, Submission  # noqa: E402
from trajectories.schedule.models import Deadline, Meeting, new_uid  # noqa: E402

ORGANISATIONS = 700
PARTICIPANTS = 20_000
EDITIONS = 2_000
EDITIONS_PER_TRACK = 5
SESSIONS_PER_EDITION = 6
DEADLINES_PER_EDITION = 3


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def generate(database: Database, seed: int = 2026) -> None:
    """Bulk-insert the national data set (core inserts: a platform migrating its history in)."""
    rng = random.Random(seed)
    today = date.today()
    now = utcnow()
    with database.session(actor="bench") as session:
        organiser_ids = [session.execute(insert(Organiser).returning(Organiser.id), [row]).scalar()
                         for row in (
            dict(slug="vng", name="VNG", country="NL", email="a@vng.example", updated_at=now),
            dict(slug="vvsg", name="VVSG", country="BE", email="a@vvsg.example", updated_at=now))]
        places = list(municipalities())
        organisations = [dict(name=m.name, kind="municipality", country=m.country, code=m.code,
                              province=m.province) for m in places]
        organisations += [dict(name=f"Samenwerkingsverband {n}", kind="other",
                               country=rng.choice(["NL", "BE"]), code=None, province="")
                          for n in range(ORGANISATIONS - len(organisations))]
        session.execute(insert(Organisation), organisations)
        organisation_ids = session.scalars(select(Organisation.id)).all()

        session.execute(insert(Participant), [
            dict(name=f"Deelnemer {n}", email=f"deelnemer{n}@gemeente{n % 700}.example",
                 role="Beleidsadviseur", organisation_id=rng.choice(organisation_ids),
                 language="nl", created_at=now) for n in range(PARTICIPANTS)])
        participant_ids = session.scalars(select(Participant.id)).all()

        tracks = EDITIONS // EDITIONS_PER_TRACK
        session.execute(insert(Track), [
            dict(organiser_id=organiser_ids[n % 2], slug=f"traject-{n}", title=f"Leertraject {n}",
                 summary="Een leertraject over de Global Goals in de gemeente.",
                 sdgs=sorted(rng.sample(range(1, 18), 3)), theme=rng.choice(
                     ["Inclusie", "Klimaat", "Duurzaam aankopen", "Participatie"]),
                 updated_at=now) for n in range(tracks)])
        track_ids = session.scalars(select(Track.id)).all()

        editions = []
        for track_id in track_ids:
            for edition in range(EDITIONS_PER_TRACK):
                # Editions spread from four years ago to next year: most are history.
                start = today + timedelta(days=365 * (edition - 3) + rng.randrange(0, 200))
                zone = "Europe/Amsterdam" if track_id % 2 else "Europe/Brussels"
                editions.append(dict(
                    track_id=track_id, slug=f"editie-{edition}", name=f"Editie {edition + 1}",
                    timezone=zone, capacity=40, eligibility="anyone", requires_approval=False,
                    coordinator_email="coordinator@example.org", created_at=now, updated_at=now,
                    registration_opens_at=_at(start - timedelta(days=60), 9, zone),
                    registration_closes_at=_at(start - timedelta(days=7), 17, zone)))
        session.execute(insert(Edition), editions)
        edition_rows = session.execute(select(Edition.id, Edition.registration_closes_at,
                                             Edition.timezone)).all()

        meetings, deadlines, enrollments = [], [], []
        for edition_id, closes_at, zone in edition_rows:
            first = closes_at.astimezone(ZoneInfo(zone)).date() + timedelta(days=7)
            for number in range(SESSIONS_PER_EDITION):
                day = first + timedelta(days=28 * number)
                meetings.append(dict(
                    edition_id=edition_id, uid=new_uid(), title=f"Sessie {number + 1}",
                    kind="session", on_date=day, starts_at=_at(day, 13, zone, 30),
                    ends_at=_at(day, 15, zone, 30), mode="online",
                    online_url="https://meet.example.org/sessie", description="Agenda volgt.",
                    status="scheduled", created_at=now, updated_at=now))
            for number in range(DEADLINES_PER_EDITION):
                deadlines.append(dict(
                    edition_id=edition_id, uid=new_uid(), title=f"Opdracht {number + 1}",
                    due_date=first + timedelta(days=50 * (number + 1)), delivered_by="participant",
                    created_at=now, updated_at=now))
        session.execute(insert(Meeting), meetings)
        session.execute(insert(Deadline), deadlines)

        # Every participant in one edition (10 per edition), a few in a second one.
        edition_ids = [row[0] for row in edition_rows]
        pairs = {(pid, edition_ids[n % len(edition_ids)]) for n, pid in enumerate(participant_ids)}
        pairs |= {(rng.choice(participant_ids), rng.choice(edition_ids)) for _ in range(2_000)}
        enrollments = [dict(participant_id=p, edition_id=c, status="admitted", created_at=now,
                            updated_at=now) for p, c in sorted(pairs)]
        session.execute(insert(Enrollment), enrollments)

        deadline_rows = session.execute(select(Deadline.id, Deadline.edition_id)).all()
        by_edition: dict[int, list[int]] = {}
        for deadline_id, edition_id in deadline_rows:
            by_edition.setdefault(edition_id, []).append(deadline_id)
        submissions = [dict(deadline_id=deadline_id, participant_id=p, text="Ingeleverd.",
                            submitted_at=now, late=False)
                       for p, c in sorted(pairs) for deadline_id in by_edition[c]
                       if rng.random() < 0.4]
        session.execute(insert(Submission), submissions)
        session.commit()


def _at(day: date, hour: int, zone: str, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(
        ZoneInfo("UTC"))


def measure(database_url: str) -> dict[str, float]:
    """Seconds for each operation a national platform does often, on the data set present."""
    from trajectories.accounts.services import create_coordinator
    from trajectories.feeds.publish import publish_all
    from trajectories.scheduler.plan import plan_all

    with tempfile.TemporaryDirectory() as var_dir:
        app = bench_app(database_url, var_dir)
        database = app.extensions["trajectories.db"]
        settings = app.config["SETTINGS"]
        with database.session(actor="bench") as session:
            vng = session.scalars(select(Organiser).where(Organiser.slug == "vng")).one()
            create_coordinator(session, email="bench@vng.example", name="Bench",
                               password="bench-wachtwoord-2026", organiser=vng)
        client = app.test_client()
        _ok(client.post("/beheer/inloggen", data={"email": "bench@vng.example",
                                                  "password": "bench-wachtwoord-2026"}),
            expected=302)
        times = {
            "catalogue": timed(lambda: _ok(client.get("/"))),
            "dashboard": timed(lambda: _ok(client.get("/beheer/"))),
            "publish_feeds": timed(lambda: publish_all(database, settings)),
        }

        def replan():
            with database.begin(actor="bench") as session:
                plan_all(session)

        times["replan"] = timed(replan)
        database.dispose()
    return times


def _ok(response, expected: int = 200) -> None:
    assert response.status_code == expected, response.status_code


def main() -> None:
    from trajectories.demo.loader import load_demo

    demo_url = fresh_database(BENCH_DATABASE_URL)
    database = Database(demo_url)
    demo_load = timed(lambda: list(load_demo(database)))
    database.dispose()
    demo_times = measure(demo_url)

    national_url = fresh_database(BENCH_DATABASE_URL)
    database = Database(national_url)
    national_load = timed(lambda: generate(database))
    database.dispose()
    national_times = measure(national_url)

    bench("national.load", national_load, "s", demo_load)
    for name, seconds in national_times.items():
        bench(f"national.{name}", seconds * 1000, "ms", demo_times.get(name, 0) * 1000)


if __name__ == "__main__":
    main()
