"""The `trajectories` command: set-up, demo data, the development server and admin tasks."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from trajectories.core.config import ConfigError
from trajectories.core.errors import InvalidInput


def _create_app():
    from trajectories.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False)
def cli():
    """trajectories: leertrajecten voor gemeenten."""


def _db():
    return current_app.extensions["trajectories.db"]


@cli.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema (Alembic, to head)."""
    from trajectories.core.migrate import upgrade

    upgrade(_db().url)
    click.echo(f"Database ready: {_db().engine.url.render_as_string(hide_password=True)}")


@cli.command()
@with_appcontext
def demo():
    """Load the demo programmes (idempotent: running it twice changes nothing)."""
    from trajectories.demo.loader import load_demo

    for line in load_demo(_db()):
        click.echo(line)


@cli.command("create-coordinator")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--organiser", "organiser_slug", help="Slug of the organiser (vng, vvsg).")
@click.option("--admin", is_flag=True, help="An admin sees every organiser.")
@click.password_option()
@with_appcontext
def create_coordinator_command(email, name, organiser_slug, admin, password):
    """Create a coordinator account."""
    from sqlmodel import select

    from trajectories.accounts.services import create_coordinator
    from trajectories.catalogue.models import Organiser

    with _db().session(actor="cli") as session:
        organiser = None
        if organiser_slug:
            organiser = session.exec(select(Organiser).where(Organiser.slug == organiser_slug)).first()
            if organiser is None:
                raise click.ClickException(f"Onbekende organisator: {organiser_slug}")
        try:
            coordinator = create_coordinator(session, email=email, name=name, password=password,
                                             organiser=organiser, is_admin=admin)
        except InvalidInput as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"Coordinator {coordinator.email} created.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--prod", is_flag=True,
              help="gunicorn with gunicorn.conf.py (workers, timeouts, JSON access log).")
@click.option("--workers", type=int, help="With --prod: number of gunicorn workers.")
@click.option("--scheduler", "with_scheduler", is_flag=True,
              help="Development: run the scheduler in this process too (never with --prod).")
@with_appcontext
def serve(host, port, prod, workers, with_scheduler):
    """Run the development server, or gunicorn with --prod."""
    if prod:
        _exec_gunicorn(host, port, workers)
    if with_scheduler:
        _scheduler_thread(current_app._get_current_object())
    from werkzeug.serving import run_simple

    click.echo(f"trajectories on http://{host}:{port}/")
    run_simple(host, port, current_app._get_current_object(), threaded=True)


def _scheduler_thread(app) -> None:
    """The scheduler beside the development server, in a daemon thread (same leader lock)."""
    import threading

    from trajectories.scheduler.runtime import run_as_leader

    threading.Thread(target=run_as_leader, args=(app, threading.Event()), name="scheduler",
                     daemon=True).start()


def _exec_gunicorn(host: str, port: int, workers: int | None) -> None:
    """Replace this process by gunicorn, so signals from systemd reach its master directly."""
    import os
    import shutil

    from trajectories.core.config import PROJECT_ROOT

    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    args = [gunicorn, "--config", str(PROJECT_ROOT / "gunicorn.conf.py"),
            "--chdir", str(PROJECT_ROOT), "--bind", f"{host}:{port}"]
    if workers:
        args += ["--workers", str(workers)]
    os.execv(gunicorn, [*args, "wsgi:app"])


@cli.command()
@click.argument("destination", type=click.Path(dir_okay=False))
@with_appcontext
def backup(destination):
    """Write one backup file to DESTINATION while the app runs: the database (SQLite online
    backup API; pg_dump for PostgreSQL) and every stored file, with a manifest."""
    from pathlib import Path

    from trajectories.core.backup import BackupError, backup

    try:
        manifest = backup(_db(), current_app.config["SETTINGS"].var_dir, Path(destination))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup geschreven naar {destination}: de database ({manifest['database']}) en "
               f"{len(manifest['files'])} bestanden.")
    if manifest["missing"]:
        click.echo(f"Let op: {len(manifest['missing'])} bestanden waar de database naar verwijst "
                   "ontbreken op schijf (ook in de backup):", err=True)
        for path in manifest["missing"]:
            click.echo(f"  {path}", err=True)


@cli.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore(source):
    """Bring a backup made by `trajectories backup` back into an empty database and an empty
    TRAJECTORIES_VAR_DIR (refuses anything else and changes nothing then)."""
    from pathlib import Path

    from trajectories.core.backup import BackupError, restore

    try:
        manifest = restore(_db(), current_app.config["SETTINGS"].var_dir, Path(source))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Hersteld uit {source} (gemaakt {manifest['created_at']}): de database en "
               f"{len(manifest['files'])} bestanden. Draai nu `trajectories init-db` en "
               "`trajectories publish-calendars`.")


# --- mail: the development mailbox and the outbox -------------------------------------------------


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8025, show_default=True)
@with_appcontext
def mailbox(host, port):
    """Run the development SMTP mailbox; mails land in var/mailbox/."""
    from trajectories.mail.mailbox import run_mailbox

    directory = current_app.config["SETTINGS"].var_dir / "mailbox"
    click.echo(f"Mailbox on {host}:{port}, writing to {directory}")
    run_mailbox(directory, host, port)


@cli.command()
@click.option("--status", help="Only rows with this status (queued, sending, sent, failed, held).")
@click.option("--limit", default=50, show_default=True)
@click.option("--retry", "retry_id", type=int, help="Queue this failed or held mail again.")
@click.option("--drain", "drain_now", is_flag=True, help="Send what is due now.")
@with_appcontext
def outbox(status, limit, retry_id, drain_now):
    """List the mail outbox, newest first; --retry ID queues a mail again."""
    from sqlmodel import select

    from trajectories.mail.drain import drain
    from trajectories.mail.models import OutboxMessage
    from trajectories.mail.outbox import retry

    if retry_id is not None:
        with _db().session(actor="cli") as session:
            try:
                retry(session, retry_id)
            except InvalidInput as exc:
                raise click.ClickException(exc.message) from None
        click.echo(f"Mail {retry_id} queued again.")
    if drain_now:
        result = drain(_db(), current_app.config["SETTINGS"])
        click.echo(f"Sent {result.sent}, retry later {result.retried}, failed {result.failed}.")
    with _db().session() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
        if status:
            query = query.where(OutboxMessage.status == status)
        for row in session.exec(query):
            click.echo(f"{row.id:>6}  {row.status:<8} {row.kind:<12} {row.attempts}x  "
                       f"{row.to:<32} {row.subject[:50]}"
                       + (f"  [{row.last_error[:60]}]" if row.last_error else ""))


# --- the scheduler ---------------------------------------------------------------------------------


@cli.command()
@with_appcontext
def scheduler():
    """Run the scheduler (reminders, nudges, coaching mails, outbox) until SIGTERM or Ctrl-C.
    Start it on as many hosts as you like: one holds the leader lock, the others wait."""
    import signal
    import threading

    from trajectories.core.clock import app_clock
    from trajectories.scheduler.runtime import run_as_leader

    clock = app_clock()
    if clock is not None:  # TRAJECTORIES_CLOCK_START: it begins there once the plan is made
        clock.pause(at=clock.start)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Scheduler: waiting for the leader lock...")
    run_as_leader(current_app._get_current_object(), stop)


# Commands that live with their area.
from trajectories.feeds.commands import publish_calendars  # noqa: E402

cli.add_command(publish_calendars)


def main() -> None:
    try:
        cli.main(prog_name="trajectories")
    except ConfigError as exc:
        click.echo(f"Configuration error: {exc}", err=True)
        sys.exit(2)
