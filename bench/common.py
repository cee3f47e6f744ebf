"""What the bench scripts share: the BENCH line, a fresh PostgreSQL database, servers."""

from __future__ import annotations

import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BENCH_DATABASE_URL = os.environ.get("TRAJECTORIES_BENCH_DATABASE_URL",
                                    "postgresql://postgres@127.0.0.1:5432/traj_bench")


def bench(name: str, value: float, unit: str, baseline: float) -> None:
    ratio = value / baseline if baseline else float("nan")
    print(f"BENCH {name} value={value:.6g} unit={unit} baseline={baseline:.6g} ratio={ratio:.3g}",
          flush=True)


def fresh_database(url: str = BENCH_DATABASE_URL) -> str:
    """Drop and create the bench database (never the test or production one), schema at head."""
    from trajectories.core.migrate import upgrade

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    upgrade(url)
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def gunicorn(app: str, port: int, env: dict, workers: int = 2, chdir: Path = ROOT):
    """gunicorn with the repository's gunicorn.conf.py; returns the master's Popen."""
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "--chdir", str(chdir),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), app],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(f"http://127.0.0.1:{port}/")
    return process


def worker_pids(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_app(database_url: str, var_dir: str, **settings):
    """The app in-process on a bench database (test mode: no CSRF), its files in `var_dir`,
    logging only warnings; `settings` override (`feed_publisher="scheduler"`)."""
    import logging

    from trajectories.app import create_app

    logging.getLogger("trajectories").setLevel(logging.WARNING)
    return create_app({"database_url": database_url, "secret_key": "bench", "var_dir": var_dir,
                       "calendars_dir": f"{var_dir}/calendars", "TESTING": True,
                       "WTF_CSRF_ENABLED": False, **settings})


def as_gunicorn_worker() -> None:
    """For a bench that serves the app in its own process: what gunicorn.conf.py's `pre_fork`
    does in production once the app is loaded (the garbage collector's settings; the start-up's
    objects frozen). Without it every full collection walks the ~200,000 objects of the loaded
    app, which no production worker does."""
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))["pre_fork"](None, None)


def app_env(database_url: str, var_dir: Path, **extra: str) -> dict:
    return {**os.environ, "TRAJECTORIES_PRODUCTION": "1", "TRAJECTORIES_SECRET_KEY": "b" * 64,
            "TRAJECTORIES_DATABASE_URL": database_url, "TRAJECTORIES_VAR_DIR": str(var_dir),
            "TRAJECTORIES_CALENDARS_DIR": str(var_dir / "calendars"),
            # Production refuses per-worker rate limits (memory://): Redis, as in production.
            "TRAJECTORIES_RATELIMIT_STORAGE_URI": os.environ.get(
                "TRAJECTORIES_BENCH_REDIS_URI", "redis://127.0.0.1:6379/13"), **extra}
