"""The feeds' iCalendar text, written line by line: a VEVENT from an `Entry` (what an entry
says, `calendar.meeting_entry` and `deadline_entry` fill it in) and a feed's VCALENDAR
properties.

The bytes are those of icalendar's own `to_ical()` (`calendar.event(entry)`, `calendar_shell`):
the same property order, and the library's own helpers for escaping TEXT values, quoting
parameters and folding lines; tests/feeds/test_feeds_ics.py compares the two over many varied
entries. Building the library's component tree and serialising it cost ~0.6 ms a VEVENT, twenty
times the writing, and a national publish run writes tens of thousands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import vDuration
from icalendar.parser.parameter import param_value
from icalendar.parser.string import _escape_char as escape
from icalendar.timezone.tzid import tzid_from_dt

#: The longest line (in octets) icalendar leaves unfolded.
_UNFOLDED = 74
_ESCAPES = b"\\^"


@dataclass(frozen=True, slots=True)
class Entry:
    """A VEVENT's properties (`Event.new`'s arguments)."""

    uid: str
    sequence: int
    #: DTSTAMP, CREATED and LAST-MODIFIED: aware, in UTC.
    stamp: datetime
    created: datetime
    last_modified: datetime
    #: Aware datetimes in the edition's zone, or dates (all day).
    start: date
    end: date
    summary: str
    description: str
    url: str
    categories: Sequence[str]
    transparency: str
    location: str | None = None
    status: str | None = None
    #: A CONFERENCE (FEATURE=VIDEO) with this URI and label, when given.
    online_url: str | None = None
    online_label: str = ""
    #: A DISPLAY reminder (VALARM) this long before the start, saying `alarm_text`.
    alarm_before: timedelta | None = None
    alarm_text: str = ""

    def sort_key(self) -> tuple[str, str]:
        """Start (in UTC) and UID: the order of a feed's VEVENTs."""
        start = self.start
        if isinstance(start, datetime):
            return start.astimezone(UTC).strftime("%Y%m%dT%H%M%S"), self.uid
        return start.strftime("%Y%m%dT000000"), self.uid

    def tzid(self) -> str | None:
        """The zone of its start (None: a date, or UTC)."""
        zone = self.start.tzinfo if isinstance(self.start, datetime) else None
        return getattr(zone, "key", None)


def fold(line: str) -> bytes:
    """The line's octets folded as icalendar's `_foldline` folds them: each piece is the
    longest run of whole characters of at most 74 octets, less a final backslash or caret
    (it starts the next piece: an escape is never split). The library's loop goes character by
    character; this cuts the encoded line (tests/feeds compare the two)."""
    if "\n" in line:  # as icalendar's Contentline refuses it
        raise ValueError(f"a content line holds a line break: {line!r}")
    octets = line.encode()
    if len(octets) <= _UNFOLDED:
        return octets
    pieces, start = [], 0
    while len(octets) - start > _UNFOLDED:
        end = start + _UNFOLDED
        while octets[end] & 0xC0 == 0x80:  # inside a character: cut before it
            end -= 1
        if octets[end - 1] in _ESCAPES:
            end -= 1
        pieces.append(octets[start:end])
        start = end
    pieces.append(octets[start:])
    return b"\r\n ".join(pieces)


def _text(lines: list[str]) -> bytes:
    return b"\r\n".join(map(fold, lines)) + b"\r\n"


def _utc(moment: datetime) -> str:
    return f"{moment:%Y%m%dT%H%M%S}Z"


@lru_cache(maxsize=64)
def _tzid_param(key: str) -> str | None:
    """The TZID parameter's value icalendar writes for the zone `key` (None: UTC, written as a
    Z suffix)."""
    tzid = tzid_from_dt(datetime(2000, 1, 1, tzinfo=ZoneInfo(key)))
    return None if tzid == "UTC" else param_value(tzid)


def _when(name: str, moment: date) -> str:
    if not isinstance(moment, datetime):
        return f"{name};VALUE=DATE:{moment:%Y%m%d}"
    tzid = _tzid_param(moment.tzinfo.key)
    if tzid is None:
        return f"{name}:{_utc(moment)}"
    return f"{name};TZID={tzid}:{moment:%Y%m%dT%H%M%S}"


def event_text(entry: Entry) -> bytes:
    """The VEVENT's bytes, as `calendar.event(entry).to_ical()` gives them."""
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{escape(entry.summary)}",
        _when("DTSTART", entry.start),
        _when("DTEND", entry.end),
        f"DTSTAMP:{_utc(entry.stamp)}",
        f"UID:{escape(entry.uid)}",
        f"SEQUENCE:{entry.sequence}",
        f"CATEGORIES:{','.join(map(escape, entry.categories))}",
    ]
    if entry.online_url:
        lines.append(f"CONFERENCE;FEATURE=VIDEO;LABEL={param_value(entry.online_label)};"
                     f"VALUE=URI:{entry.online_url}")
    lines += [f"CREATED:{_utc(entry.created)}",
              f"DESCRIPTION:{escape(entry.description)}",
              f"LAST-MODIFIED:{_utc(entry.last_modified)}"]
    if entry.location is not None:
        lines.append(f"LOCATION:{escape(entry.location)}")
    if entry.status is not None:
        lines.append(f"STATUS:{escape(entry.status)}")
    lines += [f"TRANSP:{escape(entry.transparency)}", f"URL:{entry.url}"]
    if entry.alarm_before is not None:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{escape(entry.alarm_text)}",
                  f"TRIGGER:{vDuration(-entry.alarm_before).to_ical().decode()}",
                  f"UID:{escape(f'alarm-{entry.uid}')}", "END:VALARM"]
    lines.append("END:VEVENT")
    return _text(lines)


def calendar_text(*, prodid: str, uid: str, name: str, description: str, timezone: str,
                  language: str, refresh: str) -> bytes:
    """A feed's VCALENDAR up to its components (no END), as `calendar.calendar_shell` gives
    it; `refresh`: REFRESH-INTERVAL and X-PUBLISHED-TTL as an iCalendar duration. NAME and the
    X-WR- properties are written as given (icalendar does not escape them either)."""
    language_param = f";LANGUAGE={param_value(language)}" if language else ""
    return _text([
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape(prodid)}",
        "CALSCALE:GREGORIAN",
        f"DESCRIPTION:{escape(description)}",
        f"X-WR-CALDESC:{description}",
        f"NAME{language_param}:{name}",
        f"X-WR-CALNAME:{name}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}",
        f"UID:{escape(uid)}",
        f"X-PUBLISHED-TTL:{refresh}",
        f"X-WR-TIMEZONE:{timezone}",
    ])
