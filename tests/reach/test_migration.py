"""Migration 0004_reach keeps the organisations and gives every known municipality its province
from the reference."""

from __future__ import annotations

from sqlalchemy import text

from trajectories.core.db import make_engine
from trajectories.core.migrate import upgrade


def test_the_migration_fills_in_the_province_of_known_municipalities(tmp_path):
    url = f"sqlite:///{tmp_path / 'filled.db'}"
    upgrade(url, "0002")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO organisation (id, name, kind, country, code, province) VALUES"
                " (1, 'Utrecht', 'municipality', 'NL', 'GM0344', ''),"
                " (2, 'Antwerpen', 'municipality', 'BE', '11002', 'Antwerpen'),"
                " (3, 'Stichting X', 'other', 'NL', NULL, '')"))
        upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT id, province, merged_into_id FROM organisation ORDER BY id")).all()
            assert conn.execute(text("SELECT count(*) FROM reference_municipality")).scalar() == 0
    finally:
        engine.dispose()
    assert rows == [(1, "Utrecht", None), (2, "Antwerpen", None), (3, "", None)]
