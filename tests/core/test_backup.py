"""`trajectories backup` holds everything a restore needs (the database and every stored file)
and `trajectories restore` brings it back elsewhere: the coordinator downloads the same bytes.
On SQLite and on PostgreSQL (a fresh database beside the test one, dropped afterwards)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from tests.coordinator_helpers import Browser
from trajectories.app import create_app
from trajectories.people import services as people
from trajectories.people import uploads
from trajectories.people.models import Submission
from trajectories.schedule.models import Material

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 500
LEGACY = b"%PDF-1.4 ingeleverd voor er een opslagmap was"


def _world_with_files(app, session, world) -> dict[str, bytes]:
    """A material uploaded by the coordinator, a hand-in stored by the upload module and one
    stored where hand-ins went before (var/submissions/): path -> bytes."""
    nl = Browser(app.test_client(), session)
    nl.sign_in("nl@example.org")
    answer = nl.post(f"/beheer/sessies/{world.meeting_nl.id}/materiaal",
                     {"title": "Reader", "url": "", "upload": (io.BytesIO(PDF), "reader.pdf")},
                     content_type="multipart/form-data")
    assert answer.status_code == 302
    var_dir = Path(app.config["SETTINGS"].var_dir)
    with app.app_context():
        stored = uploads.store(uploads.Upload(PNG, ".png", "schema.png"), "submissions/1")
    people.submit(session, world.deadline_nl, world.participants[0], text="Ons plan",
                  file_path=stored, file_name="schema.png")
    legacy = f"submissions/{world.deadline_nl.id}/{world.participants[1].id}-0a1b.pdf"
    (var_dir / legacy).parent.mkdir(parents=True)
    (var_dir / legacy).write_bytes(LEGACY)
    people.submit(session, world.deadline_nl, world.participants[1], file_path=legacy,
                  file_name="oud.pdf")
    return {session.exec(select(Material)).one().file_path: PDF, stored: PNG, legacy: LEGACY}


@pytest.fixture
def restore_target(database_url, tmp_path):
    """An empty database of the same kind as the test's, and its var directory."""
    target = tmp_path / "elders"
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{target / 'trajectories.db'}", target / "var"
        return
    url = make_url(database_url)
    name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False), target / "var"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_backup_and_restore_elsewhere_gives_the_coordinator_the_same_bytes(
        app, session, runner, coordinator_world, tmp_path, restore_target, app_config):
    files = _world_with_files(app, session, coordinator_world)
    deadline_id = coordinator_world.deadline_nl.id
    session.close()

    archive_path = tmp_path / "backups" / "nacht.zip"
    result = runner.invoke(args=["backup", str(archive_path)])
    assert result.exit_code == 0, result.output
    assert "3 bestanden" in result.output
    with zipfile.ZipFile(archive_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert {f["path"] for f in manifest["files"]} == set(files)
        assert manifest["missing"] == []
        for path, data in files.items():
            assert archive.read(f"files/{path}") == data

    target_url, target_var = restore_target
    elsewhere = create_app({**app_config, "database_url": target_url, "var_dir": str(target_var),
                            "calendars_dir": str(tmp_path / "elders" / "calendars")})
    try:
        restored = elsewhere.test_cli_runner().invoke(args=["restore", str(archive_path)])
        assert restored.exit_code == 0, restored.output
        # A second restore finds a database that is no longer empty and changes nothing.
        again = elsewhere.test_cli_runner().invoke(args=["restore", str(archive_path)])
        assert again.exit_code != 0 and "is niet leeg" in again.output

        coordinator = Browser(elsewhere.test_client())
        coordinator.login("nl@example.org")
        db = elsewhere.extensions["trajectories.db"]
        with db.session() as s:
            material = s.exec(select(Material)).one()
            submissions = {sub.file_name: sub.id for sub in s.exec(select(Submission))}
        assert coordinator.get(f"/beheer/materiaal/{material.id}").data == PDF
        assert coordinator.get(f"/beheer/inzendingen/{submissions['schema.png']}/bestand").data \
            == PNG
        assert coordinator.get(f"/beheer/inzendingen/{submissions['oud.pdf']}/bestand").data \
            == LEGACY
        everything = zipfile.ZipFile(io.BytesIO(
            coordinator.get(f"/beheer/deadlines/{deadline_id}/alles.zip").data))
        assert "NIET OPGENOMEN" not in everything.read("LEESMIJ.txt").decode()
        assert sorted(everything.read(n) for n in everything.namelist()
                      if n.endswith((".png", ".pdf"))) == sorted([PNG, LEGACY])
    finally:
        elsewhere.extensions["trajectories.db"].dispose()


def test_restore_refuses_a_folder_with_files_and_changes_nothing(
        app, runner, tmp_path, restore_target, app_config):
    archive_path = tmp_path / "backup.zip"
    assert runner.invoke(args=["backup", str(archive_path)]).exit_code == 0
    target_url, target_var = restore_target
    (target_var / "uploads" / "materials").mkdir(parents=True)
    (target_var / "uploads" / "materials" / "al-daar.pdf").write_bytes(b"%PDF-1.4")
    elsewhere = create_app({**app_config, "database_url": target_url, "var_dir": str(target_var)})
    try:
        result = elsewhere.test_cli_runner().invoke(args=["restore", str(archive_path)])
        assert result.exit_code != 0
        assert "bevat al 1 opgeslagen bestanden" in result.output
        db = elsewhere.extensions["trajectories.db"]
        from sqlalchemy import inspect
        assert inspect(db.engine).get_table_names() == []
    finally:
        elsewhere.extensions["trajectories.db"].dispose()


def test_restore_refuses_what_is_not_a_backup(app, tmp_path):
    not_a_backup = tmp_path / "oud.db"
    not_a_backup.write_bytes(b"SQLite format 3\x00")
    result = app.test_cli_runner().invoke(args=["restore", str(not_a_backup)])
    assert result.exit_code != 0 and "geen backup van trajectories" in result.output


def test_backup_reports_a_file_the_database_refers_to_that_is_gone(app, session, runner,
                                                                   coordinator_world, tmp_path):
    files = _world_with_files(app, session, coordinator_world)
    lost = next(path for path, data in files.items() if data == PNG)
    (Path(app.config["SETTINGS"].var_dir) / lost).unlink()
    session.close()
    result = runner.invoke(args=["backup", str(tmp_path / "b.zip")])
    assert result.exit_code == 0
    assert "2 bestanden" in result.output and lost in result.output
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        assert json.loads(archive.read("manifest.json"))["missing"] == [lost]
