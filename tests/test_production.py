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

from conftest import free_port

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


def test_serve_prod_runs_gunicorn_with_json_request_lines(tmp_path, database_url):
    port = free_port()
    env = {**os.environ, "TRAJECTORIES_PRODUCTION": "1", "TRAJECTORIES_SECRET_KEY": "k" * 64,
           "TRAJECTORIES_DATABASE_URL": database_url, "TRAJECTORIES_VAR_DIR": str(tmp_path)}
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
