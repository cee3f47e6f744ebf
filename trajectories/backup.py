"""Consistent copies of a live database."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from .db import Database


def backup_database(db: Database, destination: str) -> None:
    url = make_url(db.url)
    target = Path(destination)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.drivername.startswith("sqlite"):
        # The online backup API copies a consistent snapshot while others keep writing.
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return
    if shutil.which("pg_dump") is None:
        raise click.ClickException("pg_dump niet gevonden: installeer postgresql-client.")
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_dump", "--format=custom", "--file", str(target), plain], check=True)
