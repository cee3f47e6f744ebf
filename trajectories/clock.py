"""Time: aware UTC in code and in the database, the edition's IANA zone on screen, in feeds
and in mails."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change (02:30 on the last Sunday of March)."""


def utcnow() -> datetime:
    """Now, aware, in UTC (SQLModel stores aware datetimes as UTC on every database)."""
    return datetime.now(UTC)


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
