"""Fixtures the whole suite leans on: `db` (a real database, SQLite and — when
TRAJECTORIES_TEST_DATABASE_URL is set — PostgreSQL), `app`, `client`, `runner`.

With TRAJECTORIES_REQUIRE_ALL=1 (CI), a test that would skip for a missing service fails instead.
"""

from __future__ import annotations

import dataclasses
import os
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import trajectories.schema  # noqa: F401
from tests.auth import signed_in_coordinator, signed_in_participant  # noqa: F401
from tests.coordinator_helpers import Browser, build_world
from trajectories.app import SUBSCRIPTIONS, create_app
from trajectories.core import events
from trajectories.core.db import Database, normalise_url

# The after-commit handlers the app wires, for every test: a test with only a session re-plans
# as the app does, whichever tests ran before it.
events.connect(SUBSCRIPTIONS)

PG_URL = os.environ.get("TRAJECTORIES_TEST_DATABASE_URL", "")
if PG_URL and "options=" not in PG_URL:
    # Tests need no durability across a power cut; waiting on the disk at every commit made the
    # PostgreSQL half of the suite several times slower.
    PG_URL += ("&" if "?" in PG_URL else "?") + "options=-csynchronous_commit%3Doff"
REQUIRE_ALL = os.environ.get("TRAJECTORIES_REQUIRE_ALL") == "1"


def _worker_database(url: str, worker: str) -> str:
    """The database of one parallel worker (`pytest -n`, pytest-xdist): `<name>_<worker>` beside
    the configured one, created when missing. Each worker empties its own tables between tests,
    so the workers never see each other's rows (nor take each other's advisory locks)."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                {"name": name}).first():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


if PG_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    PG_URL = _worker_database(PG_URL, os.environ["PYTEST_XDIST_WORKER"])


def require(condition: bool, reason: str) -> None:
    """Skip when an optional part is missing; fail instead under TRAJECTORIES_REQUIRE_ALL=1."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (TRAJECTORIES_REQUIRE_ALL=1)")
    pytest.skip(reason)


def redis_client(uri: str):
    """A client of the Redis at `uri`; skips (fails under TRAJECTORIES_REQUIRE_ALL=1) when none
    answers there."""
    import redis

    client = redis.Redis.from_url(uri)
    try:
        client.ping()
    except redis.ConnectionError:
        require(False, f"Redis not reachable at {uri}")
    return client


_pg_schema_ready = False


def _reset_postgres(url: str) -> None:
    """Create the schema once per run, then empty every table between tests."""
    global _pg_schema_ready
    database = Database(url)
    try:
        if not _pg_schema_ready:
            with database.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            SQLModel.metadata.create_all(database.engine)
            _pg_schema_ready = True
        else:
            tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            with database.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))
    finally:
        database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        database = Database(url)
        SQLModel.metadata.create_all(database.engine)
        database.dispose()
        return url
    require(bool(PG_URL), "PostgreSQL not configured: set TRAJECTORIES_TEST_DATABASE_URL")
    _reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def session(db):
    with db.session(actor="test") as s:
        yield s


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    return {
        "database_url": database_url,
        "var_dir": str(tmp_path / "var"),
        "calendars_dir": str(tmp_path / "calendars"),
        "secret_key": "test-secret-key",
        "TESTING": True,
    }


def _close(application) -> None:
    """Let the background publisher write the feeds the test's changes left it (it reads this
    app's database), then close the database."""
    from trajectories.feeds import publish

    publish.wait_idle()
    application.extensions["trajectories.db"].dispose()


@pytest.fixture
def app(app_config):
    application = create_app(app_config)
    yield application
    _close(application)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- real servers: an SMTP sink, the app on a port, headless Chromium ----------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps what it accepts.

    `messages` are parsed `email.message.EmailMessage`s in arrival order; `refuse` maps an address
    to an SMTP reply ("550 no such user") to refuse that recipient; `refuse_content` does the same
    after the message's content (the reply to DATA's end).
    """

    def __init__(self) -> None:
        import threading

        self.messages: list = []
        self.refuse: dict[str, str] = {}
        self.refuse_content: dict[str, str] = {}
        #: Seconds each message's content takes to be accepted (a slow server).
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        for address in envelope.rcpt_tos:
            if address.lower() in self.refuse_content:
                return self.refuse_content[address.lower()]
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def smtp_controller(handler):
    """aiosmtpd's Controller on the port the system gives it while it binds (port 0), read back
    into `controller.port`: no gap between picking a free port and binding it, in which another
    server (another test run on this machine) could take it."""
    from aiosmtpd.controller import Controller

    class BoundController(Controller):
        def _create_server(self):
            async def bind():
                server = await Controller._create_server(self)
                self.port = server.sockets[0].getsockname()[1]
                return server

            return bind()

    return BoundController(handler, hostname="127.0.0.1", port=0)


@contextmanager
def running_smtp_sink():
    """A real SMTP server (an `SmtpSink`, its `port` set) on 127.0.0.1 for the block."""
    sink = SmtpSink()
    controller = smtp_controller(sink)
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_sink():
    """A real SMTP server on 127.0.0.1 (`sink.port`)."""
    with running_smtp_sink() as sink:
        yield sink


@pytest.fixture
def mail_app(app_config, smtp_sink):
    """The app whose mail goes to this test's SMTP sink (`smtp_sink`).

    A module whose every test mails makes it its `app` (and so its `client` and `live_server`):
    `@pytest.fixture def app(mail_app): return mail_app`.
    """
    application = create_app({**app_config, "smtp_host": "127.0.0.1", "smtp_port": smtp_sink.port})
    yield application
    _close(application)


@pytest.fixture
def mail_settings(app, smtp_sink):
    """The settings of `app` with its mail going to this test's SMTP sink: for
    `drain(db, mail_settings)`, which sends what the outbox holds."""
    return dataclasses.replace(app.config["SETTINGS"], smtp_port=smtp_sink.port)


# --- the coordinator app's world ---------------------------------------------------------------


@pytest.fixture
def coordinator_world(session):
    """Two organisers (VNG, VVSG), each with a coordinator, a track and an edition with a session
    and a deadline; an admin; four participants in VNG's edition (three admitted, one
    waitlisted): a `tests.coordinator_helpers.World`."""
    return build_world(session)


@pytest.fixture
def nl(client, session, coordinator_world):
    """A `Browser` signed in as VNG's coordinator (nl@example.org) of `coordinator_world`."""
    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    return browser


@pytest.fixture
def live_server(app):
    """The app served on a real port in a thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)  # the port is picked as it binds
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


CHROMIUM = os.environ.get("TRAJECTORIES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    require(os.path.exists(CHROMIUM), f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


#: The narrowest screen every page must fit without sideways scrolling (WCAG 1.4.10 Reflow; the
#: accessibility statement promises it).
REFLOW_WIDTH = 320


def too_wide(context, urls) -> dict[str, int]:
    """The pages among `urls` that are wider than REFLOW_WIDTH px on a screen that wide, with
    their width; opened in a new tab of `context` (its cookies: the same person)."""
    tab = context.new_page()
    tab.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
    wide = {}
    try:
        for url in dict.fromkeys(urls):
            tab.goto(url)
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > REFLOW_WIDTH:
                wide[url] = width
    finally:
        tab.close()
    return wide


def assert_reflows(page) -> None:
    """The page as it is now (also the answer to a form) fits a REFLOW_WIDTH px wide screen."""
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        if size:
            page.set_viewport_size(size)
    assert width <= REFLOW_WIDTH, f"{page.url} is {width}px wide at {REFLOW_WIDTH}px"


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) in Dutch, on a `live_server` that outlives it.

    Every page the test visits is opened again at the end on a 320px wide screen, with the same
    cookies: a page that needs sideways scrolling there fails the test (at teardown)."""
    context = browser.new_context(locale="nl-NL")
    tab = context.new_page()
    visited: list[str] = []
    tab.on("framenavigated", lambda frame: frame == tab.main_frame
           and frame.url.startswith("http") and visited.append(frame.url))
    yield tab
    try:
        wide = too_wide(context, visited)
    finally:
        context.close()
    assert wide == {}, f"wider than {REFLOW_WIDTH}px at a {REFLOW_WIDTH}px wide screen: {wide}"


def stand_clock_still(monkeypatch, at):
    """The app's clock standing still at `at` for one test; move it with `.pause(at=...)`."""
    from trajectories.core import clock

    own = clock.AppClock(at)
    own.pause(at)
    monkeypatch.setattr(clock, "_clock", own)
    return own


@pytest.fixture
def statements(app):
    """The SQL statements the app ran since the last `statements.clear()`."""
    from sqlalchemy import event

    seen: list[str] = []
    engine = app.extensions["trajectories.db"].engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731  (conn, cursor, statement, ...)
    event.listen(engine, "before_cursor_execute", listener)
    yield seen
    event.remove(engine, "before_cursor_execute", listener)
