"""WSGI entry point: `gunicorn wsgi:app`."""

import sys

from trajectories.app import create_app
from trajectories.core.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:  # one clear line, not a stack trace
    print(f"Configuration error: {exc}", file=sys.stderr)
    sys.exit(2)
