"""Fixtures the whole suite leans on: `db` (a real database, SQLite and — when
TRAJECTORIES_TEST_DATABASE_URL is set — PostgreSQL), `app`, `client`, `runner`.

With TRAJECTORIES_REQUIRE_ALL=1 (CI), a test that would skip for a missing service fails instead.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import trajectories.models  # noqa: F401
from trajectories.app import create_app
from trajectories.db import Database

PG_URL = os.environ.get("TRAJECTORIES_TEST_DATABASE_URL", "")
REQUIRE_ALL = os.environ.get("TRAJECTORIES_REQUIRE_ALL") == "1"


def require(condition: bool, reason: str) -> None:
    """Skip when an optional part is missing; fail instead under TRAJECTORIES_REQUIRE_ALL=1."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (TRAJECTORIES_REQUIRE_ALL=1)")
    pytest.skip(reason)


_pg_schema_ready = False


def _reset_postgres(url: str) -> None:
    """Create the schema once per run, then empty every table between tests."""
    global _pg_schema_ready
    database = Database(url)
    try:
        if not _pg_schema_ready:
            with database.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            SQLModel.metadata.create_all(database.engine)
            _pg_schema_ready = True
        else:
            tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            with database.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))
    finally:
        database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        database = Database(url)
        SQLModel.metadata.create_all(database.engine)
        database.dispose()
        return url
    require(bool(PG_URL), "PostgreSQL not configured: set TRAJECTORIES_TEST_DATABASE_URL")
    _reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def session(db):
    with db.session(actor="test") as s:
        yield s


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    return {
        "database_url": database_url,
        "var_dir": str(tmp_path / "var"),
        "calendars_dir": str(tmp_path / "calendars"),
        "secret_key": "test-secret-key",
        "TESTING": True,
    }


@pytest.fixture
def app(app_config):
    application = create_app(app_config)
    yield application
    application.extensions["trajectories.db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
