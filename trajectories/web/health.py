"""`/healthz` for load balancers: 200 while the database answers, with the scheduler's state.

`status` is "ok", or "degraded" while the scheduler is not running (its heartbeat stopped, or
the scheduler this process hosts with `serve --scheduler` waits for the leader lock and no
other process leads): the web pages work, no reminder goes out.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from trajectories.core.heartbeat import age_seconds
from trajectories.web import db_session

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

#: A scheduler that has not beaten for this long is not running (it beats every 5 s).
STALE_AFTER_SECONDS = 30


@bp.get("/healthz")
def healthz():
    try:
        session = db_session()
        session.exec(text("SELECT 1"))
        age = age_seconds(session)
    except Exception:
        log.exception("health check: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    scheduler = "absent" if age is None else ("ok" if age < STALE_AFTER_SECONDS else "stale")
    hosted = current_app.extensions.get("trajectories.scheduler")
    if hosted is not None and not hosted.get("running") and scheduler != "ok":
        scheduler = "waiting"  # this process's scheduler waits for the lock (or the database)
    body = dict(status="ok" if scheduler in ("ok", "absent") else "degraded", database="ok",
                scheduler=scheduler,
                scheduler_heartbeat_age_seconds=None if age is None else round(age, 1))
    if hosted is not None:
        body["scheduler_in_this_process"] = "running" if hosted.get("running") else "waiting"
    return jsonify(body)
