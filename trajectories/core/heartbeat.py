"""Signs of life of background processes, read by /healthz, and the name of this process that
heartbeats and mail claims carry."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime

from sqlmodel import Session

from trajectories.core.clock import utcnow
from trajectories.core.db import Database
from trajectories.core.models import Heartbeat

_HOLDER: tuple[int, str] | None = None


def holder_id() -> str:
    """This process, as claims and the scheduler's heartbeat name it: "host:pid:start"."""
    global _HOLDER
    if _HOLDER is None or _HOLDER[0] != os.getpid():  # a forked child is another holder
        _HOLDER = (os.getpid(), f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    return _HOLDER[1]


def beat(db: Database, name: str = "scheduler", now: datetime | None = None) -> None:
    with db.begin() as session:
        row = session.get(Heartbeat, name) or Heartbeat(name=name)
        row.beat_at = now or utcnow()
        row.holder = holder_id()
        session.add(row)


def holder(db: Database, name: str = "scheduler") -> str | None:
    """Which process beat last ("host:pid:start", as outbox claims name it)."""
    with db.session() as session:
        row = session.get(Heartbeat, name)
        return None if row is None else row.holder


def age_seconds(session: Session, name: str = "scheduler") -> float | None:
    row = session.get(Heartbeat, name)
    return None if row is None else (utcnow() - row.beat_at).total_seconds()
