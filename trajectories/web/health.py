"""`/healthz` for load balancers: 200 while the database answers, with the scheduler's age."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from ..heartbeat import age_seconds
from . import db_session

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

#: A scheduler that has not beaten for this long is reported stale.
STALE_AFTER_SECONDS = 120


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
    return jsonify(status="ok", database="ok", scheduler=scheduler,
                   scheduler_heartbeat_age_seconds=None if age is None else round(age, 1))
