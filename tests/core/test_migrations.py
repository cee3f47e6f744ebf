"""Migrations build the schema from empty, on SQLite and PostgreSQL, and match the models."""

import json
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from tests.conftest import PG_URL, require
from trajectories.core.db import make_engine, normalise_url
from trajectories.core.migrate import upgrade


def _assert_matches_models(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = [d for d in compare_metadata(context, SQLModel.metadata)
                    if not (d[0] == "remove_table" and d[1].name == "apscheduler_jobs")]
            tables = set(inspect(conn).get_table_names())
            reloptions = conn.execute(text(
                "SELECT reloptions FROM pg_class WHERE relname = 'mail_outbox'")).scalar() \
                if conn.dialect.name == "postgresql" else None
    finally:
        engine.dispose()
    assert diff == []
    if url.startswith("postgres"):  # the outbox keeps room for in-place updates (0014)
        assert "fillfactor=70" in (reloptions or [])
    assert {"organiser", "track", "edition", "meeting", "deadline", "enrollment",
            "participant", "event_log"} <= tables


def test_migrations_from_empty_match_models_on_sqlite(tmp_path):
    _assert_matches_models(f"sqlite:///{tmp_path / 'migrated.db'}")


NOW = "2026-11-20 09:00:00"
#: A database as revision 0001 left it: one edition still called a cohort, with a session, its
#: mail settings and two audit entries, written with 0001's table and column names.
FILLED_BY_0001 = [
    "INSERT INTO organiser (id, slug, name, country, email, website, updated_at) VALUES"
    f" (1, 'vng', 'VNG', 'NL', 'info@vng.example', '', '{NOW}')",
    "INSERT INTO track (id, organiser_id, slug, title, summary, goals, target_group, theme, sdgs,"
    " contact_name, contact_email, updated_at) VALUES (1, 1, 'inclusie', 'Praktijkproef', '', '',"
    f" '', '', '[]', '', '', '{NOW}')",
    "INSERT INTO cohort (id, track_id, slug, name, timezone, eligibility, requires_approval,"
    " coordinator_email, draft, created_at, updated_at) VALUES (7, 1, '2021', 'Voorjaar 2021',"
    f" 'Europe/Amsterdam', 'anyone', false, '', false, '{NOW}', '{NOW}')",
    "INSERT INTO cohort_mail_settings (cohort_id, hold, review_coaching, reminder_days, nudge_days,"
    f" send_hour, updated_at) VALUES (7, true, false, '[2]', '[3]', 8, '{NOW}')",
    "INSERT INTO meeting (id, cohort_id, uid, sequence, title, kind, on_date, mode, location,"
    " online_url, description, coaching_notes, status, created_at, updated_at) VALUES (3, 7,"
    " 'meeting-3@trajectories', 0, 'Startbijeenkomst', 'session', '2021-03-02', 'online', '', '',"
    f" '', '', 'scheduled', '{NOW}', '{NOW}')",
    "INSERT INTO event_log (id, name, payload, actor, occurred_at) VALUES (1, 'CohortSaved',"
    f" '{{\"cohort_id\": 7, \"cohort_slug\": \"2021\"}}', 'cli', '{NOW}')",
    "INSERT INTO event_log (id, name, payload, actor, occurred_at) VALUES (2, 'MeetingPlanned',"
    f" '{{\"cohort_id\": 7, \"meeting_id\": 3}}', 'cli', '{NOW}')",
]


def _assert_upgrade_keeps_the_data(url: str) -> None:
    upgrade(url, "0001")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for statement in FILLED_BY_0001:
                conn.execute(text(statement))
        upgrade(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT id, name FROM edition")).all() == [
                (7, "Voorjaar 2021")]
            # 0003: an existing edition counts people, with no maximum per organisation
            assert conn.execute(text("SELECT place_unit, max_per_organisation FROM edition")
                                ).all() == [("person", None)]
            assert conn.execute(text("SELECT edition_id, title FROM meeting")).all() == [
                (7, "Startbijeenkomst")]
            assert conn.execute(text(
                "SELECT edition_id, hold, send_hour FROM edition_mail_settings")).all() == [
                (7, True, 8)]
            log = conn.execute(text("SELECT name, payload FROM event_log ORDER BY id")).all()
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert [(name, json.loads(p) if isinstance(p, str) else p) for name, p in log] == [
        ("EditionSaved", {"edition_id": 7, "edition_slug": "2021"}),
        ("MeetingPlanned", {"edition_id": 7, "meeting_id": 3})]
    assert "cohort" not in tables and "cohort_mail_settings" not in tables
    _assert_matches_models(url)  # and the upgraded schema is the models' schema


def test_the_edition_rename_keeps_a_filled_database_on_sqlite(tmp_path):
    _assert_upgrade_keeps_the_data(f"sqlite:///{tmp_path / 'filled.db'}")


@pytest.mark.postgres
@pytest.mark.parametrize("check", [_assert_matches_models, _assert_upgrade_keeps_the_data],
                         ids=["from-empty", "rename-keeps-data"])
def test_migrations_on_postgresql(check):
    require(bool(PG_URL), "PostgreSQL not configured: set TRAJECTORIES_TEST_DATABASE_URL")
    name = f"traj_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_URL.rsplit("/", 1)[0] + "/" + name
        check(url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
