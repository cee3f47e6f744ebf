import sqlite3

from sqlalchemy import func
from sqlmodel import select

from tests import factories
from trajectories.models import Track


def test_backup_copies_the_live_database(runner, db, tmp_path):
    with db.session() as s:
        factories.track(s, title="Ethisch bankieren")
        tracks = s.exec(select(func.count()).select_from(Track)).one()
    target = tmp_path / "copy" / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    if db.engine.dialect.name == "sqlite":
        copy = sqlite3.connect(target)
        assert copy.execute("SELECT title FROM track").fetchall() == [("Ethisch bankieren",)]
        copy.close()
    else:
        assert target.read_bytes()[:5] == b"PGDMP"
    assert tracks == 1
