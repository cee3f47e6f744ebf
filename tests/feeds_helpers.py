"""Shared by the feed tests: parse a feed with icalendar and with the strict `ical` package."""

from __future__ import annotations

import icalendar
from ical.calendar_stream import IcsCalendarStream


def parse_both(body: bytes):
    """(icalendar.Calendar, ical.calendar.Calendar); the strict parser raises on any RFC 5545
    violation it knows."""
    loose = icalendar.Calendar.from_ical(body)
    strict = IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))
    return loose, strict


def vevents(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}
