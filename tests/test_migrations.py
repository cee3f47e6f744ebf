"""Migrations build the schema from empty, on SQLite and PostgreSQL, and match the models."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from tests.conftest import PG_URL, require
from trajectories.db import make_engine, normalise_url
from trajectories.migrate import upgrade


def _assert_matches_models(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = [d for d in compare_metadata(context, SQLModel.metadata)
                    if not (d[0] == "remove_table" and d[1].name == "apscheduler_jobs")]
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert {"organiser", "track", "cohort", "meeting", "deadline", "enrollment",
            "participant", "event_log"} <= tables


def test_migrations_from_empty_match_models_on_sqlite(tmp_path):
    _assert_matches_models(f"sqlite:///{tmp_path / 'migrated.db'}")


@pytest.mark.postgres
def test_migrations_from_empty_match_models_on_postgresql():
    require(bool(PG_URL), "PostgreSQL not configured: set TRAJECTORIES_TEST_DATABASE_URL")
    name = f"traj_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_URL.rsplit("/", 1)[0] + "/" + name
        _assert_matches_models(url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
