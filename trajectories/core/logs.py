"""Logging: readable lines in development, one JSON object per line in production
(`TRAJECTORIES_PRODUCTION=1`), with one line per request."""

from __future__ import annotations

import json
import logging
import time

from flask import Flask, g, request


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


JsonFormatter.converter = time.gmtime


def configure_logging(json_lines: bool) -> None:
    root = logging.getLogger()
    if getattr(root, "_trajectories_configured", False):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    root._trajectories_configured = True


request_log = logging.getLogger("trajectories.request")


def log_requests(app: Flask) -> None:
    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        started = g.get("request_started")
        if started is not None:
            # A view may hide a secret in its path (personal feed tokens) by setting g.log_path.
            path = g.get("log_path") or request.path
            request_log.info("%s %s %s", request.method, path, response.status_code,
                             extra={"fields": {
                                 "method": request.method, "path": path,
                                 "status": response.status_code,
                                 "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                                 "remote": request.remote_addr,
                             }})
        return response
