"""Load and soak on loopback: 2 gunicorn workers on PostgreSQL, driven by wrk.

For the catalogue page, a edition feed (200 and 304) and a personal feed: requests per second
and 99th percentile, each beside a hello-world Flask route under the same gunicorn settings in
the same run. Then a soak at a steady rate: errors, and each worker's RSS at start and end.

    .venv/bin/python bench/load.py      # BENCH_SECONDS=10 per URL, BENCH_SOAK_SECONDS=300
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BENCH_DATABASE_URL,
    ROOT,
    app_env,
    bench,
    free_port,
    fresh_database,
    gunicorn,
    rss_mib,
    worker_pids,
)

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
SOAK_SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "300"))
SOAK_RATE = int(os.environ.get("BENCH_SOAK_RATE", "50"))  # requests per second
CONNECTIONS = 8


def wrk(url: str, headers: dict | None = None) -> tuple[float, float, dict]:
    """(requests per second, p99 in ms, status counts) of a wrk run against `url`."""
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    output = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    number, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output).groups()
    p99 = float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return rps, p99, {"non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
                      "socket_errors": errors.group(1) if errors else ""}


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), b""


def feed_urls(base: str, database_url: str) -> dict[str, str]:
    """The first edition feed the catalogue advertises, and a demo participant's personal feed."""
    urls = {}
    _, _, page = fetch(base + "/")
    links = re.findall(rb'<link[^>]+type="text/calendar"[^>]+href="([^"]+)"', page)
    track_pages = re.findall(rb'href="(/[a-z0-9-]+/[a-z0-9-]+/)"', page)
    for path in track_pages:
        _, _, track_page = fetch(base + path.decode())
        links += re.findall(rb'<link[^>]+type="text/calendar"[^>]+href="([^"]+)"', track_page)
    # The page names the public address (a full URL): an edition feed's path has four slashes
    # (/feeds/<organiser>/<track>/<edition>.ics), a track's three, the organiser's two.
    edition_paths = [path for path in (urlsplit(link.decode()).path for link in links)
                     if path.startswith("/feeds/") and path.count("/") == 4]
    if edition_paths:
        urls["edition_feed"] = base + edition_paths[0]
    personal = personal_feed_path(database_url)
    if personal:
        urls["personal_feed"] = base + personal
    return urls


def personal_feed_path(database_url: str) -> str | None:
    """A fresh personal feed link of an admitted demo participant (None before feeds exist)."""
    try:
        from trajectories.feeds.links import personal_path as path_for
        from trajectories.feeds.tokens import rotate_feed_token
    except ImportError:
        return None
    from sqlmodel import select

    from trajectories.core.db import Database
    from trajectories.people.models import Enrollment, EnrollmentStatus, Participant

    database = Database(database_url)
    with database.session(actor="bench") as session:
        participant = session.exec(
            select(Participant).join(Enrollment, Enrollment.participant_id == Participant.id)
            .where(Enrollment.status == EnrollmentStatus.ADMITTED)).first()
        if participant is None:
            return None
        token = rotate_feed_token(session, participant)
    database.dispose()
    return "/feeds/" + path_for(token)


def soak(urls: list[str], master_pid: int) -> None:
    """A steady rate over SOAK_SECONDS; every answer must be 200 or 304."""
    pids = worker_pids(master_pid)
    rss_start = {pid: rss_mib(pid) for pid in pids}
    sent, errors = 0, 0
    lock = threading.Lock()
    stop_at = time.monotonic() + SOAK_SECONDS

    def one(url: str) -> None:
        nonlocal errors
        status, _, _ = fetch(url)
        if status not in (200, 304):
            with lock:
                errors += 1

    interval = 1.0 / SOAK_RATE
    next_at = time.monotonic()
    threads = []
    while time.monotonic() < stop_at:
        url = urls[sent % len(urls)]
        thread = threading.Thread(target=one, args=(url,))
        thread.start()
        threads.append(thread)
        sent += 1
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))
        if len(threads) > 200:
            threads = [t for t in threads if t.is_alive()]
    for thread in threads:
        thread.join()
    bench("soak.errors", errors, "errors", sent)
    # gunicorn recycles a worker after ~5,000 requests (max_requests): compare the workers
    # running at the end with those at the start, and say how many were replaced.
    end_pids = worker_pids(master_pid)
    replaced = len(set(end_pids) - set(pids))
    for number, (start_pid, end_pid) in enumerate(zip(pids, end_pids, strict=False), 1):
        bench(f"soak.worker{number}.rss", rss_mib(end_pid), "MiB", rss_start[start_pid])
    print(f"# soak: {sent} requests in {SOAK_SECONDS} s, {replaced} worker(s) recycled")


def main() -> None:
    from trajectories.core.db import Database
    from trajectories.demo.loader import load_demo

    database_url = fresh_database(BENCH_DATABASE_URL)
    database = Database(database_url)
    for _ in load_demo(database):
        pass
    database.dispose()

    with tempfile.TemporaryDirectory() as var_dir:
        env = app_env(database_url, Path(var_dir))
        app_port, hello_port = free_port(), free_port()
        app = gunicorn("wsgi:app", app_port, env)
        hello = gunicorn("hello:app", hello_port, env, chdir=ROOT / "bench")
        try:
            base = f"http://127.0.0.1:{app_port}"
            hello_rps, hello_p99, _ = wrk(f"http://127.0.0.1:{hello_port}/")
            bench("load.hello.rps", hello_rps, "req/s", hello_rps)
            targets = {"catalogue": (base + "/", None)}
            for name, url in feed_urls(base, database_url).items():
                targets[name] = (url, None)
                if name == "edition_feed":
                    _, headers, _ = fetch(url)
                    etag = headers.get("ETag")
                    if etag:
                        targets["edition_feed_304"] = (url, {"If-None-Match": etag})
            for name, (url, headers) in targets.items():
                expected = 304 if headers else 200
                status, _, _ = fetch(url, headers)
                assert status == expected, f"{name}: {url} answered {status}, not {expected}"
                rps, p99, problems = wrk(url, headers)
                bench(f"load.{name}.rps", rps, "req/s", hello_rps)
                bench(f"load.{name}.p99", p99, "ms", hello_p99)
                if problems["non_2xx_3xx"] or problems["socket_errors"]:
                    print(f"# {name}: {problems}")
            if SOAK_SECONDS > 0:
                soak([url for url, _ in targets.values()], app.pid)
        finally:
            for process in (app, hello):
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
