"""`trajectories import-municipalities FILE.csv`: the reference list of municipalities brought up
to date (a year's herindelingen in one file), all or nothing."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from trajectories.reach.municipalities import import_municipalities


@click.command("import-municipalities")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_municipalities_command(source):
    """Update the municipalities (CBS/NIS code, name, province, and the codes a merged municipality
    replaces) from a CSV file with the columns code;naam;provincie;vervangt. One bad row refuses
    the whole file."""
    try:
        text = Path(source).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException("Het bestand is geen UTF-8; niets ingelezen.") from None
    database = current_app.extensions["trajectories.db"]
    with database.session(actor="cli") as session, force_locale("nl"):
        result = import_municipalities(session, text)
    if result.errors:
        for line, message in result.errors:
            click.echo(f"regel {line}: {message}", err=True)
        raise click.ClickException(
            f"{len({line for line, _ in result.errors})} regel(s) fout: niets ingelezen.")
    click.echo(f"{len(result.rows)} gemeenten ingelezen.")
    for name, formers in result.merged:
        click.echo(f"{name} (incl. voormalig {', '.join(formers)})")
