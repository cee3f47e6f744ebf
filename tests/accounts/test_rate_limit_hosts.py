"""Two web hosts with TRAJECTORIES_RATELIMIT_STORAGE_URI on one Redis share their rate limits:
failed sign-ins on one host count on the other (memory storage would give each its own)."""

import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.conftest import free_port, redis_client
from tests.web.test_production import _wait_for

#: Real processes (see pyproject.toml's markers): `make test` runs these apart, after the rest.
pytestmark = pytest.mark.slow

REDIS_URI = os.environ.get("TRAJECTORIES_TEST_REDIS_URI", "redis://127.0.0.1:6379/15")
TRAJECTORIES = str(Path(sys.executable).with_name("trajectories"))
LOGIN = "/beheer/inloggen"


def _redis():
    return redis_client(REDIS_URI)


def _post_login(opener, base: str, token: str) -> int:
    body = urllib.parse.urlencode({"csrf_token": token, "email": "niemand@example.org",
                                   "password": "fout-wachtwoord"}).encode()
    try:
        return opener.open(base + LOGIN, data=body, timeout=10).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_login_limit_is_shared_by_two_hosts_through_redis(tmp_path, database_url):
    client = _redis()
    client.flushdb()  # database 15: this test's own
    env = {**os.environ, "TRAJECTORIES_PRODUCTION": "1", "TRAJECTORIES_SECRET_KEY": "k" * 64,
           "TRAJECTORIES_DATABASE_URL": database_url, "TRAJECTORIES_VAR_DIR": str(tmp_path),
           "TRAJECTORIES_RATELIMIT_STORAGE_URI": REDIS_URI}
    ports = [free_port(), free_port()]
    hosts = [subprocess.Popen([TRAJECTORIES, "serve", "--prod", "--port", str(port),
                               "--workers", "1"], env=env, stderr=subprocess.DEVNULL)
             for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            _wait_for(base + "/healthz")
        # One browser session (same secret key on both hosts, so the cookie works on both).
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        page = opener.open(bases[0] + LOGIN).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                          r'name="csrf_token" value="([^"]+)"', page)
        token = next(group for group in token.groups() if group)

        statuses = [_post_login(opener, bases[n % 2], token) for n in range(10)]
        assert statuses == [400] * 10  # wrong password, shown beside the field
        assert _post_login(opener, bases[0], token) == 429
        assert _post_login(opener, bases[1], token) == 429
    finally:
        for host in hosts:
            host.send_signal(signal.SIGTERM)
            host.wait(timeout=30)
        client.flushdb()
