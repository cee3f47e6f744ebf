"""The admin commands: set-up, demo data, the development server, backups, mail and the scheduler.

`create_app` puts them on `app.cli` (so `flask --app wsgi ...` and the test CLI runner have them);
`trajectories.cli` makes them the `trajectories` program. This module knows neither.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import select
from werkzeug.serving import run_simple

from trajectories.accounts.services import create_coordinator
from trajectories.backup import BackupError, backup, restore
from trajectories.catalogue.models import Organiser
from trajectories.core.clock import app_clock
from trajectories.core.config import PROJECT_ROOT
from trajectories.core.errors import InvalidInput
from trajectories.core.migrate import upgrade
from trajectories.demo.loader import load_demo
from trajectories.feeds.commands import publish_calendars
from trajectories.mail.drain import drain
from trajectories.mail.mailbox import run_mailbox
from trajectories.mail.models import OutboxMessage
from trajectories.mail.outbox import retry
from trajectories.reach.commands import import_municipalities_command
from trajectories.scheduler.runtime import run_as_leader


def _db():
    return current_app.extensions["trajectories.db"]


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema (Alembic, to head)."""
    upgrade(_db().url)
    click.echo(f"Database ready: {_db().engine.url.render_as_string(hide_password=True)}")


@click.command()
@with_appcontext
def demo():
    """Load the demo programmes (idempotent: running it twice changes nothing)."""
    for line in load_demo(_db()):
        click.echo(line)


@click.command("create-coordinator")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--organiser", "organiser_slug", help="Slug of the organiser (vng, vvsg).")
@click.option("--admin", is_flag=True, help="An admin sees every organiser.")
@click.password_option()
@with_appcontext
def create_coordinator_command(email, name, organiser_slug, admin, password):
    """Create a coordinator account."""
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


@click.command()
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
    click.echo(f"trajectories on http://{host}:{port}/")
    run_simple(host, port, current_app._get_current_object(), threaded=True)


def _scheduler_thread(app) -> None:
    """The scheduler beside the development server, in a daemon thread (same leader lock)."""
    threading.Thread(target=run_as_leader, args=(app, threading.Event()), name="scheduler",
                     daemon=True).start()


def _exec_gunicorn(host: str, port: int, workers: int | None) -> None:
    """Replace this process by gunicorn, so signals from systemd reach its master directly."""
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    args = [gunicorn, "--config", str(PROJECT_ROOT / "gunicorn.conf.py"),
            "--chdir", str(PROJECT_ROOT), "--bind", f"{host}:{port}"]
    if workers:
        args += ["--workers", str(workers)]
    os.execv(gunicorn, [*args, "wsgi:app"])


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(destination):
    """Write one backup file to DESTINATION while the app runs: the database (SQLite online
    backup API; pg_dump for PostgreSQL) and every stored file, with a manifest."""
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


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(source):
    """Bring a backup made by `trajectories backup` back into an empty database and an empty
    TRAJECTORIES_VAR_DIR (refuses anything else and changes nothing then)."""
    try:
        manifest = restore(_db(), current_app.config["SETTINGS"].var_dir, Path(source))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Hersteld uit {source} (gemaakt {manifest['created_at']}): de database en "
               f"{len(manifest['files'])} bestanden. Draai nu `trajectories init-db` en "
               "`trajectories publish-calendars`.")


# --- mail: the development mailbox and the outbox -------------------------------------------------


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8025, show_default=True)
@with_appcontext
def mailbox(host, port):
    """Run the development SMTP mailbox; mails land in var/mailbox/."""
    directory = current_app.config["SETTINGS"].var_dir / "mailbox"
    click.echo(f"Mailbox on {host}:{port}, writing to {directory}")
    run_mailbox(directory, host, port)


@click.command()
@click.option("--status", help="Only rows with this status (queued, sending, sent, failed, held).")
@click.option("--limit", default=50, show_default=True)
@click.option("--retry", "retry_id", type=int, help="Queue this failed or held mail again.")
@click.option("--drain", "drain_now", is_flag=True, help="Send what is due now.")
@with_appcontext
def outbox(status, limit, retry_id, drain_now):
    """List the mail outbox, newest first; --retry ID queues a mail again."""
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


@click.command()
@with_appcontext
def scheduler():
    """Run the scheduler (reminders, nudges, coaching mails, outbox) until SIGTERM or Ctrl-C.
    Start it on as many hosts as you like: one holds the leader lock, the others wait."""
    clock = app_clock()
    if clock is not None:  # TRAJECTORIES_CLOCK_START: it begins there once the plan is made
        clock.pause(at=clock.start)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Scheduler: waiting for the leader lock...")
    run_as_leader(current_app._get_current_object(), stop)


#: Every command of the `trajectories` program (publish-calendars lives with the feeds).
COMMANDS = (init_db, demo, create_coordinator_command, serve, backup_command, restore_command,
            mailbox, outbox, scheduler, publish_calendars, import_municipalities_command)
