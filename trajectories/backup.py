"""Backups that hold everything a restore needs, and the restore.

A backup is one zip file:

- `manifest.json`: format, when, the database kind, and every stored file with size and SHA-256;
- `database.sqlite` (SQLite's online backup API) or `database.pgdump` (`pg_dump --format=custom`);
- `files/<path>`: every stored file (materials and hand-ins, `uploads.STORAGE_ROOTS`), under the
  path the database refers to it by.

Consistency while the app keeps running: the files on disk are copied first, then the database
snapshot is taken, then every file the snapshot refers to that was not copied yet (handed in
meanwhile) is added. On PostgreSQL the list of referred files is read in the very snapshot
pg_dump dumps (`pg_export_snapshot`). A file the snapshot refers to that is gone from disk is
listed under `missing` in the manifest and reported.

`restore` refuses a target that is not empty (a database with tables, a storage folder with
files), checks every file's checksum, and puts the files and the database in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from pathlib import Path

from sqlalchemy import inspect, select, text, union
from sqlalchemy.engine import make_url

from trajectories.core.clock import utcnow
from trajectories.core.db import Database
from trajectories.people import uploads
from trajectories.people.models import Submission
from trajectories.schedule.models import Material

FORMAT = "trajectories-backup"
VERSION = 1
MANIFEST = "manifest.json"
_COMPRESSED = {".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".png", ".jpg", ".jpeg"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why (Dutch, for the CLI)."""


def _referenced_query():
    return union(select(Material.file_path).where(Material.file_path != ""),
                 select(Submission.file_path).where(Submission.file_path != ""))


def _pg_command(url, program: str) -> tuple[list[str], dict]:
    """The libpq connection string without the password (that goes in PGPASSWORD, not in the
    process list), and the environment to run `program` with."""
    if shutil.which(program) is None:
        raise BackupError(f"{program} niet gevonden: installeer postgresql-client.")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return [program, plain.render_as_string(hide_password=False)], env


class _Writer:
    def __init__(self, archive: zipfile.ZipFile, var_dir: Path):
        self.archive, self.var_dir = archive, var_dir
        self.files: dict[str, dict] = {}

    def add(self, relative: str) -> bool:
        """Copy one stored file into the archive; False when it is not there (any more)."""
        if relative in self.files:
            return True
        path = uploads.resolve(relative, self.var_dir)
        if path is None:
            return False
        digest, size = hashlib.sha256(), 0
        compress = zipfile.ZIP_STORED if path.suffix.lower() in _COMPRESSED \
            else zipfile.ZIP_DEFLATED
        info = zipfile.ZipInfo(f"files/{relative}", date_time=utcnow().timetuple()[:6])
        info.compress_type = compress
        try:
            with path.open("rb") as source, self.archive.open(info, "w", force_zip64=True) as out:
                while chunk := source.read(1024 * 1024):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
        except FileNotFoundError:  # removed while we read it
            return False
        self.files[relative] = {"path": relative, "size": size, "sha256": digest.hexdigest()}
        return True


def backup(db: Database, var_dir: Path, destination: Path) -> dict:
    """Write a backup to `destination` (temporary file, then rename); returns its manifest."""
    url = make_url(db.url)
    var_dir = Path(var_dir)
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.part")
    sqlite = url.drivername.startswith("sqlite")
    try:
        with tempfile.TemporaryDirectory() as tmp, \
                zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            writer = _Writer(archive, var_dir)
            for relative in uploads.stored_files(var_dir):
                writer.add(relative)
            dump = Path(tmp) / ("database.sqlite" if sqlite else "database.pgdump")
            referenced = _snapshot_sqlite(url, dump) if sqlite else _snapshot_postgres(db, url,
                                                                                        dump)
            missing = sorted(r for r in referenced if not writer.add(r))
            archive.write(dump, dump.name)
            manifest = {"format": FORMAT, "version": VERSION,
                        "created_at": utcnow().isoformat(timespec="seconds"),
                        "database": "sqlite" if sqlite else "postgresql",
                        "database_file": dump.name,
                        "files": sorted(writer.files.values(), key=lambda f: f["path"]),
                        "missing": missing}
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _snapshot_sqlite(url, dump: Path) -> set[str]:
    # The online backup API copies a consistent snapshot while others keep writing.
    source = sqlite3.connect(url.database)
    copy = sqlite3.connect(dump)
    try:
        source.backup(copy)
        sql = str(_referenced_query().compile(compile_kwargs={"literal_binds": True}))
        return {row[0] for row in copy.execute(sql)}
    finally:
        copy.close()
        source.close()


def _snapshot_postgres(db: Database, url, dump: Path) -> set[str]:
    command, env = _pg_command(url, "pg_dump")
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, \
            conn.begin():
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        referenced = set(conn.execute(_referenced_query()).scalars())
        # The exporting transaction stays open until pg_dump has taken the same snapshot.
        done = subprocess.run([command[0], "--format=custom", f"--snapshot={snapshot}",
                               "--file", str(dump), command[1]], env=env,
                              capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump mislukt: {done.stderr.strip()}")
    return referenced


# --- restore ---------------------------------------------------------------------------------------


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError):
        manifest = {}
    if manifest.get("format") != FORMAT:
        raise BackupError("Dit is geen backup van trajectories (manifest.json ontbreekt).")
    if manifest.get("version", 0) > VERSION:
        raise BackupError("Deze backup is gemaakt door een nieuwere versie van trajectories.")
    return manifest


def restore(db: Database, var_dir: Path, source: Path) -> dict:
    """Bring a backup back into an empty database and an empty storage folder."""
    url = make_url(db.url)
    var_dir = Path(var_dir)
    sqlite = url.drivername.startswith("sqlite")
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile):
        raise BackupError(f"{source} is geen backup van trajectories.") from None
    with archive:
        manifest = _read_manifest(archive)
        kind = "sqlite" if sqlite else "postgresql"
        if manifest["database"] != kind:
            raise BackupError(f"Deze backup komt uit {manifest['database']}; zet hem terug in "
                              f"een {manifest['database']}-database (nu ingesteld: {kind}).")
        if sqlite:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        tables = inspect(db.engine).get_table_names()
        db.dispose()
        if tables:
            raise BackupError(
                f"De database {url.render_as_string(hide_password=True)} is niet leeg "
                f"({len(tables)} tabellen). Herstel alleen in een lege database; er is niets "
                "veranderd.")
        present = uploads.stored_files(var_dir)
        if present:
            raise BackupError(f"De map {var_dir} bevat al {len(present)} opgeslagen bestanden "
                              f"(onder {', '.join(uploads.STORAGE_ROOTS)}). Herstel alleen in "
                              "een lege map; er is niets veranderd.")
        written: list[Path] = []
        try:
            for entry in manifest["files"]:
                written.append(_extract_file(archive, var_dir, entry))
            with tempfile.TemporaryDirectory() as tmp:
                dump = Path(archive.extract(manifest["database_file"], tmp))
                if sqlite:
                    _restore_sqlite(url, dump)
                else:
                    _restore_postgres(url, dump)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
    return manifest


def _extract_file(archive: zipfile.ZipFile, var_dir: Path, entry: dict) -> Path:
    relative = entry["path"]
    target = (var_dir / relative).resolve()
    if not any(target.is_relative_to((var_dir / root).resolve())
               for root in uploads.STORAGE_ROOTS):
        raise BackupError(f"Onverwacht pad in de backup: {relative}")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with archive.open(f"files/{relative}") as source, target.open("wb") as out:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != entry["sha256"]:
        target.unlink()
        raise BackupError(f"De backup is beschadigd: {relative} klopt niet met het manifest.")
    return target


def _restore_sqlite(url, dump: Path) -> None:
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    target = sqlite3.connect(url.database)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_postgres(url, dump: Path) -> None:
    command, env = _pg_command(url, "pg_restore")
    done = subprocess.run([command[0], "--no-owner", "--no-privileges", "--exit-on-error",
                           "--single-transaction", "--dbname", command[1], str(dump)],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore mislukt: {done.stderr.strip()}")
