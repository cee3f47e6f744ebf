"""The database: one engine per app, sessions that carry domain events to after-commit handlers.

SQLite runs with WAL, foreign keys on, a busy timeout, and `BEGIN IMMEDIATE` for every
transaction: a check-then-write (the last free place of an edition) then cannot interleave with
another process's. PostgreSQL goes through psycopg 3 and locks rows with `FOR UPDATE`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session


def normalise_url(url: str) -> str:
    """Point postgresql:// URLs at psycopg 3 (SQLAlchemy would pick psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs) -> Engine:
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)

    in_memory = make_url(url).database in (None, "", ":memory:")
    if not in_memory:
        Path(make_url(url).database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, emit BEGIN (see _sqlite_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class Database:
    """The app's engine and its session factory."""

    def __init__(self, url: str, **engine_kwargs):
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, **engine_kwargs)
        # A forked gunicorn worker must not reuse the parent's pooled connections.
        os.register_at_fork(after_in_child=lambda: self.engine.dispose(close=False))

    def session(self, actor: str | None = None) -> Session:
        """A new session; `actor` (who acts) goes into the audit trail of recorded events."""
        session = Session(self.engine, expire_on_commit=False)
        session.info["db"] = self
        session.info["actor"] = actor
        return session

    @contextmanager
    def begin(self, actor: str | None = None) -> Iterator[Session]:
        """A session whose work is committed at the end of the block, rolled back on error."""
        with self.session(actor) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
