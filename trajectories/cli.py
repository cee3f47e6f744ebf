"""The `trajectories` program: the admin commands (`trajectories.commands`) around the app that
`create_app` builds. This module imports the app; the app never imports it."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from trajectories.app import create_app
from trajectories.commands import COMMANDS
from trajectories.core.config import ConfigError


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False,
             add_version_option=False)
def cli():
    """trajectories: leertrajecten voor gemeenten."""


# On the group itself too, so `trajectories --help` lists them without building the app.
for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    try:
        cli.main(prog_name="trajectories")
    except ConfigError as exc:
        click.echo(f"Configuration error: {exc}", err=True)
        sys.exit(2)
