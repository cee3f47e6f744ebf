"""`trajectories publish-calendars`: rewrite every public feed under calendars/."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from trajectories.feeds.publish import publish_all


@click.command("publish-calendars")
@with_appcontext
def publish_calendars():
    """Write every public feed into the calendars directory (and remove feeds of deleted
    editions). Run it after an upgrade, and daily: the one-year window of the track and organiser
    feeds moves with the date."""
    settings = current_app.config["SETTINGS"]
    count = publish_all(current_app.extensions["trajectories.db"], settings)
    click.echo(f"{count} feeds published in {settings.calendars_dir}")

