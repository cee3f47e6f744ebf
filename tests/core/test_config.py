import subprocess
import sys

import pytest

from trajectories.core.config import ConfigError, load_settings


def test_settings_defaults_to_sqlite_under_var(tmp_path):
    settings = load_settings({}, var_dir=str(tmp_path))
    assert settings.database_url == f"sqlite:///{tmp_path}/trajectories.db"
    assert settings.timezone == "Europe/Amsterdam"


def test_the_scheduler_publishes_track_and_organiser_feeds_in_production_only_by_default(
        tmp_path):
    assert load_settings({}, var_dir=str(tmp_path)).feed_publisher == "web"
    production = {"TRAJECTORIES_PRODUCTION": "1", "TRAJECTORIES_SECRET_KEY": "k" * 40}
    assert load_settings(production, var_dir=str(tmp_path)).feed_publisher == "scheduler"
    assert load_settings({**production, "TRAJECTORIES_FEED_PUBLISHER": "web"},
                         var_dir=str(tmp_path)).feed_publisher == "web"


def test_secret_key_generated_once_and_kept(tmp_path):
    first = load_settings({}, var_dir=str(tmp_path)).secret_key
    assert len(first) >= 40
    assert load_settings({}, var_dir=str(tmp_path)).secret_key == first


@pytest.mark.parametrize(("variable", "value", "named"), [
    ("TRAJECTORIES_TIMEZONE", "Mars/Olympus_Mons", "TRAJECTORIES_TIMEZONE"),
    ("TRAJECTORIES_DATABASE_URL", "mysql://x@y/z", "TRAJECTORIES_DATABASE_URL"),
    ("TRAJECTORIES_DATABASE_URL", "postgresql://", "TRAJECTORIES_DATABASE_URL"),
    ("TRAJECTORIES_BASE_URL", "ftp://example.org", "TRAJECTORIES_BASE_URL"),
    ("TRAJECTORIES_SMTP_PORT", "smtp", "TRAJECTORIES_SMTP_PORT"),
    ("TRAJECTORIES_SMTP_PORT", "70000", "TRAJECTORIES_SMTP_PORT"),
    ("TRAJECTORIES_MAIL_FROM", "noreply", "TRAJECTORIES_MAIL_FROM"),
    ("TRAJECTORIES_SMTP_SSL", "perhaps", "TRAJECTORIES_SMTP_SSL"),
    ("TRAJECTORIES_FEED_PUBLISHER", "nginx", "TRAJECTORIES_FEED_PUBLISHER"),
])
def test_invalid_setting_names_the_variable(tmp_path, variable, value, named):
    with pytest.raises(ConfigError) as error:
        load_settings({variable: value}, var_dir=str(tmp_path))
    assert str(error.value).startswith(named)


def test_production_requires_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="TRAJECTORIES_SECRET_KEY"):
        load_settings({"TRAJECTORIES_PRODUCTION": "1"}, var_dir=str(tmp_path))


@pytest.mark.slow  # a real process (see pyproject.toml's markers)
def test_cli_reports_bad_setting_in_one_line(tmp_path):
    env = {"TRAJECTORIES_TIMEZONE": "Europe/Atlantis", "TRAJECTORIES_VAR_DIR": str(tmp_path),
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "trajectories", "init-db"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: TRAJECTORIES_TIMEZONE: unknown time zone 'Europe/Atlantis'"]


@pytest.mark.slow  # a real process (see pyproject.toml's markers)
def test_init_db_and_create_coordinator_from_the_command_line(tmp_path):
    env = {"TRAJECTORIES_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = lambda *args, **kw: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "trajectories", *args], env=env, capture_output=True, text=True,
        timeout=120, **kw)
    assert run("init-db").returncode == 0
    assert run("demo").returncode == 0
    created = run("create-coordinator", "--email", "Nieuw@VNG.example", "--name", "Nieuw",
                  "--organiser", "vng", input="een lang wachtwoord\neen lang wachtwoord\n")
    assert created.returncode == 0, created.stderr
    assert "nieuw@vng.example" in created.stdout
    again = run("create-coordinator", "--email", "nieuw@vng.example", "--name", "Nieuw",
                "--organiser", "vng", input="een lang wachtwoord\neen lang wachtwoord\n")
    assert again.returncode == 1
    assert "Er is al een account met dit e-mailadres." in again.stderr
    unknown = run("create-coordinator", "--email", "x@vng.example", "--name", "X",
                  "--organiser", "nope", input="een lang wachtwoord\neen lang wachtwoord\n")
    assert "Onbekende organisator: nope" in unknown.stderr


@pytest.mark.parametrize(("production", "database", "storage", "workers", "refused"), [
    ("1", "sqlite:////tmp/x.db", "memory://", 5, True),
    ("1", "sqlite:////tmp/x.db", "async+memory://", 2, True),
    ("1", "postgresql://db.internal/t", "memory://", 1, True),  # other hosts may serve too
    ("1", "sqlite:////tmp/x.db", "memory://", 1, False),       # one process, one host
    ("1", "postgresql://db.internal/t", "redis://127.0.0.1:6379", 5, False),
    ("0", "postgresql://db.internal/t", "memory://", 5, False),  # development keeps memory
])
def test_production_refuses_rate_limits_counted_per_process(tmp_path, production, database,
                                                             storage, workers, refused):
    from trajectories.core.config import check_rate_limit_storage

    settings = load_settings({"TRAJECTORIES_PRODUCTION": production,
                              "TRAJECTORIES_SECRET_KEY": "k" * 64,
                              "TRAJECTORIES_DATABASE_URL": database,
                              "TRAJECTORIES_RATELIMIT_STORAGE_URI": storage},
                             var_dir=str(tmp_path))
    if refused:
        with pytest.raises(ConfigError) as error:
            check_rate_limit_storage(settings, workers)
        assert str(error.value).startswith("TRAJECTORIES_RATELIMIT_STORAGE_URI: ")
        assert "\n" not in str(error.value)
    else:
        check_rate_limit_storage(settings, workers)
