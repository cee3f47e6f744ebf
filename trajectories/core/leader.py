"""One active scheduler: a lock that only one process holds at a time.

PostgreSQL: `pg_try_advisory_lock` on a dedicated connection kept for the holder's life; when
the process dies (kill -9 included) the server drops the connection and the lock with it.
(It does not work through PgBouncer in transaction pooling mode: connect directly.)
SQLite: an exclusive `flock` on a file beside the database, also released by the kernel when the
process dies.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

#: Arbitrary, fixed: the advisory lock key of the scheduler ("TRAJ" in ASCII).
LOCK_KEY = 0x5452414A


class LeaderLock:
    """`acquire()` returns True once this process is the leader; `release()` steps down."""

    def __init__(self, database_url: str, name: str = "scheduler"):
        self.url = make_url(database_url)
        self.name = name
        self._connection = None
        self._engine = None
        self._file = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def acquire(self) -> bool:
        if self.held:
            return True
        if self.url.drivername.startswith("sqlite"):
            return self._acquire_file()
        return self._acquire_advisory()

    def _acquire_advisory(self) -> bool:
        if self._engine is None:
            self._engine = create_engine(self.url, poolclass=NullPool)
        connection = self._engine.connect()
        try:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                     {"k": LOCK_KEY}).scalar()
            connection.commit()
        except Exception:
            connection.close()
            raise
        if got:
            self._connection = connection
            return True
        connection.close()
        return False

    def _acquire_file(self) -> bool:
        path = Path(self.url.database or "memory").with_suffix(f".{self.name}.lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")  # noqa: SIM115  (held open for the leader's life)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        return True

    def still_held(self) -> bool:
        """Check the dedicated connection is alive: a leader that lost it must stop acting."""
        if self._file is not None:
            return True
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1")).scalar()
            self._connection.commit()
            return True
        except Exception:
            log.warning("leader connection lost; stepping down")
            self._connection = None
            return False

    def wait(self, poll_seconds: float = 2.0, stop=lambda: False) -> bool:
        """Block until this process is the leader (True) or `stop()` says so (False). An
        unreachable database is waited out (logged once per outage)."""
        unreachable = False
        while not stop():
            try:
                if self.acquire():
                    if unreachable:
                        log.warning("database reachable again: leader lock acquired")
                    return True
                unreachable = False
            except Exception as exc:
                if not unreachable:
                    log.warning("cannot reach the database for the leader lock (%s); "
                                "trying again every %s s", exc.__class__.__name__, poll_seconds)
                unreachable = True
            time.sleep(poll_seconds)
        return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                self._connection.commit()
            except Exception:
                log.warning("leader lock's connection already gone")
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
