"""Public pages and "my trajectories": median time per request in-process (Flask test client,
SQLite), each beside a hello-world route added to the same app (the baseline). Then the cached
public pages (catalogue, organiser, track; both languages) as requests per second against
hello-world's, measured in turns in the same run (target: ratio >= 0.5).

    .venv/bin/python bench/public_pages.py          # BENCH_ROUNDS=200 requests per page

The province pages at national scale (bench/national.py's data set, on the bench PostgreSQL
database `TRAJECTORIES_BENCH_DATABASE_URL`, which is dropped and made again): /provincies/ and
Noord-Brabant's and Antwerpen's (the biggest of each country), built (the page cache emptied
before each request) and cached, each beside hello-world in the same app.

    TRAJECTORIES_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/provinces_bench \
        .venv/bin/python bench/public_pages.py provinces   # only the province pages
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))


def median_ms(client, path: str) -> float:
    client.get(path)  # warm up (templates compiled, caches filled)
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times)


def per_second(client, path: str) -> float:
    """Requests per second, sequential, after a warm-up (the page then comes from the cache)."""
    client.get(path)
    started = time.perf_counter()
    for _ in range(ROUNDS):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return ROUNDS / (time.perf_counter() - started)


def throughput(client, pages: dict[str, str], turns: int = 5) -> None:
    """Each page in turns with hello-world (the machine is shared: the best turn of each)."""
    best = {name: 0.0 for name in ("hello", *pages)}
    for _ in range(turns):
        for name, path in (("hello", "/bench-hello"), *pages.items()):
            best[name] = max(best[name], per_second(client, path))
    for name in pages:
        bench(f"public.{name}.requests_per_second", best[name], "req/s", best["hello"])


def built_ms(app, client, path: str, rounds: int) -> float:
    """Median time of a page built afresh: the page cache emptied before each request."""
    from trajectories.web.page_cache import page_cache

    client.get(path)
    times = []
    for _ in range(rounds):
        with app.app_context():
            page_cache().clear()
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times)


def provinces() -> None:
    """The province pages on the national data set (PostgreSQL)."""
    from bench import national
    from bench.common import BENCH_DATABASE_URL, bench_app, fresh_database
    from trajectories.core.db import Database

    url = fresh_database(os.environ.get("TRAJECTORIES_BENCH_DATABASE_URL", BENCH_DATABASE_URL))
    database = Database(url)
    national.generate(database)
    with database.engine.connect() as conn:  # statistics, as autovacuum keeps them in production
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    database.dispose()
    with tempfile.TemporaryDirectory() as var_dir:
        app = bench_app(url, var_dir)
        app.add_url_rule("/bench-hello", "bench_hello", lambda: "Hallo wereld")
        client = app.test_client()
        rounds = max(ROUNDS // 10, 15)
        hello = median_ms(client, "/bench-hello")
        pages = {"overview": "/provincies/", "noord_brabant": "/provincies/noord-brabant",
                 "antwerpen": "/provincies/antwerpen"}
        for name, path in pages.items():
            bench(f"public.provinces.{name}.national.built_median", built_ms(app, client, path, rounds),
                  "ms", hello)
        throughput(client, {f"provinces.{name}.national.cached": path
                            for name, path in pages.items()})
        app.extensions["trajectories.db"].dispose()


def main() -> None:
    from sqlmodel import SQLModel

    import trajectories.schema  # noqa: F401
    from trajectories.app import create_app
    from trajectories.catalogue import services as catalogue
    from trajectories.core.clock import utcnow
    from trajectories.demo.loader import load_demo
    from trajectories.people import services as people

    directory = tempfile.mkdtemp(prefix="bench-public-")
    app = create_app({"database_url": f"sqlite:///{directory}/bench.db", "var_dir": directory,
                      "calendars_dir": f"{directory}/calendars", "secret_key": "bench"})
    app.logger.disabled = True
    import logging

    logging.getLogger("trajectories.request").setLevel(logging.WARNING)
    app.add_url_rule("/bench-hello", "bench_hello", lambda: "Hallo wereld")
    db = app.extensions["trajectories.db"]
    SQLModel.metadata.create_all(db.engine)
    list(load_demo(db))
    client = app.test_client()
    hello = median_ms(client, "/bench-hello")

    pages = {"catalogue.demo": "/", "catalogue.filtered": "/?sdg=10&status=registration_open",
             "track.demo": "/vng/praktijkproef-inclusie/",
             "register_form": "/vng/praktijkproef-inclusie/tweede-editie/inschrijven",
             "accessibility": "/toegankelijkheid"}
    for name, path in pages.items():
        bench(f"public.{name}.median", median_ms(client, path), "ms", hello)

    # A national catalogue: 300 tracks with two editions each.
    with db.session() as session:
        organiser = catalogue.create_organiser(session, slug="bench", name="Bench", country="NL",
                                               email="bench@example.org")
        now = utcnow()
        for n in range(300):
            track = catalogue.create_track(session, organiser, slug=f"t{n}", title=f"Traject {n}",
                                           sdgs=[1 + n % 17], theme=f"Thema {n % 12}")
            for e in range(2):
                catalogue.create_edition(session, track, slug=f"e{e}", name=f"Editie {e}",
                                        registration_opens_at=now - timedelta(days=1),
                                        registration_closes_at=now + timedelta(days=30))
        later = catalogue.create_track(session, organiser, slug="later", title="Later traject")
        catalogue.create_edition(session, later, slug="e0", name="Editie 0",  # interest form
                                 registration_opens_at=now + timedelta(days=30))
        participant = people.find_participant(session, "s.bakker@noordenveld.example")
    bench("public.catalogue.300_tracks.median", median_ms(client, "/bench/"), "ms", hello)
    bench("public.catalogue.300_tracks_search.median",
          median_ms(client, "/bench/?q=traject+29"), "ms", hello)

    throughput(client, {"catalogue.cached": "/", "catalogue.cached_en": "/?lang=en",
                        "organiser.cached": "/bench/", "track.cached": "/vng/praktijkproef-inclusie/",
                        "track.cached_en": "/vng/praktijkproef-inclusie/?lang=en",
                        "track.interest_form.cached": "/bench/later/"})

    with client.session_transaction() as cookie:
        cookie["participant_id"] = participant.id
        cookie["participant_email"] = participant.email
    bench("public.my_trajectories.median", median_ms(client, "/mijn/"), "ms", hello)


if __name__ == "__main__":
    if sys.argv[1:] != ["provinces"]:
        main()
    provinces()
