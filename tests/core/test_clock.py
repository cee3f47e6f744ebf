"""The app's own clock (TRAJECTORIES_CLOCK_START / _SPEED): moved, sped up, held by the
scheduler, and refused with one clear line when malformed."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from trajectories.app import create_app
from trajectories.core import clock
from trajectories.core.config import ConfigError

START = datetime(2021, 4, 1, 6, 0, tzinfo=UTC)


def test_the_clock_starts_at_its_moment_and_runs_n_times_faster():
    own = clock.AppClock(START, speed=3600)  # an hour per second
    first = own.now()
    assert START <= first < START + timedelta(minutes=30)
    time.sleep(0.2)
    assert own.now() - first >= timedelta(minutes=10)
    assert own.real_seconds(3600) == 1.0


def test_paused_it_stands_still_and_held_it_never_passes_nor_goes_back():
    own = clock.AppClock(START, speed=1_000_000)
    stopped = own.pause()
    time.sleep(0.05)
    assert own.now() == stopped
    own.resume(until=stopped + timedelta(hours=1))
    time.sleep(0.05)  # 50 000 s would have passed
    assert own.now() == stopped + timedelta(hours=1)
    own.pause()
    own.resume(until=stopped)  # a moment already passed: it stays where it is
    assert own.now() == stopped + timedelta(hours=1)


def test_every_time_read_follows_the_configured_clock():
    try:
        clock.configure_clock({clock.START_VARIABLE: "2021-04-01T08:00:00+02:00",
                               clock.SPEED_VARIABLE: "600"})
        assert abs(clock.utcnow() - START) < timedelta(minutes=5)
    finally:
        clock.configure_clock({})
    assert abs(clock.utcnow() - datetime.now(UTC)) < timedelta(seconds=5)


@pytest.mark.parametrize("variable, value", [
    ("TRAJECTORIES_CLOCK_START", "1 april 2021"),
    ("TRAJECTORIES_CLOCK_START", "2021-04-01T08:00:00"),  # no offset
    ("TRAJECTORIES_CLOCK_SPEED", "0"),
    ("TRAJECTORIES_CLOCK_SPEED", "fast"),
])
def test_a_malformed_clock_setting_stops_start_up_naming_it(monkeypatch, tmp_path, variable,
                                                            value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        create_app({"database_url": f"sqlite:///{tmp_path / 'x.db'}", "var_dir": str(tmp_path)})
    monkeypatch.delenv(variable)
    clock.configure_clock({})
