"""Migration 0011 widens the track kind's CHECK in place on SQLite: a migrated database takes
an award track, still refuses an unknown kind, and keeps its foreign keys sound."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from trajectories.core.db import make_engine
from trajectories.core.migrate import upgrade


def test_a_migrated_sqlite_database_takes_award_tracks_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO organiser (slug, name, country, email, website,"
                              " embed_origins, updated_at) VALUES ('vng', 'VNG', 'NL',"
                              " 'g@vng.example', '', '[]', '2030-01-01 00:00:00')"))
            conn.execute(text("INSERT INTO track (organiser_id, slug, title, summary, goals,"
                              " target_group, theme, sdgs, contact_name, contact_email, kind,"
                              " updated_at) VALUES (1, 'prijs', 'Prijs', '', '', '', '', '[]',"
                              " '', '', 'award', '2030-01-01 00:00:00')"))
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE track SET kind = 'onbekend'"))
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    finally:
        engine.dispose()
