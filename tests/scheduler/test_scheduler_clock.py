"""The real `trajectories scheduler` process on its own moved, sped-up clock replays the 2021
inclusion pilot of the demo, from the welcome and the first reminder to the overdue nudge and a
session after the October DST change, against a real SMTP server.

The clock (TRAJECTORIES_CLOCK_START / _SPEED) stands still while the scheduler fires a moment
and runs on only up to the next one, so each mail's Date header is its moment's own time, to
the second, however loaded the machine: the assertions need no tolerance for jitter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from trajectories.catalogue.models import Edition, Track
from trajectories.core import clock
from trajectories.mail.models import OutboxMessage
from trajectories.people.models import Enrollment, EnrollmentStatus, Participant
from trajectories.schedule import services as schedule
from trajectories.schedule.models import Meeting
from trajectories.scheduler.models import MomentStatus, PlannedMoment

#: Real processes (see pyproject.toml's markers): `make test` runs these apart, after the rest.
pytestmark = pytest.mark.slow

TRAJECTORIES = str(Path(sys.executable).with_name("trajectories"))
AMS = ZoneInfo("Europe/Amsterdam")
#: The demo is loaded half an hour before the scheduler starts (its clock: 2021-04-01 08:00).
LOADED = "2021-04-01T07:30:00+02:00"
START = datetime(2021, 4, 1, 8, 0, tzinfo=AMS)
#: 2021-04-01 .. 2021-11-05 (218 days) in about 20 seconds of real waiting.
SPEED = 1_000_000
#: After the October change (31 October 2021): 13:30 CET.
AFTER_DST = date(2021, 11, 4)


def _env(db, smtp_sink, tmp_path, **clock_settings) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRAJECTORIES_")}
    return {**env, "TRAJECTORIES_DATABASE_URL": str(db.url),
            "TRAJECTORIES_VAR_DIR": str(tmp_path / "var"),
            "TRAJECTORIES_CALENDARS_DIR": str(tmp_path / "calendars"),
            "TRAJECTORIES_SECRET_KEY": "s" * 32, "TRAJECTORIES_SMTP_PORT": str(smtp_sink.port),
            **clock_settings}


def _pilot(session) -> Edition:
    return session.exec(select(Edition).join(Track, Track.id == Edition.track_id).where(
        Track.slug == "praktijkproef-inclusie", Edition.slug == "2021")).one()


def _add_session_after_the_october_change(db) -> int:
    """The coordinator adds a return day after the October change, on 2021-04-01 at 07:45."""
    clock.configure_clock({clock.START_VARIABLE: "2021-04-01T07:45:00+02:00"})
    try:
        with db.session(actor="test") as session:
            meeting = schedule.plan_meeting(
                session, _pilot(session), title="Terugkomdag", on_date=AFTER_DST,
                start=clock_time(13, 30), end=clock_time(15, 30))
            return meeting.id
    finally:
        clock.configure_clock({})


def _wait(condition, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}; scheduler log:\n{log.read_text()[-3000:]}"
        time.sleep(0.5)


def _done(db, job_id: str) -> bool:
    with db.session() as session:
        row = session.exec(select(PlannedMoment).where(PlannedMoment.job_id == job_id)).first()
        return row is not None and row.status != MomentStatus.PLANNED


def test_scheduler_replays_the_2021_pilot_on_a_moved_sped_up_clock(db, smtp_sink, tmp_path):
    load = subprocess.run([TRAJECTORIES, "demo"], capture_output=True, text=True, timeout=120,
                          env=_env(db, smtp_sink, tmp_path, TRAJECTORIES_CLOCK_START=LOADED))
    assert load.returncode == 0, load.stderr
    return_day = _add_session_after_the_october_change(db)
    with db.session() as session:
        pilot = _pilot(session)
        zones = {c.id: ZoneInfo(c.timezone) for c in session.exec(select(Edition))}
        admitted = defaultdict(set)
        for edition_id, email in session.exec(select(Enrollment.edition_id, Participant.email).join(
                Participant, Participant.id == Enrollment.participant_id)
                .where(Enrollment.status == EnrollmentStatus.ADMITTED)):
            admitted[edition_id].add(email)
        sessions = {m.id: m for m in session.exec(select(Meeting))}
        first = min((m for m in sessions.values() if m.edition_id == pilot.id),
                    key=lambda m: m.on_date)
        pilot_id, coordinator = pilot.id, pilot.coordinator_email
    people = admitted[pilot_id]
    assert len(people) == 5

    log = tmp_path / "scheduler.log"
    process = subprocess.Popen(
        [TRAJECTORIES, "scheduler"], stdout=log.open("w"), stderr=subprocess.STDOUT,
        env=_env(db, smtp_sink, tmp_path, TRAJECTORIES_CLOCK_START=START.isoformat(),
                 TRAJECTORIES_CLOCK_SPEED=str(SPEED)))
    try:
        # The last moment of the replay: the coaching mail after the return day.
        # About a minute (20 s of waiting at this speed, the rest firing); the limit only
        # keeps a stalled clock from hanging the suite.
        _wait(lambda: _done(db, f"coaching:session:{return_day}:PT2H"), 240,
              "the replay did not reach 4 November 2021", log)
        with db.session() as session:
            sent = session.exec(select(OutboxMessage).where(
                OutboxMessage.status == "sent")).all()
            expected = len(sent)
        _wait(lambda: len(smtp_sink.messages) >= expected, 30, "mails not received", log)
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0, log.read_text()[-6000:]

    with db.session() as session:
        rows = {r.message_id.strip("<>"): r for r in session.exec(select(OutboxMessage))}
    # Every mail: sent once, to someone admitted to its edition (or its coordinator), at the
    # local time its kind is due, in its edition's zone.
    by_message_id = defaultdict(int)
    pilot_mails = []
    for mail in smtp_sink.messages:
        row = rows[mail["Message-ID"].strip("<>")]
        by_message_id[row.message_id] += 1
        to = str(mail["To"])
        if row.edition_id is None:
            # The demo's Tijdscapsule: a reminder two days before a hand-over or return day, at
            # 9:00 in its (Dutch) organiser's zone, to the borrowing municipality's contact.
            assert row.kind == "loan", (row.kind, to)
            sent_at = parsedate_to_datetime(mail["Date"]).astimezone(AMS)
            assert sent_at.time() == clock_time(9, 0), (row.kind, to, sent_at)
            continue
        sent_at = parsedate_to_datetime(mail["Date"]).astimezone(zones[row.edition_id])
        if row.kind == "digest":
            assert sent_at.time() == clock_time(9, 0), (row.kind, to, sent_at)
            assert sent_at.isoweekday() == 1
            continue
        assert to in admitted[row.edition_id], (row.kind, to)
        if row.kind in ("welcome", "invitation"):
            assert sent_at == START, (row.kind, to, sent_at)
        elif row.kind in ("reminder", "nudge", "overdue"):
            assert sent_at.time() == clock_time(9, 0), (row.kind, to, sent_at)
        elif row.kind == "evaluation":
            # 9:00 local the day after the edition's last session; its reminder a week later.
            last = max(m.on_date for m in sessions.values() if m.edition_id == row.edition_id
                       and m.status != "cancelled")
            assert sent_at.replace(tzinfo=None) in [datetime.combine(
                last + timedelta(days=n), clock_time(9, 0)) for n in (1, 8)], (row.kind, to,
                                                                               sent_at)
        elif row.kind == "coaching":
            ends = [m.ends_at for m in sessions.values() if m.ends_at and m.edition_id ==
                    row.edition_id and m.ends_at + timedelta(hours=2) == sent_at]
            assert ends, (row.kind, to, sent_at)
        elif row.kind == "certificate":
            # Completion is decided when the edition's last session is over (its deadlines
            # passed long before): the certificates go then.
            last_end = max(m.ends_at for m in sessions.values() if m.ends_at and m.edition_id ==
                           row.edition_id and m.status != "cancelled")
            assert sent_at == last_end, (row.kind, to, sent_at)
        else:
            raise AssertionError(f"unexpected {row.kind} to {to} at {sent_at}")
        if row.edition_id == pilot_id:
            pilot_mails.append((sent_at.replace(tzinfo=None), row.kind, to))
    assert set(by_message_id.values()) == {1}
    # Nothing for the editions that were over in 2021 (the VVSG editions of 2019 and 2020).
    assert not smtp_sink.to("lucas.claes@kortrijk.example")

    def at(day, hour=9, minute=0):
        return datetime.combine(day, clock_time(hour, minute))

    everyone = sorted(people)
    # Tilburg never delivered its text: no certificate for it.
    assert "p.hendriks@tilburg.example" not in {to for _, kind, to in pilot_mails
                                                if kind == "certificate"}
    sequence = defaultdict(list)
    for sent_at, kind, to in sorted(pilot_mails):
        # (The pilot's evaluation, the morning after the return day, may or may not go before
        # the scheduler stops: its time is checked above.)
        if kind not in ("welcome", "invitation", "evaluation", "certificate"):
            sequence[(sent_at, kind)].append(to)
    assert {key: sorted(value) for key, value in sequence.items()} == {
        (at(date(2021, 4, 6)), "reminder"): everyone,  # 7 days before 13 April 13:30
        (at(date(2021, 4, 12)), "reminder"): everyone,
        (at(first.on_date, 17, 30), "coaching"): everyone,  # two hours after 15:30
        # Four municipalities delivered their text before the system existed; Tilburg did not.
        (at(date(2021, 8, 1)), "nudge"): ["p.hendriks@tilburg.example"],
        (at(date(2021, 8, 12)), "nudge"): ["p.hendriks@tilburg.example"],
        (at(date(2021, 8, 15)), "nudge"): ["p.hendriks@tilburg.example"],
        (at(date(2021, 8, 17)), "overdue"): ["p.hendriks@tilburg.example"],
        # Across the October change: 9:00 CEST (07:00 UTC) and 9:00 CET (08:00 UTC).
        (at(date(2021, 10, 28)), "reminder"): everyone,
        (at(date(2021, 11, 3)), "reminder"): everyone,
        (at(AFTER_DST, 17, 30), "coaching"): everyone,
    }
    welcomed = sorted(to for sent_at, kind, to in pilot_mails if kind == "welcome")
    assert welcomed == everyone
    # Each participant is invited once to each session of the pilot.
    invited = sorted(to for sent_at, kind, to in pilot_mails if kind == "invitation")
    pilot_sessions = [m for m in sessions.values() if m.edition_id == pilot_id]
    assert invited == sorted(everyone * len(pilot_sessions))
    digests = [parsedate_to_datetime(m["Date"]).astimezone(AMS) for m in smtp_sink.to(coordinator)
               if rows[m["Message-ID"].strip("<>")].edition_id == pilot_id]
    assert digests and all(d.time() == clock_time(9, 0) for d in digests)
    assert {d.utcoffset() for d in digests} == {timedelta(hours=2), timedelta(hours=1)}
