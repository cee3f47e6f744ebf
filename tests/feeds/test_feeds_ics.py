"""The feeds' text written line by line (`ics`) is, byte for byte, what icalendar writes
for the same entries: many varied sessions and deadlines, and the feed's own properties."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar, Event, vDuration
from icalendar.parser.string import _foldline

from tests.feeds_helpers import parse_both
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.feeds import ics, splice
from trajectories.feeds.calendar import (
    PRODID,
    REFRESH,
    calendar_shell,
    deadline_entry,
    event,
    feed_calendar,
    meeting_entry,
    to_bytes,
    with_alarm,
)
from trajectories.schedule.models import Deadline, Material, Meeting

LONG_DUTCH = ("Gemeentelijke samenwerkingsverbanden voor duurzaamheidsdoelstellingen:"
              " ervaringsuitwisseling over klimaatadaptatie, armoedebestrijding en"
              " participatietrajecten in middelgrote plattelandsgemeenten — tweede"
              " verdiepingsbijeenkomst; café-overleg \\ backslash ^caret 🌍🎉 ëïé")
TEXTS = ["", "Kick-off", "Sessie, deel 2; \"quotes\" \\ backslash", LONG_DUTCH,
         "Regel één, met komma\nRegel twee; puntkomma\r\n\nLege regel 🎯\\n" + LONG_DUTCH * 2,
         "x" * 73 + "\\;" + "é" * 40 + "^" + "y" * 200]
URLS = ["", "https://meet.example.org/kick-off", "https://meet.example/x?a=1,b;c=2&d=" + "q" * 90]
ZONES = ["Europe/Amsterdam", "Europe/Brussels", "UTC"]


def _world(rng: random.Random, n: int):
    organiser = Organiser(id=n, slug=f"org{n}", name=rng.choice(TEXTS[1:]))
    track = Track(id=n, organiser_id=n, slug=f"traject-{n}", title=rng.choice(TEXTS[1:]),
                  sdgs=rng.choice([[], [3], [10, 11, 17]]))
    edition = Edition(id=n, track_id=n, slug=f"editie-{n}", name=rng.choice(TEXTS[1:]),
                      timezone=rng.choice(ZONES))
    return organiser, track, edition


def _moment(rng: random.Random) -> datetime:
    moment = datetime(2030, 1, 1) + timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 2),
                                              microseconds=rng.randrange(0, 10**6))
    return moment.replace(tzinfo=UTC) if rng.random() < 0.5 else moment


def _meeting(rng: random.Random, n: int, edition: Edition) -> Meeting:
    starts_at = _moment(rng)
    on_date = starts_at.date()
    tba = rng.random() < 0.3
    return Meeting(
        id=n, edition_id=edition.id, uid=f"meeting-{n}@trajectories", sequence=rng.randrange(5),
        title=rng.choice(TEXTS[1:]), on_date=on_date,
        starts_at=None if tba else starts_at,
        ends_at=None if tba else starts_at + timedelta(minutes=rng.choice([30, 90, 600])),
        mode=rng.choice(["online", "on_site", "hybrid"]), location=rng.choice(TEXTS),
        online_url=rng.choice(URLS), description=rng.choice(TEXTS),
        status=rng.choice(["scheduled", "scheduled", "cancelled"]),
        created_at=_moment(rng), updated_at=_moment(rng))


def _deadline(rng: random.Random, n: int, edition: Edition) -> Deadline:
    due = _moment(rng)
    return Deadline(
        id=n, edition_id=edition.id, uid=f"deadline-{n}@trajectories", sequence=rng.randrange(3),
        title=rng.choice(TEXTS[1:]), description=rng.choice(TEXTS), due_date=due.date(),
        due_at=due if rng.random() < 0.5 else None, created_at=_moment(rng),
        updated_at=_moment(rng))


def _entries(count: int = 400):
    rng = random.Random(19)
    for n in range(1, count + 1):
        organiser, track, edition = _world(rng, n)
        base_url = rng.choice(["https://leertrajecten.example.nl", "https://x.example/a,b/"])
        language = rng.choice(["nl", "en"])
        materials = [Material(id=n * 10 + i, meeting_id=n, title=rng.choice(TEXTS[1:]),
                              url=rng.choice(URLS)) for i in range(rng.choice([0, 0, 2]))]
        entry = meeting_entry(_meeting(rng, n, edition), edition, track, organiser,
                              base_url=base_url, language=language, materials=materials)
        if rng.random() < 0.5:  # as a personal feed shows it: with a reminder
            entry = with_alarm(entry, rng.choice([15, 30, 90, 24 * 60, 7 * 24 * 60]), language)
        yield entry
        deadline = _deadline(rng, n, edition)
        personal = {}
        if rng.random() < 0.5:  # as a personal feed shows it: extended, delivered
            personal = dict(due_date=deadline.due_date + timedelta(days=7),
                            delivered_at=_moment(rng), delivered_by_team=rng.choice([None, "Ede"]),
                            changed_at=_moment(rng))
        yield deadline_entry(deadline, edition, track, organiser, base_url=base_url,
                             language=language, **personal)


def test_written_vevents_are_the_bytes_icalendar_writes():
    entries = list(_entries())
    assert {e.status for e in entries} == {"CONFIRMED", "TENTATIVE", "CANCELLED", None}
    assert {e.tzid() for e in entries} == {*ZONES, None}
    assert any(e.alarm_before for e in entries)
    for entry in entries:
        text = ics.event_text(entry)
        assert text == event(entry).to_ical()
        assert Event.from_ical(text)["UID"] == entry.uid


def test_a_feed_of_written_vevents_is_the_feed_icalendar_writes_and_parses():
    entries = list(_entries(60))
    kept = [splice.EventText(e.sort_key(), e.tzid(), (e.start.year, e.end.year),
                             ics.event_text(e)) for e in entries]
    options = dict(uid="organiser-1@trajectories", name="Alle leertrajecten, van; VNG",
                   description=LONG_DUTCH, timezone="Europe/Brussels", language="nl")
    whole = to_bytes(feed_calendar(events=[event(e) for e in entries], **options))
    spliced = splice.feed_bytes(texts=kept, **options)
    assert spliced == whole
    loose, strict = parse_both(spliced)
    assert len(loose.events) == len(strict.events) == len(entries)


@pytest.mark.parametrize("language", ["nl", "en", ""])
def test_written_calendar_properties_are_the_bytes_icalendar_writes(language):
    options = dict(uid="track-7@trajectories", name="Leertraject; met, tekens 🌱 (alle edities)",
                   description=LONG_DUTCH, timezone="Europe/Amsterdam", language=language)
    shell = calendar_shell(tzids=[], years=[], timezones=False, **options).to_ical()
    text = ics.calendar_text(prodid=PRODID, refresh=vDuration(REFRESH).to_ical().decode(),
                             **options)
    assert text + b"END:VCALENDAR\r\n" == shell
    assert Calendar.from_ical(shell)["X-WR-CALNAME"] == options["name"]


def test_folding_cuts_where_icalendar_cuts():
    rng = random.Random(5)
    alphabet = [*"abc ,;:", "\\", "^", "\\\\", "é", "–", "€", "😀"]
    for _ in range(5000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 400)))
        assert ics.fold(line) == _foldline(line).encode()


def test_a_line_break_in_an_unescaped_value_is_refused_as_icalendar_refuses_it():
    with pytest.raises(ValueError):
        ics.calendar_text(prodid=PRODID, refresh="PT1H", uid="u", name="two\nlines",
                          description="d", timezone="Europe/Amsterdam", language="nl")
