"""Serving published feeds like the anchors: nginx serving `calendars/` beside the app (gunicorn,
2 workers, the repository's gunicorn.conf.py) serving the same edition feed, on PostgreSQL.

The nginx configuration is the server block of docs/deploy.md, read from the document itself, so
the bench runs what the deployment guide tells you to run. Only what must differ on this machine
is replaced: TLS (`listen 443 ssl http2` becomes a plain loopback port), the app's address and the
two folders. Both answer the same bytes (checked before measuring); then wrk alternates rounds of
app and nginx, and the best round of each counts (the machine is shared).

    .venv/bin/python bench/nginx.py        # BENCH_SECONDS=10 per wrk run, BENCH_ROUNDS=3
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIN, ROOT, app_env, bench, free_port, fresh_database, gunicorn, wait_for  # noqa: E402
from bench.feeds import seed  # noqa: E402
from bench.load import fetch, wrk  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
DATABASE_URL = os.environ.get("TRAJECTORIES_BENCH_NGINX_DATABASE_URL",
                              "postgresql://postgres@127.0.0.1:5432/traj_nginx_bench")


def deploy_block() -> str:
    """The ```nginx block of docs/deploy.md."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    return re.search(r"```nginx\n(.*?)```", text, re.S).group(1)


def nginx_conf(work: Path, port: int, app_port: int, calendars: Path) -> str:
    """docs/deploy.md's block on a loopback port, inside the minimal main context nginx needs."""
    block = deploy_block()
    replacements = {
        "listen 443 ssl http2;": f"listen 127.0.0.1:{port};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "/srv/trajectories/calendars/": f"{calendars}/",
        "/srv/trajectories/app/static/": f"{ROOT / 'static'}/",
    }
    for old, new in replacements.items():
        assert old in block, f"docs/deploy.md's nginx block no longer has {old!r}"
        block = block.replace(old, new)
    return (f"worker_processes 2;\npid {work}/nginx.pid;\nerror_log {work}/error.log warn;\n"
            "daemon off;\nevents { worker_connections 1024; }\n"
            f"http {{\n  access_log off;\n  client_body_temp_path {work}/body;\n"
            f"  proxy_temp_path {work}/proxy;\n  sendfile on;\n{block}}}\n")


def main() -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("# nginx is not installed (apt-get install nginx-light); skipped")
        return
    url = fresh_database(DATABASE_URL)
    edition_path, _personal = seed(url)
    with tempfile.TemporaryDirectory() as var_dir:
        var = Path(var_dir)
        var.chmod(0o755)  # nginx's workers (www-data) read the published files, as in production
        env = app_env(url, var)
        subprocess.run([str(BIN / "trajectories"), "publish-calendars"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        app_port, nginx_port = free_port(), free_port()
        app = gunicorn("wsgi:app", app_port, env)
        conf = var / "nginx.conf"
        conf.write_text(nginx_conf(var, nginx_port, app_port, var / "calendars"))
        server = subprocess.Popen([nginx, "-p", str(var), "-c", str(conf)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(f"http://127.0.0.1:{nginx_port}/healthz")
            from_app = fetch(f"http://127.0.0.1:{app_port}{edition_path}")
            from_nginx = fetch(f"http://127.0.0.1:{nginx_port}{edition_path}")
            assert from_app[0] == from_nginx[0] == 200, (from_app[0], from_nginx[0])
            assert from_app[2] == from_nginx[2], "nginx and the app answer different feeds"
            assert "text/calendar" in from_nginx[1]["Content-Type"], from_nginx[1]
            # From disk, not passed on to the app (nginx's own ETag: mtime-size in hex).
            assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', from_nginx[1].get("ETag", "")), \
                (from_nginx[1], (var / "error.log").read_text()[-2000:])
            print(f"# edition feed {edition_path}: {len(from_app[2])} bytes, the same from both")
            best: dict[str, tuple] = {}
            targets = {"app": f"http://127.0.0.1:{app_port}{edition_path}",
                       "nginx": f"http://127.0.0.1:{nginx_port}{edition_path}"}
            for _ in range(ROUNDS):
                for label, address in targets.items():
                    result = wrk(address)
                    if label not in best or result[0] > best[label][0]:
                        best[label] = result
            bench("serve.published_feed.nginx_vs_app.rps", best["nginx"][0], "req/s",
                  best["app"][0])
            bench("serve.published_feed.nginx_vs_app.p99", best["nginx"][1], "ms",
                  best["app"][1])
            # Through nginx, the app's pages still answer (the proxy half of the block).
            assert fetch(f"http://127.0.0.1:{nginx_port}/")[0] == 200
        finally:
            for process in (server, app):
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
