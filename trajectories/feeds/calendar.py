"""iCalendar building: one VEVENT per session or deadline, and the VCALENDAR around them.

Pure functions of the rows they are given (no clock, no database), so identical rows give
identical bytes, and the scheduler's mailed invitations reuse `meeting_event` and add METHOD,
ORGANIZER and ATTENDEE themselves. Feeds never carry ORGANIZER or ATTENDEE: clients would treat
the entries as invitations and send replies. What an entry says is an `ics.Entry`; the feeds
write its text with `ics.event_text`, and `event` makes it an icalendar Event (mails, and the
reference `feed_calendar` that tests compare the written feeds with).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from icalendar import Alarm, Calendar, Component, Event, Timezone, vDuration
from icalendar.prop.conference import Conference

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.core.clock import to_local
from trajectories.feeds.ics import Entry
from trajectories.feeds.texts import long_date, texts
from trajectories.schedule.models import Deadline, Material, Meeting, MeetingMode, MeetingStatus

PRODID = "-//trajectories//leertrajecten//NL"
#: How often clients should fetch a subscribed feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL).
REFRESH = timedelta(hours=1)


def _aware(moment: datetime) -> datetime:
    """In UTC (DTSTAMP must be): naive values are UTC already, aware ones may come back in the
    database connection's zone."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def page_url(base_url: str, organiser: Organiser, track: Track, edition: Edition | None = None) -> str:
    """The public page of a track (at the edition's section when given)."""
    url = f"{base_url.rstrip('/')}/{organiser.slug}/{track.slug}/"
    return f"{url}#ed-{edition.id}" if edition is not None else url


def _categories(track: Track) -> list[str]:
    return [track.title, *(f"SDG {n}" for n in (track.sdgs or []))]


def meeting_entry(meeting: Meeting, edition: Edition, track: Track, organiser: Organiser, *,
                  base_url: str, language: str = "nl",
                  materials: Sequence[Material] = ()) -> Entry:
    """One session as a VEVENT: UID and SEQUENCE from the row, DTSTAMP from its last change,
    times in the edition's zone; a time still to be announced gives an all-day TENTATIVE event."""
    t = texts(language)
    url = page_url(base_url, organiser, track, edition)
    tba = meeting.starts_at is None
    cancelled = meeting.status == MeetingStatus.CANCELLED

    summary = f"{track.title}: {meeting.title}"
    if tba:
        summary += f" ({t['tba']})"
    if cancelled:
        summary = f"{t['cancelled']}: {summary}"

    lines = [f"{track.title} – {t['edition']} {edition.name}"]
    if meeting.description:
        lines += ["", f"{t['agenda']}:", meeting.description]
    if materials:
        lines += ["", f"{t['materials']}:"]
        lines += [f"- {m.title}: {m.url or url}" for m in materials]
    if meeting.online_url:
        lines += ["", f"{t['online']}: {meeting.online_url}"]
    lines += ["", f"{t['page']}: {url}"]

    if meeting.mode == MeetingMode.ONLINE:
        location = meeting.location or t["online_location"]
    else:
        location = meeting.location or None

    if tba:
        start, end = meeting.on_date, meeting.on_date + timedelta(days=1)
    else:
        start = to_local(meeting.starts_at, edition.timezone)
        end = to_local(meeting.ends_at, edition.timezone)

    return Entry(
        uid=meeting.uid,
        sequence=meeting.sequence,
        stamp=_aware(meeting.updated_at),
        created=_aware(meeting.created_at),
        last_modified=_aware(meeting.updated_at),
        start=start,
        end=end,
        summary=summary,
        description="\n".join(lines),
        location=location,
        url=url,
        categories=_categories(track),
        status="CANCELLED" if cancelled else ("TENTATIVE" if tba else "CONFIRMED"),
        transparency="TRANSPARENT" if (tba or cancelled) else "OPAQUE",
        online_url=meeting.online_url or None,
        online_label=t["online"],
    )


def meeting_event(meeting: Meeting, edition: Edition, track: Track, organiser: Organiser, *,
                  base_url: str, language: str = "nl",
                  materials: Sequence[Material] = ()) -> Event:
    """`meeting_entry` as an icalendar Event (personal feeds add an alarm, mails METHOD,
    ORGANIZER and ATTENDEE)."""
    return event(meeting_entry(meeting, edition, track, organiser, base_url=base_url,
                               language=language, materials=materials))


def event(entry: Entry) -> Event:
    """The icalendar Event of `entry` (`ics.event_text(entry)` writes the same bytes)."""
    built = Event.new(
        uid=entry.uid, sequence=entry.sequence, stamp=entry.stamp, created=entry.created,
        last_modified=entry.last_modified, start=entry.start, end=entry.end,
        summary=entry.summary, description=entry.description, location=entry.location,
        url=entry.url, categories=list(entry.categories), status=entry.status,
        transparency=entry.transparency,
        conferences=[Conference(entry.online_url, feature=["VIDEO"], label=entry.online_label)]
        if entry.online_url else None,
    )
    if entry.alarm_before is not None:
        built.add_component(Alarm.new_display(description=entry.alarm_text,
                                              trigger=-entry.alarm_before,
                                              uid=f"alarm-{entry.uid}"))
    return built


def with_alarm(entry: Entry, minutes_before: int, language: str = "nl") -> Entry:
    """A DISPLAY reminder `minutes_before` the start (personal feeds only; not for all-day or
    cancelled events, whose reminder would fire at midnight or for nothing)."""
    if entry.status == "CANCELLED" or not isinstance(entry.start, datetime):
        return entry
    return replace(entry, alarm_before=timedelta(minutes=minutes_before),
                   alarm_text=texts(language)["alarm"].format(title=entry.summary))


def deadline_entry(deadline: Deadline, edition: Edition, track: Track, organiser: Organiser, *,
                   base_url: str, language: str = "nl", due_date: date | None = None,
                   delivered_at: datetime | None = None, delivered_by_team: str | None = None,
                   changed_at: datetime | None = None) -> Entry:
    """A deadline as an all-day, transparent event on its due date (subscribed calendars in
    Google and Outlook ignore VTODO).

    Personal feeds pass `due_date` (an extension for this participant) and `delivered_at` (the
    participant's own submission, or a colleague's for a deadline delivered per municipality:
    `delivered_by_team` is then the municipality's name; the title says it was delivered), and
    `changed_at`, the latest of those changes, for DTSTAMP. SEQUENCE rises by one for each.
    """
    t = texts(language)
    url = page_url(base_url, organiser, track, edition)
    extended = due_date is not None and due_date != deadline.due_date
    day = due_date or deadline.due_date

    summary = f"{t['deadline']}: {deadline.title} ({track.title})"
    if delivered_at is not None:
        summary = f"{t['delivered']}: {summary}"

    lines = [f"{track.title} – {t['edition']} {edition.name}"]
    if deadline.due_at is not None and not extended:
        local = to_local(deadline.due_at, edition.timezone)
        lines.append(t["due_before"].format(time=f"{local:%H:%M}", zone=edition.timezone))
    else:
        lines.append(t["due_day"].format(day=long_date(day, language)))
    if extended:
        lines.append(t["extended"].format(day=long_date(day, language)))
    if delivered_at is not None:
        note = t["team_delivered_note"] if delivered_by_team else t["delivered_note"]
        lines.append(note.format(
            day=long_date(to_local(delivered_at, edition.timezone).date(), language),
            team=delivered_by_team))
    if deadline.description:
        lines += ["", deadline.description]
    lines += ["", f"{t['page']}: {url}"]

    stamp = _aware(max(_aware(changed_at), _aware(deadline.updated_at))
                   if changed_at else deadline.updated_at)
    return Entry(
        uid=deadline.uid,
        sequence=deadline.sequence + int(extended) + int(delivered_at is not None),
        stamp=stamp,
        created=_aware(deadline.created_at),
        last_modified=stamp,
        start=day,
        end=day + timedelta(days=1),
        summary=summary,
        description="\n".join(lines),
        url=url,
        categories=_categories(track),
        transparency="TRANSPARENT",
    )


def deadline_event(deadline: Deadline, edition: Edition, track: Track, organiser: Organiser,
                   **options) -> Event:
    """`deadline_entry` as an icalendar Event."""
    return event(deadline_entry(deadline, edition, track, organiser, **options))


@lru_cache(maxsize=64)
def _timezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE covering these years, built once and shared by every calendar that needs it
    (building it, and parsing it again per feed, was the slow part; calendars only read it)."""
    return Timezone.from_ical(Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1),
                                                 last_date=date(last_year, 1, 1)).to_ical())


def event_years(event: Event) -> tuple[int, int]:
    start, end = event.start, event.end
    return start.year, end.year


def feed_calendar(*, uid: str, name: str, description: str, timezone: str,
                  events: Iterable[Event], language: str = "nl") -> Calendar:
    """The VCALENDAR around `events`, with a VTIMEZONE for every TZID they use.

    `uid` names the feed for life (never random: identical content must give identical bytes).
    Events are sorted by start and UID for the same reason.
    """
    events = sorted(events, key=sort_key)
    calendar = calendar_shell(
        uid=uid, name=name, description=description, timezone=timezone, language=language,
        tzids={e.start.tzinfo.key for e in events
               if isinstance(e.start, datetime) and e.start.tzinfo is not None},
        years=[y for e in events for y in event_years(e)])
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar


def calendar_shell(*, uid: str, name: str, description: str, timezone: str, language: str,
                   tzids: Iterable[str], years: Sequence[int],
                   timezones: bool = True) -> Calendar:
    """The VCALENDAR of a feed without its events: properties and VTIMEZONEs (for `timezone`
    and `tzids`, covering `years`; without them when not `timezones`: `splice` puts their kept
    bytes, `timezone_texts`, and prebuilt VEVENT texts into its bytes)."""
    calendar = Calendar.new(prodid=PRODID, uid=uid, name=name, description=description)
    calendar.add("X-WR-TIMEZONE", timezone)
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    calendar.add("CALSCALE", "GREGORIAN")
    if language:
        calendar["NAME"].params["LANGUAGE"] = language
    if timezones:
        for tzid, first, last in _zones(timezone, tzids, years):
            calendar.add_component(_timezone(tzid, first, last))
    return calendar


def _zones(timezone: str, tzids: Iterable[str], years: Sequence[int]):
    first, last = (min(years), max(years) + 2) if years else (
        Timezone.DEFAULT_FIRST_DATE.year, Timezone.DEFAULT_LAST_DATE.year)
    return [(tzid, first, last) for tzid in sorted({timezone, *tzids})]


def timezone_texts(timezone: str, tzids: Iterable[str], years: Sequence[int]) -> list[bytes]:
    """The bytes of the VTIMEZONEs `calendar_shell` adds, each serialised once per process."""
    return [_timezone_text(*zone) for zone in _zones(timezone, tzids, years)]


@lru_cache(maxsize=64)
def _timezone_text(tzid: str, first_year: int, last_year: int) -> bytes:
    return _timezone(tzid, first_year, last_year).to_ical()


def sort_key(event: Component) -> tuple[str, str]:
    start = event.start
    if isinstance(start, datetime):
        key = start.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    else:
        key = start.strftime("%Y%m%dT000000")
    return key, str(event["UID"])


def to_bytes(calendar: Calendar) -> bytes:
    return calendar.to_ical()
