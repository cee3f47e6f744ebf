"""Time: aware UTC in code and in the database, the edition's IANA zone on screen, in feeds
and in mails.

Every time read goes through `utcnow()`. Normally that is the machine's clock. For
demonstrations and tests the process can run on its own clock instead, started at a given
moment and running N times faster (APScheduler's "now" and waits follow it too, see
`scheduler.engine.ClockScheduler`):

    TRAJECTORIES_CLOCK_START=2021-04-01T08:00:00+02:00 TRAJECTORIES_CLOCK_SPEED=600

(libfaketime cannot do this for Python: a threaded process waiting on `threading.Event.wait`
stalls under it, and `time.sleep` fails with EINVAL when monotonic time is not faked.) The
scheduler may also stop this clock while it works (`pause`) and let it run only up to its next
moment (`resume(until=...)`), so every moment fires, and its mails are dated, at its own time
however loaded the machine is (see `scheduler.engine`).
"""

from __future__ import annotations

import os
import threading
import time as _time
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

START_VARIABLE = "TRAJECTORIES_CLOCK_START"
SPEED_VARIABLE = "TRAJECTORIES_CLOCK_SPEED"


class AppClock:
    """A clock that starts at `start` and runs `speed` times faster than the machine's; it can
    stand still (`pause`) and be held back at a moment (`resume(until=...)`)."""

    def __init__(self, start: datetime, speed: float = 1.0):
        if start.tzinfo is None:
            raise ValueError("the clock's start needs a UTC offset")
        if not speed > 0:
            raise ValueError("the clock's speed must be above 0")
        self.start, self.speed = start.astimezone(UTC), float(speed)
        self._lock = threading.Lock()
        self._base = start.astimezone(UTC)
        self._base_real = _time.monotonic()
        self._paused = False
        self._until: datetime | None = None

    def _read(self, real: float) -> datetime:
        if self._paused:
            return self._base
        moment = self._base + timedelta(seconds=(real - self._base_real) * self.speed)
        return moment if self._until is None or moment <= self._until else self._until

    def now(self) -> datetime:
        with self._lock:
            return self._read(_time.monotonic())

    def pause(self, at: datetime | None = None) -> datetime:
        """Stand still at the current moment (or at `at`), returned, until `resume`."""
        with self._lock:
            self._base = self._read(_time.monotonic()) if at is None else at.astimezone(UTC)
            self._paused = True
            return self._base

    def resume(self, until: datetime | None = None) -> None:
        """Run on from where it stands, but not past `until` (None: no limit); never back."""
        with self._lock:
            real = _time.monotonic()
            self._base, self._base_real = self._read(real), real
            self._paused = False
            self._until = None if until is None else max(until, self._base)

    @property
    def paused(self) -> bool:
        return self._paused

    def real_seconds(self, seconds: float) -> float:
        return max(seconds, 0.0) / self.speed


def _clock_from_environment(environ=None) -> AppClock | None:
    env = os.environ if environ is None else environ
    start_raw, speed_raw = env.get(START_VARIABLE, "").strip(), env.get(SPEED_VARIABLE, "").strip()
    if not start_raw and not speed_raw:
        return None
    try:
        start = datetime.fromisoformat(start_raw) if start_raw else datetime.now(UTC)
    except ValueError:
        raise ValueError(f"{START_VARIABLE}: not an ISO 8601 moment: {start_raw!r}") from None
    if start.tzinfo is None:
        raise ValueError(f"{START_VARIABLE}: give a UTC offset, e.g. "
                         f"2021-04-01T08:00:00+02:00: {start_raw!r}")
    try:
        speed = float(speed_raw) if speed_raw else 1.0
    except ValueError:
        speed = 0.0
    if not 0 < speed < 1e9:
        raise ValueError(f"{SPEED_VARIABLE}: a number above 0 (times faster): {speed_raw!r}")
    return AppClock(start, speed)


#: The process's own clock, or None for the machine's clock.
_clock: AppClock | None = None


def configure_clock(environ=None) -> AppClock | None:
    """Set the process's clock from TRAJECTORIES_CLOCK_START / _SPEED (ValueError naming the
    variable when one is malformed); done at start-up by `create_app`."""
    global _clock
    _clock = _clock_from_environment(environ)
    return _clock


def app_clock() -> AppClock | None:
    return _clock


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change (02:30 on the last Sunday of March)."""


def utcnow() -> datetime:
    """Now, aware, in UTC (SQLModel stores aware datetimes as UTC on every database): the
    process's own clock when one is set."""
    return datetime.now(UTC) if _clock is None else _clock.now()


def zone(name: str) -> ZoneInfo:
    """The zone by IANA name; raises ValueError for an unknown name."""
    if not name or name not in _zone_names():
        raise ValueError(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(name) from None


_ZONES: set[str] = set()


def _zone_names() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def to_utc(day: date, at: time, zone_name: str) -> datetime:
    """Local wall-clock time in `zone_name` as aware UTC; refuses times a DST change skips."""
    tz = zone(zone_name)
    local = datetime.combine(day, at).replace(tzinfo=tz)
    utc = local.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(f"{day} {at} does not exist in {zone_name}")
    return utc


def to_local(moment: datetime, zone_name: str) -> datetime:
    """An aware moment as wall-clock time in `zone_name` (naive input is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone_name))


def local_today(zone_name: str, now_utc: datetime | None = None) -> date:
    return to_local(now_utc or utcnow(), zone_name).date()
