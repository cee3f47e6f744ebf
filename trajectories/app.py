"""The application factory."""

from __future__ import annotations

from flask import Flask, g, request, session
from flask_babel import Babel

from trajectories.core.clock import configure_clock
from trajectories.core.config import PROJECT_ROOT, ConfigError, Settings, load_settings
from trajectories.core.db import Database
from trajectories.core.logs import configure_logging, log_requests

babel = Babel()
LANGUAGES = ("nl", "en")


def select_locale() -> str:
    """Dutch unless the visitor chose English with the language switch."""
    chosen = request.args.get("lang") or session.get("lang")
    return chosen if chosen in LANGUAGES else "nl"


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config`: lower-case keys override settings (`database_url=...`),
    upper-case keys go into Flask's config (`TESTING=True`)."""
    config = dict(config or {})
    flask_config = {k: v for k, v in config.items() if k.isupper()}
    settings: Settings = load_settings(**{k: v for k, v in config.items() if not k.isupper()})
    try:  # TRAJECTORIES_CLOCK_START / _SPEED: this process on its own clock (trajectories.clock)
        configure_clock()
    except ValueError as exc:
        raise ConfigError(str(exc)) from None

    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SETTINGS=settings,
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "trajectories" / "translations"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
    )
    app.config.update(flask_config)
    configure_logging(json_lines=settings.production)

    app.extensions["trajectories.db"] = Database(settings.database_url)
    babel.init_app(app, locale_selector=select_locale)

    from trajectories import handlers, schema  # noqa: F401  (after-commit handlers; every table)
    from trajectories.web import register_blueprints, template_helpers

    register_blueprints(app)
    template_helpers(app)
    log_requests(app)

    from trajectories.cli import cli

    # The same commands under `flask --app wsgi ...` and the test CLI runner.
    for command in cli.commands.values():
        app.cli.add_command(command)

    @app.teardown_appcontext
    def _close_db_session(_exc):
        db_session = g.pop("db_session", None)
        if db_session is not None:
            db_session.close()

    return app
