"""Public VEVENT texts built once per change and spliced into every feed that holds them.

A public entry's VEVENT depends only on its row, its edition, track and organiser, the base URL
and the language: the same bytes in its edition's, track's and organiser's feed. `public_text`
keeps each one in this process, keyed by everything it is built from (so a change to any of
them builds it anew, and an unchanged entry is never built twice), and `feed_bytes` puts the
texts of a feed into the bytes of its VCALENDAR: a reschedule rewrites an organiser feed of
thousands of entries by building one VEVENT and joining the others. `ics` writes the lines, with
icalendar's escaping and folding; the bytes are those of `to_bytes(feed_calendar(...))`
(tests/feeds check both ways give the same).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

from icalendar import vDuration
from sqlalchemy import Row

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.feeds.calendar import PRODID, REFRESH, timezone_texts
from trajectories.feeds.ics import Entry, calendar_text, event_text
from trajectories.schedule.models import Deadline, Material, Meeting

#: Entries kept per process (about 1 kB each); past it the cache starts again.
LIMIT = 100_000
_END = b"END:VCALENDAR\r\n"
_REFRESH = vDuration(REFRESH).to_ical().decode()


@dataclass(frozen=True, slots=True)
class EventText:
    sort_key: tuple[str, str]
    #: The zone of its start (None: a date, or UTC).
    tzid: str | None
    years: tuple[int, int]
    body: bytes


_texts: dict[Hashable, EventText] = {}
_lock = threading.Lock()


def _row_key(row: Row) -> tuple:
    # Every column (`rows.load_rows` loads them as plain rows): a change that did not move
    # updated_at still builds anew.
    return tuple(row)


def meeting_key(meeting: Meeting, materials: Sequence[Material], edition: Edition,
                track: Track, organiser: Organiser, base_url: str, language: str) -> tuple:
    return ("meeting", _row_key(meeting), tuple(_row_key(m) for m in materials),
            _parents_key(edition, track, organiser), base_url, language)


def deadline_key(deadline: Deadline, edition: Edition, track: Track, organiser: Organiser,
                 base_url: str, language: str) -> tuple:
    return ("deadline", _row_key(deadline), _parents_key(edition, track, organiser), base_url,
            language)


def _parents_key(edition: Edition, track: Track, organiser: Organiser) -> tuple:
    return (edition.id, edition.name, edition.timezone, track.id, track.title, track.slug,
            tuple(track.sdgs or ()), organiser.slug)


def entry_text(entry: Entry) -> EventText:
    return EventText(entry.sort_key(), entry.tzid(), (entry.start.year, entry.end.year),
                     event_text(entry))


def public_text(key: Hashable, build: Callable[[], Entry]) -> EventText:
    """The text of the entry `build` makes, built only when nothing built from `key` is kept."""
    found = _texts.get(key)
    if found is None:
        found = entry_text(build())
        with _lock:
            if len(_texts) >= LIMIT:
                _texts.clear()
            _texts[key] = found
    return found


def clear() -> None:
    with _lock:
        _texts.clear()


def feed_bytes(*, uid: str, name: str, description: str, timezone: str,
               texts: Iterable[EventText], language: str = "nl") -> bytes:
    """The VCALENDAR's bytes with these VEVENTs (sorted by start and UID, like feed_calendar)."""
    texts = sorted(texts, key=lambda t: t.sort_key)
    tzids = {t.tzid for t in texts if t.tzid}
    years = [y for t in texts for y in t.years]
    shell = calendar_text(prodid=PRODID, uid=uid, name=name, description=description,
                          timezone=timezone, language=language, refresh=_REFRESH)
    return b"".join([shell, *timezone_texts(timezone, tzids, years), *(t.body for t in texts),
                     _END])
