"""Production serving: `trajectories serve --prod` runs gunicorn with the repository's
configuration, answers /healthz and writes one JSON line per request."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port, redis_client

#: Real processes (see pyproject.toml's markers): `make test` runs these apart, after the rest.
pytestmark = pytest.mark.slow

#: Rate limits shared by the workers (database 14: this file's own; test_rate_limit_hosts has 15).
REDIS_URI = os.environ.get("TRAJECTORIES_TEST_REDIS_URI_WORKERS", "redis://127.0.0.1:6379/14")

TRAJECTORIES = str(Path(sys.executable).with_name("trajectories"))


def _wait_for(url: str, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _redis():
    client = redis_client(REDIS_URI)
    client.flushdb()
    return client


def test_serve_prod_runs_gunicorn_with_json_request_lines(tmp_path, database_url):
    _redis()
    port = free_port()
    env = {**os.environ, "TRAJECTORIES_PRODUCTION": "1", "TRAJECTORIES_SECRET_KEY": "k" * 64,
           "TRAJECTORIES_DATABASE_URL": database_url, "TRAJECTORIES_VAR_DIR": str(tmp_path),
           "TRAJECTORIES_RATELIMIT_STORAGE_URI": REDIS_URI}
    server = subprocess.Popen([TRAJECTORIES, "serve", "--prod", "--port", str(port),
                               "--workers", "2"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        body = json.loads(_wait_for(f"http://127.0.0.1:{port}/healthz"))
        assert body["database"] == "ok"
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    assert server.returncode == 0
    request_lines = [json.loads(line) for line in stderr.splitlines()
                     if line.startswith("{") and '"trajectories.request"' in line]
    assert any(entry["path"] == "/healthz" and entry["status"] == 200 for entry in request_lines)
    workers_booted = [line for line in stderr.splitlines() if "Booting worker" in line]
    assert len(workers_booted) == 2


def test_serve_prod_refuses_missing_secret_key_with_one_line(tmp_path):
    env = {**os.environ, "TRAJECTORIES_PRODUCTION": "1", "TRAJECTORIES_VAR_DIR": str(tmp_path)}
    env.pop("TRAJECTORIES_SECRET_KEY", None)
    result = subprocess.run([TRAJECTORIES, "serve", "--prod", "--port", str(free_port())],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: TRAJECTORIES_SECRET_KEY: required in production")


def test_serve_prod_refuses_per_worker_rate_limits_with_one_line(tmp_path):
    """memory:// counts in each worker alone: 5 workers would allow 50 wrong passwords a minute
    against a limit of 10. Production with several workers refuses to start with it."""
    env = {**os.environ, "TRAJECTORIES_PRODUCTION": "1", "TRAJECTORIES_SECRET_KEY": "k" * 64,
           "TRAJECTORIES_VAR_DIR": str(tmp_path),
           "TRAJECTORIES_DATABASE_URL": f"sqlite:///{tmp_path}/t.db"}
    env.pop("TRAJECTORIES_RATELIMIT_STORAGE_URI", None)  # the default: memory://
    result = subprocess.run([TRAJECTORIES, "serve", "--prod", "--port", str(free_port()),
                             "--workers", "2"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines()
              if line.startswith("Configuration error")]
    assert len(errors) == 1
    assert errors[0].startswith("Configuration error: TRAJECTORIES_RATELIMIT_STORAGE_URI: ")
    assert "Booting worker" not in result.stderr


def test_workers_share_the_sign_in_limit_through_redis(tmp_path, database_url):
    """Three workers, one count: the 11th wrong password in a minute is refused, whichever
    worker answers."""
    import re
    import urllib.error
    import urllib.parse
    from http.cookiejar import CookieJar

    _redis()
    port = free_port()
    env = {**os.environ, "TRAJECTORIES_PRODUCTION": "1", "TRAJECTORIES_SECRET_KEY": "k" * 64,
           "TRAJECTORIES_DATABASE_URL": database_url, "TRAJECTORIES_VAR_DIR": str(tmp_path),
           "TRAJECTORIES_RATELIMIT_STORAGE_URI": REDIS_URI}
    server = subprocess.Popen([TRAJECTORIES, "serve", "--prod", "--port", str(port),
                               "--workers", "3"], env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/beheer/inloggen"
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz")
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        page = opener.open(base).read().decode()
        token = next(g for g in re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                                          r'name="csrf_token" value="([^"]+)"', page).groups()
                     if g)
        body = urllib.parse.urlencode({"csrf_token": token, "email": "niemand@example.org",
                                       "password": "fout"}).encode()

        def attempt() -> int:
            try:
                return opener.open(base, data=body, timeout=10).status
            except urllib.error.HTTPError as exc:
                return exc.code

        assert [attempt() for _ in range(10)] == [400] * 10
        assert [attempt() for _ in range(5)] == [429] * 5
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_recycled_workers_start_warm_and_lose_no_request_line(tmp_path, database_url):
    """The master warms the caches once; every worker, a recycled one too, is forked with them.
    A worker that stops after its `max_requests` leaves without the interpreter's teardown
    (gunicorn.conf.py's worker_exit), and still writes every request line first."""
    _redis()
    port = free_port()
    env = {**os.environ, "TRAJECTORIES_PRODUCTION": "1", "TRAJECTORIES_SECRET_KEY": "k" * 64,
           "TRAJECTORIES_DATABASE_URL": database_url, "TRAJECTORIES_VAR_DIR": str(tmp_path),
           "TRAJECTORIES_RATELIMIT_STORAGE_URI": REDIS_URI,
           "GUNICORN_CMD_ARGS": "--max-requests 3 --max-requests-jitter 0"}
    server = subprocess.Popen([TRAJECTORIES, "serve", "--prod", "--port", str(port),
                               "--workers", "1"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz")
        for _ in range(8):  # with the wait above: three workers' worth
            assert _wait_for(f"http://127.0.0.1:{port}/").startswith(b"<!doctype html>")
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    assert server.returncode == 0
    lines = stderr.splitlines()
    assert sum("Warmed" in line and "for the workers" in line for line in lines) == 1
    assert sum("Booting worker" in line for line in lines) >= 3
    catalogue_lines = [line for line in lines
                       if '"trajectories.request"' in line and json.loads(line)["path"] == "/"]
    assert len(catalogue_lines) == 8 + 1  # and the master's own render when it warmed
    assert "Traceback" not in stderr and "Exception during worker exit" not in stderr
