"""What the feeds say: built from real rows, read back by icalendar and by the strict `ical`
parser."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import update

from tests import factories
from tests.feeds_helpers import parse_both, vevents
from trajectories.feeds import build
from trajectories.feeds.calendar import deadline_event, meeting_event
from trajectories.feeds.preferences import set_feed_alarm
from trajectories.people import services as people
from trajectories.schedule import services as schedule
from trajectories.schedule.models import Meeting

BASE = "https://leertrajecten.example.nl"


def edition_feed(session, edition):
    track = session.get(factories.Track, edition.track_id)
    organiser = session.get(factories.Organiser, track.organiser_id)
    return build.build_edition_feed(session, organiser, track, edition, base_url=BASE)


def track_feed(session, track, start):
    organiser = session.get(factories.Organiser, track.organiser_id)
    return build.build_track_feed(session, organiser, track, base_url=BASE, start=start)


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "Europe/Brussels"])
def test_session_at_1330_stays_1330_local_across_both_dst_changes(session, zone):
    edition = factories.edition(session, timezone=zone)
    # Last Sundays of 2030: 31 March and 27 October.
    days = [date(2030, 3, 29), date(2030, 4, 2), date(2030, 10, 25), date(2030, 10, 29)]
    meetings = [factories.meeting(session, edition, on_date=d, start=time(13, 30),
                                  end=time(15, 0)) for d in days]

    loose, strict = parse_both(edition_feed(session, edition).body)

    assert [tz.tz_name for tz in loose.timezones] == [zone]
    events = vevents(loose)
    for meeting, day in zip(meetings, days, strict=True):
        start = events[meeting.uid].start
        assert start.tzinfo.key == zone
        assert (start.date(), start.time()) == (day, time(13, 30))
        assert events[meeting.uid].end.time() == time(15, 0)
    strict_starts = {e.uid: e.dtstart for e in strict.events}
    utc_hours = [strict_starts[m.uid].astimezone(UTC).hour for m in meetings]
    assert utc_hours == [12, 11, 11, 12]  # the same 13:30 on the wall, a different UTC hour
    assert all(strict_starts[m.uid].hour == 13 for m in meetings)


HOSTILE = "Sessie, deel 2; \"quotes\" \\ backslash 🌍🎉 ëïé"
LONG_DUTCH = ("Gemeentelijke samenwerkingsverbanden voor duurzaamheidsdoelstellingen:"
              " ervaringsuitwisseling over klimaatadaptatie, armoedebestrijding en"
              " participatietrajecten in middelgrote plattelandsgemeenten — tweede"
              " verdiepingsbijeenkomst")


def test_hostile_text_in_every_field_comes_through_intact(session):
    track = factories.track(session, title="Leertraject; met, tekens 🌱")
    edition = factories.edition(session, track, name="Editie, één; 2030")
    description = "Regel één, met komma\nRegel twee; puntkomma\n\nLege regel erboven 🎯\\n"
    meeting = factories.meeting(session, edition, title=LONG_DUTCH + " " + HOSTILE,
                                description=description, location="Stadhuis, zaal 3; 1e verdieping",
                                mode="hybrid", online_url="https://meet.example.org/a?b=1&c=2;x")
    schedule.add_material(session, meeting, title="Slides, deel 1; v2",
                          url="https://example.org/s?a=1,2")
    deadline = schedule.set_deadline(session, edition, title=HOSTILE, description=description,
                                     due_date=date(2030, 5, 1))

    body = edition_feed(session, edition).body
    loose, strict = parse_both(body)

    event = vevents(loose)[meeting.uid]
    assert str(event["SUMMARY"]) == f"Leertraject; met, tekens 🌱: {LONG_DUTCH} {HOSTILE}"
    assert description in str(event["DESCRIPTION"])
    assert "Slides, deel 1; v2: https://example.org/s?a=1,2" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "Stadhuis, zaal 3; 1e verdieping"
    assert "Leertraject; met, tekens 🌱" in [str(c) for c in event.categories]
    strict_event = next(e for e in strict.events if e.uid == meeting.uid)
    assert strict_event.summary == f"Leertraject; met, tekens 🌱: {LONG_DUTCH} {HOSTILE}"
    assert description in strict_event.description
    assert strict_event.location == "Stadhuis, zaal 3; 1e verdieping"
    strict_deadline = next(e for e in strict.events if e.uid == deadline.uid)
    assert HOSTILE in strict_deadline.summary
    # Folded at 75 octets, never inside a UTF-8 character.
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))


def test_meeting_event_carries_what_a_calendar_needs_and_no_organizer(session):
    edition = factories.edition(session, timezone="Europe/Brussels")
    meeting = factories.meeting(session, edition, title="Kick-off", mode="online",
                                online_url="https://meet.example.org/kick-off")
    track = session.get(factories.Track, edition.track_id)
    organiser = session.get(factories.Organiser, track.organiser_id)

    event = meeting_event(meeting, edition, track, organiser, base_url=BASE)

    assert str(event["UID"]) == meeting.uid
    assert event["SEQUENCE"] == 0
    assert event.get("DTSTAMP").dt == meeting.updated_at
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == f"{track.title}: Kick-off"
    assert str(event["URL"]) == f"{BASE}/{organiser.slug}/{track.slug}/#ed-{edition.id}"
    assert event.conferences[0].uri == "https://meet.example.org/kick-off"
    assert "https://meet.example.org/kick-off" in str(event["DESCRIPTION"])
    assert [str(c) for c in event.categories] == [track.title, "SDG 10", "SDG 11"]
    assert "ORGANIZER" not in event and "ATTENDEE" not in event


def test_reschedule_keeps_uid_and_raises_sequence(session):
    edition = factories.edition(session)
    meeting = factories.meeting(session, edition, on_date=date(2030, 4, 13))
    before = vevents(parse_both(edition_feed(session, edition).body)[0])[meeting.uid]

    schedule.reschedule_meeting(session, meeting, on_date=date(2030, 4, 20), start=time(10, 0),
                                end=time(12, 0))
    after = vevents(parse_both(edition_feed(session, edition).body)[0])[meeting.uid]

    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.start.date() == date(2030, 4, 20)
    assert after.DTSTAMP >= before.DTSTAMP  # whole seconds


def test_cancelled_session_stays_as_cancelled(session):
    edition = factories.edition(session)
    meeting = factories.meeting(session, edition)
    schedule.cancel_meeting(session, meeting)

    loose, strict = parse_both(edition_feed(session, edition).body)

    event = vevents(loose)[meeting.uid]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert str(event["SUMMARY"]).startswith("Geannuleerd: ")
    assert [e.status.value for e in strict.events] == ["CANCELLED"]


def test_time_to_be_announced_is_a_tentative_all_day_event(session):
    edition = factories.edition(session)
    meeting = factories.meeting(session, edition, on_date=date(2030, 6, 4), start=None, end=None)

    loose, strict = parse_both(edition_feed(session, edition).body)

    event = vevents(loose)[meeting.uid]
    assert event.start == date(2030, 6, 4) and event.end == date(2030, 6, 5)
    assert str(event["STATUS"]) == "TENTATIVE"
    assert "tijd volgt" in str(event["SUMMARY"])
    assert strict.events[0].dtstart == date(2030, 6, 4)


def test_deadline_is_an_all_day_transparent_event(session):
    edition = factories.edition(session)
    deadline = schedule.set_deadline(session, edition, title="Actieplan", due_date=date(2030, 5, 1),
                                     due_time=time(17, 0))
    track = session.get(factories.Track, edition.track_id)
    organiser = session.get(factories.Organiser, track.organiser_id)

    event = deadline_event(deadline, edition, track, organiser, base_url=BASE)

    assert event.start == date(2030, 5, 1) and event.end == date(2030, 5, 2)
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert str(event["SUMMARY"]) == f"Deadline: Actieplan ({track.title})"
    assert "vóór 17:00" in str(event["DESCRIPTION"])


def test_calendar_properties(session):
    edition = factories.edition(session, timezone="Europe/Brussels")
    factories.meeting(session, edition)

    body = edition_feed(session, edition).body
    loose, _ = parse_both(body)

    for prop in ("PRODID", "NAME", "X-WR-CALNAME", "DESCRIPTION", "X-WR-CALDESC"):
        assert str(loose[prop])
    assert str(loose["X-WR-TIMEZONE"]) == "Europe/Brussels"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in body
    assert "Afgelopen sessies en deadlines blijven in deze agenda staan." in \
        str(loose["DESCRIPTION"])


def test_empty_feed_is_still_valid(session):
    edition = factories.edition(session)

    loose, strict = parse_both(edition_feed(session, edition).body)

    assert list(loose.walk("VEVENT")) == [] and strict.events == []
    assert [tz.tz_name for tz in loose.timezones] == ["Europe/Amsterdam"]


def test_identical_content_gives_identical_bytes(session):
    edition = factories.edition(session)
    meeting = factories.meeting(session, edition, title="Sessie 🎉", description="a, b; c")
    schedule.set_deadline(session, edition, title="Plan", due_date=date(2030, 5, 1))
    first = edition_feed(session, edition)

    # A no-op edit changes nothing; a new session and a fresh read still give the same bytes.
    schedule.update_meeting(session, meeting, title="Sessie 🎉", description="a, b; c")
    session.expunge_all()
    again = edition_feed(session, session.get(factories.Edition, edition.id))

    assert again.body == first.body
    assert again.etag == first.etag
    assert again.last_modified == first.last_modified


def test_track_window_leaves_out_entries_older_than_a_year_and_moves_last_modified(session):
    edition = factories.edition(session)
    old = factories.meeting(session, edition, on_date=date(2029, 1, 10))
    recent = factories.meeting(session, edition, on_date=date(2030, 1, 10))
    # Everything was last changed long ago; then the window passes the old session.
    session.exec(update(Meeting).values(updated_at=datetime(2028, 1, 1, tzinfo=UTC)))
    session.exec(update(factories.Edition).values(updated_at=datetime(2028, 1, 1, tzinfo=UTC)))
    session.exec(update(factories.Track).values(updated_at=datetime(2028, 1, 1, tzinfo=UTC)))
    session.exec(update(factories.Organiser).values(updated_at=datetime(2028, 1, 1, tzinfo=UTC)))
    session.commit()
    session.expunge_all()
    edition = session.get(factories.Edition, edition.id)

    track = session.get(factories.Track, edition.track_id)
    inside = track_feed(session, track, start=date(2029, 1, 10))
    outside = track_feed(session, track, start=date(2029, 1, 11))

    assert set(vevents(parse_both(inside.body)[0])) == {old.uid, recent.uid}
    assert set(vevents(parse_both(outside.body)[0])) == {recent.uid}
    assert outside.last_modified > inside.last_modified
    assert outside.last_modified == datetime(2030, 1, 11, tzinfo=UTC)
    # The edition's own feed keeps its whole history.
    assert set(vevents(parse_both(edition_feed(session, edition).body)[0])) == {old.uid, recent.uid}


def test_deleting_a_deadline_moves_last_modified_forward(session):
    edition = factories.edition(session)
    deadline = schedule.set_deadline(session, edition, title="Plan", due_date=date(2030, 5, 1))
    factories.meeting(session, edition)
    past = datetime.now(UTC) - timedelta(hours=1)
    for model in (factories.Edition, factories.Track, factories.Organiser, Meeting):
        session.exec(update(model).values(updated_at=past))
    session.commit()
    session.expunge_all()
    before = edition_feed(session, session.get(factories.Edition, edition.id))

    schedule.remove_deadline(session, session.get(type(deadline), deadline.id))
    after = edition_feed(session, session.get(factories.Edition, edition.id))

    assert deadline.uid not in after.body.decode()
    assert after.last_modified > before.last_modified


# --- personal feeds ---------------------------------------------------------------------------------
def _personal(session, participant):
    return build.build_personal_feed(session, build.load_personal(session, participant),
                                     base_url=BASE)


def test_personal_feed_holds_only_the_participants_own_data(session):
    mine = factories.edition(session)
    theirs_only = factories.edition(session)
    shared_meeting = factories.meeting(session, mine, title="Gedeelde sessie")
    other_meeting = factories.meeting(session, theirs_only, title="Andere editie")
    deadline = schedule.set_deadline(session, mine, title="Plan", due_date=date(2030, 5, 1))
    me = factories.participant(session, name="Ans Jansen")
    other = factories.participant(session, name="Piet Pietersen")
    people.enroll(session, mine, me)
    people.enroll(session, mine, other)
    people.enroll(session, theirs_only, other)
    people.submit(session, deadline, other, text="Piets geheime plan")
    schedule.extend_deadline(session, deadline, other, due_date=date(2030, 6, 1))

    body = _personal(session, me).body
    loose, _ = parse_both(body)

    events = vevents(loose)
    assert set(events) == {shared_meeting.uid, deadline.uid}
    assert other_meeting.uid not in body.decode()
    text = body.decode()
    for secret in ("Piet", "Pietersen", other.email, "geheime", "20300601", "Ingeleverd"):
        assert secret not in text
    assert events[deadline.uid].start == date(2030, 5, 1)


def test_personal_feed_marks_own_delivery_and_extension(session):
    edition = factories.edition(session)
    deadline = schedule.set_deadline(session, edition, title="Plan", due_date=date(2030, 5, 1))
    me = factories.participant(session)
    people.enroll(session, edition, me)
    schedule.extend_deadline(session, deadline, me, due_date=date(2030, 6, 1))
    before = vevents(parse_both(_personal(session, me).body)[0])[deadline.uid]

    people.submit(session, deadline, me, text="Mijn plan")
    after = vevents(parse_both(_personal(session, me).body)[0])[deadline.uid]

    assert before.start == date(2030, 6, 1)
    assert not str(before["SUMMARY"]).startswith("Ingeleverd")
    assert str(after["SUMMARY"]).startswith("Ingeleverd: Deadline: Plan")
    assert after["SEQUENCE"] > before["SEQUENCE"]


def test_personal_feed_marks_a_text_the_municipality_delivered_as_done_for_the_team(session):
    edition = factories.edition(session)
    per_municipality = schedule.set_deadline(session, edition, title="Tekst", due_date=date(
        2030, 5, 1), delivered_by="organisation")
    own = schedule.set_deadline(session, edition, title="Reflectie", due_date=date(2030, 5, 2))
    utrecht, tilburg = factories.municipality(session, "Utrecht"), factories.municipality(
        session, "Tilburg")
    me, colleague, elsewhere = (factories.participant(session, organisation_id=o.id)
                                for o in (utrecht, utrecht, tilburg))
    for person in (me, colleague, elsewhere):
        people.enroll(session, edition, person)
    before = vevents(parse_both(_personal(session, me).body)[0])
    version = build.load_personal(session, me).version()

    people.submit(session, per_municipality, colleague, text="Onze tekst")
    people.submit(session, own, colleague, text="Mijn reflectie")
    mine = vevents(parse_both(_personal(session, me).body)[0])

    text = mine[per_municipality.uid]
    assert str(text["SUMMARY"]).startswith("Ingeleverd: Deadline: Tekst")
    assert "Je gemeente (Utrecht) heeft dit ingeleverd" in str(text["DESCRIPTION"])
    assert text["SEQUENCE"] > before[per_municipality.uid]["SEQUENCE"]
    assert build.load_personal(session, me).version() != version  # the cached feed is rebuilt
    # A deadline each participant delivers stays open for me; another municipality's team too.
    assert not str(mine[own.uid]["SUMMARY"]).startswith("Ingeleverd")
    theirs = vevents(parse_both(_personal(session, elsewhere).body)[0])
    assert not str(theirs[per_municipality.uid]["SUMMARY"]).startswith("Ingeleverd")


def test_withdrawn_participant_loses_the_editions_sessions(session):
    edition = factories.edition(session)
    meeting = factories.meeting(session, edition)
    me = factories.participant(session)
    enrollment = people.enroll(session, edition, me)
    assert meeting.uid in _personal(session, me).body.decode()
    first = _personal(session, me)

    people.withdraw(session, enrollment)
    after = _personal(session, me)

    assert meeting.uid not in after.body.decode()
    assert after.last_modified >= first.last_modified


def test_personal_feed_reminds_in_the_participants_language_and_can_be_silenced(session):
    edition = factories.edition(session)
    timed = factories.meeting(session, edition)
    tba = factories.meeting(session, edition, on_date=date(2030, 5, 1), start=None, end=None)
    me = factories.participant(session, language="en")
    people.enroll(session, edition, me)

    events = vevents(parse_both(_personal(session, me).body)[0])
    alarms = events[timed.uid].walk("VALARM")
    assert [a["TRIGGER"].dt for a in alarms] == [timedelta(minutes=-30)]
    assert str(alarms[0]["DESCRIPTION"]).startswith("Reminder: ")
    assert events[tba.uid].walk("VALARM") == []
    assert "time to be announced" in str(events[tba.uid]["SUMMARY"])

    set_feed_alarm(session, me, None)
    events = vevents(parse_both(_personal(session, me).body)[0])
    assert events[timed.uid].walk("VALARM") == []

    set_feed_alarm(session, me, 90)
    events = vevents(parse_both(_personal(session, me).body)[0])
    assert [a["TRIGGER"].dt for a in events[timed.uid].walk("VALARM")] == [timedelta(minutes=-90)]


@pytest.mark.parametrize("bad", ["abc", -5, 100000])
def test_bad_alarm_choice_is_refused_and_changes_nothing(session, bad):
    from trajectories.core.errors import InvalidInput
    from trajectories.feeds.preferences import feed_alarm_minutes

    me = factories.participant(session)
    set_feed_alarm(session, me, 45)
    with pytest.raises(InvalidInput) as raised:
        set_feed_alarm(session, me, bad)
    assert raised.value.field == "alarm_minutes"
    assert feed_alarm_minutes(session, me) == 45


def test_dtstamp_is_utc_whatever_zone_the_database_answers_in(session):
    from sqlalchemy import text

    edition = factories.edition(session)
    factories.meeting(session, edition)
    schedule.set_deadline(session, edition, title="Plan", due_date=date(2030, 5, 1))
    session.expunge_all()
    if session.get_bind().dialect.name == "postgresql":
        # Rows read in this transaction come back as +01:00 / +02:00 timestamps.
        session.exec(text("SET TIME ZONE 'Europe/Amsterdam'"))

    body = edition_feed(session, session.get(factories.Edition, edition.id)).body

    stamps = [line for line in body.split(b"\r\n")
              if line.split(b":")[0].split(b";")[0] in (b"DTSTAMP", b"CREATED", b"LAST-MODIFIED")]
    assert len(stamps) == 6
    assert all(re.fullmatch(rb"[A-Z-]+:\d{8}T\d{6}Z", line) for line in stamps), stamps
