"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Each setting can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import gc
import multiprocessing
import os
import sys

bind = os.environ.get("TRAJECTORIES_BIND", "127.0.0.1:8000")
# Sync workers: requests are short (feeds are cached bytes); 2 per core plus one.
workers = int(os.environ.get("TRAJECTORIES_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Restart workers now and then so a slow leak can never take a host down; the jitter spreads
# the restarts (without it every worker recycles at about the same moment under steady load).
max_requests = 5000
max_requests_jitter = 500
# The app itself logs one JSON line per request (trajectories/logs.py); gunicorn's own access
# log would say the same twice, so it is off unless a path (or "-") is given.
accesslog = os.environ.get("TRAJECTORIES_ACCESS_LOG") or None
access_log_format = '{"remote":"%(h)s","request":"%(r)s","status":%(s)s,"bytes":"%(b)s","duration_us":%(D)s}'
errorlog = "-"
# Build the app once before forking: a bad setting stops the master with one line.
preload_app = True
forwarded_allow_ips = os.environ.get("TRAJECTORIES_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 25+ opens a control socket at one path per user, so a second master on the same
# host (two instances, a blue/green switch, the tests) would fail; systemd signals suffice.
control_socket_disable = True


def on_starting(server):
    """Before any worker starts: refuse rate limits that each worker would count alone."""
    from trajectories.core.config import ConfigError, check_rate_limit_storage, load_settings

    try:
        check_rate_limit_storage(load_settings(), server.cfg.workers)
    except ConfigError as exc:  # one clear line, like wsgi.py
        print(f"Configuration error: {exc}", file=sys.stderr)
        sys.exit(2)


def pre_fork(server, worker):
    """In the master, before each worker is forked: what exists so far (the preloaded app, its
    modules) goes to the garbage collector's permanent generation, so a worker's collections
    never walk those objects again (a new worker's first full collection of the ~120,000 it
    inherits took ~100 ms) nor write to their pages (copy-on-write keeps them shared).

    And the collector starts only after 20,000 new objects, not 700: reference counting frees
    what a request made; the collector is only for cycles. At 700 it ran about ten times during
    one render of a 1,000-person list, each time promoting the rows still in use to an older
    generation, until a full collection stalled a request."""
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


def when_ready(server):
    """In the master, once, before the first worker is forked: build the public feeds (for at
    most a couple of seconds) and the catalogue page into the preloaded app's caches. Every
    worker, a recycled one too, is forked with them and answers them from memory at once,
    and also with the master's loaded templates, translations and compiled queries. An entry
    changed since is rebuilt on its first request, as any cache entry is after a change.

    Warming in each new worker instead (post_fork) cost a recycle up to two seconds of CPU beside
    the serving workers: the feed bench's p99 went from ~5 ms to ~200 ms with recycling on."""
    app = server.app.wsgi()
    if "trajectories.feeds.cache" not in getattr(app, "extensions", {}):
        return  # not the trajectories app (the benches' hello-world)
    from trajectories.web.feeds import warm_feed_cache
    from trajectories.web.page_cache import warm_pages

    try:
        feeds, pages = warm_feed_cache(app), warm_pages(app)
        server.log.info("Warmed %d feeds and %d pages for the workers", feeds, pages)
    except Exception:  # a cold cache only costs the first requests some time
        server.log.exception("warming the caches failed")
    finally:  # the workers open their own connections (core.db disposes the pool at fork)
        app.extensions["trajectories.db"].dispose()


def worker_exit(server, worker):
    """In a worker that stops (recycled, or the master stopping): finish what the process owes,
    then leave without the interpreter's teardown. That teardown touched every object the
    worker shares with the master, copying ~20,000 pages (~80 MiB) and ~80 ms of CPU per
    recycle, beside the workers still serving.

    Only in the worker itself (the master calls this too, for a worker already gone), and only
    on a clean stop: a worker that failed to boot keeps its exit code, which the master reads."""
    stopping = sys.exc_info()[1]  # gunicorn calls this from the `finally` of the worker's exit
    if os.getpid() != worker.pid or not (isinstance(stopping, SystemExit)
                                         and stopping.code in (0, None)):
        return
    import logging

    app = worker.app.wsgi()
    if "trajectories.db" in getattr(app, "extensions", {}):
        from trajectories.feeds.publish import wait_idle

        wait_idle(120)  # feeds this worker still publishes (feed_publisher "web"; atexit's duty)
        app.extensions["trajectories.db"].dispose()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
