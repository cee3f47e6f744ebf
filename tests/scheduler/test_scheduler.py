"""The scheduler: planned moments from domain events, fired with an explicit `now`, mails through
the outbox to a real SMTP server, real time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from tests import factories
from trajectories.catalogue.models import Edition
from trajectories.mail.drain import drain
from trajectories.mail.models import MailStatus, OutboxMessage
from trajectories.mail.render import row_content
from trajectories.people import services as people
from trajectories.schedule import services as schedule
from trajectories.scheduler.jobs import process_moment
from trajectories.scheduler.models import MomentStatus, PlannedMoment

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def two_admitted(session):
    """An edition with a coordinator and two admitted participants."""
    edition = factories.edition(session, coordinator_email="coordinator@vng.example")
    anna = factories.participant(session, name="Anna de Vries", email="anna@gemeente.example")
    bert = factories.participant(session, name="Bert Jansen", email="bert@gemeente.example",
                                 language="en")
    for person in (anna, bert):
        people.enroll(session, edition, person)
    return edition, anna, bert


def _read(session, query):
    """Read, then end the transaction: on SQLite every transaction holds the write lock."""
    rows = list(session.exec(query.execution_options(populate_existing=True)))
    session.commit()
    return rows


def moment(session, job_id) -> PlannedMoment:
    [row] = _read(session, select(PlannedMoment).where(PlannedMoment.job_id == job_id))
    return row


def moments(session, prefix) -> list[PlannedMoment]:
    return _read(session, select(PlannedMoment).where(PlannedMoment.job_id.startswith(prefix))
                 .order_by(PlannedMoment.job_id))


def outbox(session, kind=None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return _read(session, query)


def sent_text(app, session, row) -> str:
    """The text of a row's mail as the drain sends it (a fan-out's rows share one body)."""
    text = row_content(session, row, app.config["SETTINGS"])[1]
    session.commit()
    return text


def fire(app, job_id, at):
    return process_moment(app, job_id, now=at)


def test_reminders_sent_once_to_admitted_with_dutch_dates(mail_app, session, two_admitted,
        smtp_sink):
    edition, anna, bert = two_admitted
    meeting = factories.meeting(session, edition, title="Aftrap", online_url="https://meet.example/1")
    job = f"reminder:session:{meeting.id}:P7D"
    planned = moment(session, job)
    # 09:00 CEST (the send hour) a week and a day before the session's day
    assert planned.due_at == datetime(2030, 4, 6, 7, 0, tzinfo=UTC)
    assert moment(session, f"reminder:session:{meeting.id}:P1D").due_at == datetime(
        2030, 4, 12, 7, 0, tzinfo=UTC)
    assert fire(mail_app, job, planned.due_at) == "sent"
    assert fire(mail_app, job, planned.due_at + timedelta(seconds=5)) == "gone"
    rows = outbox(session, "reminder")
    assert [r.to for r in rows] == ["anna@gemeente.example", "bert@gemeente.example"]
    assert drain(mail_app.extensions["trajectories.db"], mail_app.config["SETTINGS"]).sent == 2
    mails = smtp_sink.wait_for(2)
    mail = smtp_sink.to("anna@gemeente.example")[0]
    assert mail["Subject"] == "Over 7 dagen: Aftrap"
    body = mail.get_body(("plain",)).get_content()
    assert "zaterdag 13 april 2030, 13:30–15:30" in body and "https://meet.example/1" in body
    assert len(mails) == 2


def test_late_reminder_sent_while_useful_else_skipped(mail_app, session, two_admitted):
    edition, *_ = two_admitted
    meeting = factories.meeting(session, edition)
    week, day = (f"reminder:session:{meeting.id}:{o}" for o in ("P7D", "P1D"))
    # Down for two days: the week reminder still helps (the day reminder is not due yet).
    assert fire(mail_app, week, datetime(2030, 4, 8, 9, 0, tzinfo=UTC)) == "sent"
    # Down until after the session started: no "tomorrow" mail any more.
    assert fire(mail_app, day, datetime(2030, 4, 13, 11, 31, tzinfo=UTC)) == "skipped"
    assert "too late" in moment(session, day).note
    subjects = {r.subject for r in outbox(session, "reminder")}
    assert subjects == {"Over 5 dagen: Sessie", "In 5 days: Sessie"}  # Anna (nl), Bert (en)


def test_session_planned_too_late_for_a_reminder_skips_it(session, two_admitted):
    edition, *_ = two_admitted
    soon = (datetime.now(AMS) + timedelta(days=3)).date()
    meeting = factories.meeting(session, edition, on_date=soon)
    assert moment(session, f"reminder:session:{meeting.id}:P7D").status == "skipped"
    assert moment(session, f"reminder:session:{meeting.id}:P1D").status == "planned"


def _deadline(session, edition, due=date(2030, 5, 1), **kw):
    return schedule.set_deadline(session, edition, title="Lokale analyse", due_date=due, **kw)


def test_nudges_only_to_those_who_did_not_deliver_and_stop_on_submission(mail_app, session,
        two_admitted, smtp_sink):
    edition, anna, bert = two_admitted
    deadline = _deadline(session, edition)
    jobs = [m.job_id for m in moments(session, f"nudge:deadline:{deadline.id}:")]
    assert jobs == [f"nudge:deadline:{deadline.id}:{o}" for o in ("P0D", "P14D", "P3D")]
    overdue = moment(session, f"overdue:deadline:{deadline.id}:P2D")
    assert overdue.due_at == datetime(2030, 5, 3, 7, 0, tzinfo=UTC)  # 09:00 CEST
    p14 = moment(session, f"nudge:deadline:{deadline.id}:P14D")
    assert fire(mail_app, p14.job_id, p14.due_at) == "sent"
    assert len(outbox(session, "nudge")) == 2
    people.submit(session, deadline, anna, text="Onze analyse")
    # Anna's queued nudge is withdrawn at once; Bert's goes.
    drain(mail_app.extensions["trajectories.db"], mail_app.config["SETTINGS"])
    assert [str(m["To"]) for m in smtp_sink.wait_for(1)] == ["bert@gemeente.example"]
    for offset in ("P3D", "P0D"):
        due = moment(session, f"nudge:deadline:{deadline.id}:{offset}").due_at
        fire(mail_app, f"nudge:deadline:{deadline.id}:{offset}", due)
    fire(mail_app, overdue.job_id, overdue.due_at)
    sent_to = [(r.kind, r.to, r.status) for r in outbox(session) if r.kind in ("nudge", "overdue")]
    assert sent_to == [
        ("nudge", "anna@gemeente.example", "failed"),
        ("nudge", "bert@gemeente.example", "sent"),
        ("nudge", "bert@gemeente.example", "queued"),
        ("nudge", "bert@gemeente.example", "queued"),
        ("overdue", "bert@gemeente.example", "queued"),
    ]


def test_extension_moves_nudges_for_that_participant(mail_app, session, two_admitted):
    edition, anna, bert = two_admitted
    deadline = _deadline(session, edition)
    schedule.extend_deadline(session, deadline, anna, due_date=date(2030, 5, 10))
    own = moment(session, f"nudge:deadline:{deadline.id}:participant:{anna.id}:P3D")
    assert own.due_at == datetime(2030, 5, 7, 7, 0, tzinfo=UTC)
    common = moment(session, f"nudge:deadline:{deadline.id}:P3D")
    fire(mail_app, common.job_id, common.due_at)
    assert [r.to for r in outbox(session, "nudge")] == ["bert@gemeente.example"]
    fire(mail_app, own.job_id, own.due_at)
    rows = outbox(session, "nudge")
    assert [r.to for r in rows] == ["bert@gemeente.example", "anna@gemeente.example"]
    assert "vrijdag 10 mei 2030" in sent_text(mail_app, session, rows[1])
    # the overdue nudge of the common date does not reach Anna either
    overdue = moment(session, f"overdue:deadline:{deadline.id}:P2D")
    fire(mail_app, overdue.job_id, overdue.due_at)
    assert [r.to for r in outbox(session, "overdue")] == ["bert@gemeente.example"]


def test_one_submission_stops_the_nudges_of_everyone_in_that_municipality(mail_app, session,
                                                                          two_admitted):
    """A deadline one municipality delivers together: a colleague's submission covers Cees, a
    submission by someone not admitted (waitlisted Dirk) covers nobody, Bert has no colleague."""
    from trajectories.people.models import Submission
    from trajectories.schedule.models import DeliveredBy

    edition, anna, bert = two_admitted
    town = factories.municipality(session, "Noordenveld", "GM1699")
    anna.organisation_id = town.id
    session.add(anna)
    cees = factories.participant(session, name="Cees", email="cees@gemeente.example",
                                 organisation_id=town.id)
    people.enroll(session, edition, cees)
    other = factories.municipality(session, "Westerkwartier", "GM1969")
    bert.organisation_id = other.id
    session.add(bert)
    edition.capacity = 3
    session.add(edition)
    dirk = factories.participant(session, name="Dirk", email="dirk@gemeente.example",
                                 organisation_id=other.id)
    assert people.enroll(session, edition, dirk).status == "waitlisted"  # the edition is full
    deadline = _deadline(session, edition, delivered_by=DeliveredBy.ORGANISATION)
    people.submit(session, deadline, anna, text="Voor heel Noordenveld")
    session.add(Submission(deadline_id=deadline.id, participant_id=dirk.id, text="Te vroeg"))
    session.commit()
    p3 = moment(session, f"nudge:deadline:{deadline.id}:P3D")
    fire(mail_app, p3.job_id, p3.due_at)
    assert [r.to for r in outbox(session, "nudge")] == ["bert@gemeente.example"]


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "Europe/Brussels"])
def test_nudges_at_nine_local_across_dst(session, zone):
    edition = factories.edition(session, timezone=zone)
    # Summer time starts on Sunday 31 March 2030: the nudges on either side stay at 09:00 local.
    deadline = _deadline(session, edition, due=date(2030, 3, 31))
    due = {m.job_id.rsplit(":", 1)[1]: m.due_at for m in moments(session, "nudge:deadline:")}
    assert due["P3D"] == datetime(2030, 3, 28, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert due["P0D"] == datetime(2030, 3, 31, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert {d.astimezone(ZoneInfo(zone)).time() for d in due.values()} == {time(9)}
    assert deadline.id


def test_reschedule_sends_one_update_with_same_uid_higher_sequence(mail_app, session, two_admitted):
    edition, anna, bert = two_admitted
    meeting = factories.meeting(session, edition)
    invite = moment(session, f"invite:session:{meeting.id}")
    fire(mail_app, invite.job_id, invite.due_at)
    assert len(outbox(session, "invitation")) == 2
    for day in (14, 15, 16):  # three quick edits
        schedule.reschedule_meeting(session, meeting, on_date=date(2030, 4, day),
                                    start=time(13, 30), end=time(15, 30))
    update = moment(session, f"update:session:{meeting.id}")
    assert update.status == "planned"
    assert moment(session, f"reminder:session:{meeting.id}:P1D").due_at == datetime(
        2030, 4, 15, 7, 0, tzinfo=UTC)
    assert fire(mail_app, update.job_id, update.due_at) == "sent"
    assert fire(mail_app, update.job_id, update.due_at) == "gone"
    updates = outbox(session, "update")
    assert [u.to for u in updates] == ["anna@gemeente.example", "bert@gemeente.example"]
    first_invite = outbox(session, "invitation")[0].calendar
    assert "METHOD:REQUEST" in updates[0].calendar and "SEQUENCE:3" in updates[0].calendar
    uid = f"UID:{meeting.uid}"
    assert uid in updates[0].calendar.replace("\r\n ", "") and uid in first_invite.replace("\r\n ", "")
    assert "ORGANIZER" in updates[0].calendar and "mailto:anna@gemeente.example" in updates[0].calendar


def test_cancel_removes_reminders_and_sends_one_cancellation(mail_app, session, two_admitted,
        smtp_sink):
    edition, anna, bert = two_admitted
    meeting = factories.meeting(session, edition)
    invite = moment(session, f"invite:session:{meeting.id}")
    fire(mail_app, invite.job_id, invite.due_at)
    schedule.cancel_meeting(session, meeting)
    statuses = {m.kind: m.status for m in moments(session, "") if m.subject == f"session:{meeting.id}"}
    assert statuses == {"reminder": "removed", "coaching": "removed", "invite": "done",
                        "cancel": "planned"}
    cancel = moment(session, f"cancel:session:{meeting.id}")
    fire(mail_app, cancel.job_id, cancel.due_at)
    fire(mail_app, cancel.job_id, cancel.due_at + timedelta(minutes=1))
    drain(mail_app.extensions["trajectories.db"], mail_app.config["SETTINGS"])
    smtp_sink.wait_for(4)
    assert len([m for m in smtp_sink.messages if "METHOD:CANCEL" in m.as_string()]) == 2
    mail = smtp_sink.to("anna@gemeente.example")[-1]
    assert mail["Subject"] == "Geannuleerd: Sessie"
    parts = {part.get_content_type(): part for part in mail.walk()}
    assert parts["text/calendar"].get_param("method") == "CANCEL"
    assert "METHOD:CANCEL" in parts["text/calendar"].get_content()
    assert mail.get_content_type() == "multipart/alternative"


def test_welcome_with_invitations_and_no_second_invitation(mail_app, session, two_admitted):
    edition, anna, bert = two_admitted
    meeting = factories.meeting(session, edition)
    newcomer = factories.participant(session, email="cees@gemeente.example")
    enrollment = people.enroll(session, edition, newcomer)
    welcome = moment(session, f"welcome:enrollment:{enrollment.id}")
    fire(mail_app, welcome.job_id, welcome.due_at)
    invite = moment(session, f"invite:session:{meeting.id}")
    fire(mail_app, invite.job_id, invite.due_at)
    rows = [(r.kind, r.to) for r in outbox(session)]
    assert rows.count(("invitation", "cees@gemeente.example")) == 1
    assert ("welcome", "cees@gemeente.example") in rows
    assert len([r for r in rows if r[0] == "invitation"]) == 3


def test_coaching_after_session_and_weekly_digest(mail_app, session, two_admitted):
    edition, anna, bert = two_admitted
    meeting = factories.meeting(session, edition, coaching_notes="Wat neem je mee?")
    deadline = _deadline(session, edition, due=date(2030, 4, 20))
    coaching = moment(session, f"coaching:session:{meeting.id}:PT2H")
    assert coaching.due_at == datetime(2030, 4, 13, 15, 30, tzinfo=UTC)
    fire(mail_app, coaching.job_id, coaching.due_at)
    text = sent_text(mail_app, session, outbox(session, "coaching")[0])
    assert "Wat neem je mee?" in text and "Lokale analyse" in text
    people.submit(session, deadline, anna, text="klaar")
    # A digest on a Monday morning after the due date, as the reconciliation plans it then.
    from trajectories.scheduler.plan import plan_digest

    monday = datetime(2030, 4, 21, 12, 0, tzinfo=UTC)  # a Sunday: next digest Monday 22 April
    plan_digest(session, edition.id, monday)
    session.commit()
    digest = moment(session, f"digest:cohort:{edition.id}:2030-04-22")
    assert digest.due_at == datetime(2030, 4, 22, 7, 0, tzinfo=UTC)
    fire(mail_app, digest.job_id, digest.due_at)
    [mail] = outbox(session, "digest")
    assert mail.to == "coordinator@vng.example"
    assert "Bert Jansen" in mail.text and "Anna de Vries" not in mail.text
    assert moment(session, f"digest:cohort:{edition.id}:2030-04-29").status == "planned"


def test_replanning_leaves_long_finished_editions_alone(session):
    """Most editions are history: re-planning skips those whose every moment is long past, and
    still plans every edition with something ahead (a session, a deadline, one participant's
    extension, or an overdue nudge set months after the deadline)."""
    from sqlalchemy import delete

    from trajectories.mail.services import set_mail_settings
    from trajectories.scheduler.plan import plan_all, unfinished_edition_ids

    now = datetime(2030, 6, 1, 10, tzinfo=UTC)
    finished = factories.edition(session)
    factories.meeting(session, finished, on_date=date(2029, 11, 3))
    _deadline(session, finished, due=date(2029, 12, 1))
    running = factories.edition(session)
    factories.meeting(session, running, on_date=date(2030, 9, 14))
    extended = factories.edition(session)
    late = _deadline(session, extended, due=date(2029, 12, 1))
    person = factories.participant(session)
    people.enroll(session, extended, person)
    schedule.extend_deadline(session, late, person, due_date=date(2030, 6, 20))
    patient = factories.edition(session)
    _deadline(session, patient, due=date(2030, 3, 1))
    set_mail_settings(session, patient, hold=False, review_coaching=False, nudge_days=[-120])

    assert unfinished_edition_ids(session, now) == sorted([running.id, extended.id, patient.id])
    session.exec(delete(PlannedMoment))
    session.commit()
    plan_all(session, now)
    session.commit()
    planned = {row.edition_id for row in _read(session, select(PlannedMoment))}
    assert planned == {running.id, extended.id, patient.id}


def test_reconciliation_repairs_the_job_store(mail_app, session, two_admitted):
    from apscheduler.schedulers.background import BackgroundScheduler
    from sqlalchemy import text

    from trajectories.scheduler.engine import configure
    from trajectories.scheduler.sync import JOB_FUNC, reconcile

    edition, *_ = two_admitted
    meeting = factories.meeting(session, edition)
    _deadline(session, edition)
    db = mail_app.extensions["trajectories.db"]
    now = datetime.now(UTC)

    def start():
        scheduler = configure(BackgroundScheduler(), db.url)
        scheduler.start(paused=True)
        return scheduler

    scheduler = start()
    first = reconcile(scheduler, db, now)
    ids = {job.id for job in scheduler.get_jobs(jobstore="default")}
    assert first["missing"] == first["planned"] == len(ids) >= 8
    assert f"reminder:session:{meeting.id}:P7D" in ids
    # Damage it: one job lost, one at the wrong time, one for a session that no longer exists.
    scheduler.remove_job(f"reminder:session:{meeting.id}:P7D")
    scheduler.reschedule_job(f"reminder:session:{meeting.id}:P1D", trigger="date",
                             run_date=datetime(2031, 1, 1, tzinfo=UTC))
    scheduler.add_job(JOB_FUNC, "date", run_date=datetime(2031, 1, 1, tzinfo=UTC),
                      args=["reminder:session:999:P7D"], id="reminder:session:999:P7D")
    repaired = reconcile(scheduler, db, now)
    assert (repaired["missing"], repaired["stale"], repaired["orphaned"]) == (1, 1, 1)
    assert {job.id for job in scheduler.get_jobs(jobstore="default")} == ids
    scheduler.shutdown(wait=False)
    # The job store deleted while the scheduler was stopped: rebuilt on start.
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE apscheduler_jobs"))
    scheduler = start()
    rebuilt = reconcile(scheduler, db, now)
    assert rebuilt["missing"] == len(ids)
    assert {job.id for job in scheduler.get_jobs(jobstore="default")} == ids
    scheduler.shutdown(wait=False)


def test_a_moment_moved_while_reconciling_is_synced_after(mail_app, session, two_admitted):
    """A session moved while the scheduler reconciles (after it read the plan, before it
    finished) gets its reminders at the new time at the next sync, not an hour later."""
    from apscheduler.events import EVENT_JOB_ADDED
    from apscheduler.schedulers.background import BackgroundScheduler

    from trajectories.scheduler.engine import configure
    from trajectories.scheduler.sync import reconcile, sync_jobs

    edition, *_ = two_admitted
    meeting = factories.meeting(session, edition)
    db = mail_app.extensions["trajectories.db"]
    scheduler = configure(BackgroundScheduler(), db.url)
    scheduler.start(paused=True)
    moved = []

    def move_once(_event):
        if not moved:  # a coordinator moves the session while the jobs are being stored
            moved.append(schedule.reschedule_meeting(
                session, meeting, on_date=date(2030, 4, 20), start=time(13, 30),
                end=time(15, 30)))

    scheduler.add_listener(move_once, EVENT_JOB_ADDED)
    try:
        reconcile(scheduler, db)
        scheduler.remove_listener(move_once)
        assert moved
        sync_jobs(scheduler, db)
        job = scheduler.get_job(f"reminder:session:{meeting.id}:P7D")
        assert job.next_run_time == datetime(2030, 4, 13, 7, 0, tzinfo=UTC)  # 09:00 CEST
    finally:
        scheduler.shutdown(wait=False)


def test_running_scheduler_sends_a_due_moment(mail_app, session, two_admitted, smtp_sink):
    """The whole path: a handler plans, the process syncs its job store, fires, drains."""
    import threading

    from trajectories.scheduler.runtime import run_scheduler

    edition, anna, bert = two_admitted
    newcomer = factories.participant(session, email="cees@gemeente.example")
    enrollment = people.enroll(session, edition, newcomer)
    row = moment(session, f"welcome:enrollment:{enrollment.id}")
    row.due_at = datetime.now(UTC)  # as if the welcome delay had passed
    session.add(row)
    session.commit()
    stop = threading.Event()
    thread = threading.Thread(target=run_scheduler, args=(mail_app, stop),
                              kwargs={"sync_seconds": 0.2, "drain_seconds": 0.3}, daemon=True)
    thread.start()
    try:
        smtp_sink.wait_for(1, timeout=15)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert [str(m["To"]) for m in smtp_sink.messages] == ["cees@gemeente.example"]
    assert moment(session, row.job_id).status == MomentStatus.DONE
    assert outbox(session, "welcome")[0].status == MailStatus.SENT


def test_two_schedulers_in_one_process_each_fire_against_their_own_app(
        mail_app, session, two_admitted, smtp_sink, tmp_path, caplog):
    """A scheduler started later in the same process (a standby taking over, `serve
    --scheduler`, a lingering thread) must not take over the jobs of one already running: each
    fires its moments against its own database and sends through its own SMTP server."""
    import logging
    import threading
    import time as time_module

    from sqlmodel import SQLModel

    from tests.conftest import _close, running_smtp_sink
    from trajectories.app import create_app
    from trajectories.core.db import Database
    from trajectories.scheduler.runtime import run_scheduler

    caplog.set_level(logging.INFO, logger="trajectories.scheduler")
    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    other_db = Database(other_url)
    SQLModel.metadata.create_all(other_db.engine)
    edition, *_ = two_admitted
    newcomer = people.enroll(session, edition,
                             factories.participant(session, email="cees@gemeente.example"))
    with running_smtp_sink() as other_sink, other_db.session(actor="test") as other_session:
        other_app = create_app({"database_url": other_url, "var_dir": str(tmp_path / "var2"),
                                "calendars_dir": str(tmp_path / "calendars2"),
                                "secret_key": "other", "TESTING": True,
                                "smtp_host": "127.0.0.1", "smtp_port": other_sink.port})
        other_edition = factories.edition(other_session)
        stranger = people.enroll(other_session, other_edition, factories.participant(
            other_session, email="dirk@elders.example"))
        stops = [threading.Event(), threading.Event()]
        threads = [threading.Thread(target=run_scheduler, args=(app, stop), daemon=True,
                                    kwargs={"sync_seconds": 0.2, "drain_seconds": 0.3})
                   for app, stop in zip((mail_app, other_app), stops, strict=True)]
        try:
            for number, thread in enumerate(threads, start=1):
                thread.start()  # the second starts once the first runs
                deadline = time_module.monotonic() + 15
                while sum(r.getMessage() == "scheduler started" for r in caplog.records) \
                        < number and time_module.monotonic() < deadline:
                    time_module.sleep(0.02)
            # Both welcomes come due now, with both schedulers running: each syncs its own.
            for own_session, enrollment in ((session, newcomer), (other_session, stranger)):
                row = moment(own_session, f"welcome:enrollment:{enrollment.id}")
                row.due_at, row.version = datetime.now(UTC), row.version + 1
                own_session.add(row)
                own_session.commit()
            smtp_sink.wait_for(1, timeout=15)
            other_sink.wait_for(1, timeout=15)
        finally:
            for stop in stops:
                stop.set()
            for thread in threads:
                thread.join(timeout=20)
            _close(other_app)
            other_db.dispose()
        assert not any(thread.is_alive() for thread in threads)
        assert [str(m["To"]) for m in smtp_sink.messages] == ["cees@gemeente.example"]
        assert [str(m["To"]) for m in other_sink.messages] == ["dirk@elders.example"]
    assert moment(session, f"welcome:enrollment:{newcomer.id}").status == MomentStatus.DONE


def test_edition_zone_change_replans(session, two_admitted):
    edition, *_ = two_admitted
    deadline = _deadline(session, edition)
    from trajectories.catalogue import services as catalogue

    catalogue.update_edition(session, session.get(Edition, edition.id), timezone="America/New_York",
                            name=edition.name)
    due = moment(session, f"nudge:deadline:{deadline.id}:P0D").due_at
    assert due == datetime(2030, 5, 1, 13, 0, tzinfo=UTC)


def test_invitation_parses_strictly_with_organizer_and_attendee(mail_app, session, two_admitted):
    from ical.calendar_stream import IcsCalendarStream

    edition, anna, bert = two_admitted
    meeting = factories.meeting(session, edition, title="Aftrap, met \"quotes\"; en komma's")
    invite = moment(session, f"invite:session:{meeting.id}")
    fire(mail_app, invite.job_id, invite.due_at)
    row = next(r for r in outbox(session, "invitation") if r.to == "anna@gemeente.example")
    assert row.calendar_method == "REQUEST"
    parsed = IcsCalendarStream.calendar_from_ics(row.calendar)
    [event] = parsed.events
    assert event.uid == meeting.uid and event.sequence == 0
    assert event.organizer.uri == "mailto:coordinator@vng.example"
    assert [a.uri for a in event.attendees] == ["mailto:anna@gemeente.example"]
    assert event.dtstart == datetime(2030, 4, 13, 13, 30, tzinfo=AMS)


def test_one_active_scheduler_the_other_takes_over(mail_app, caplog):
    """Two scheduler processes (here: threads with their own lock): one runs, the other waits
    on the leader lock and takes over when the first stops."""
    import logging
    import threading

    from trajectories.core.heartbeat import age_seconds
    from trajectories.scheduler.runtime import run_as_leader

    caplog.set_level(logging.INFO, logger="trajectories.scheduler")

    def started() -> int:
        return sum(r.getMessage() == "scheduler started" for r in caplog.records)

    def wait_until(condition, timeout=20):
        deadline = time_module.monotonic() + timeout
        while not condition() and time_module.monotonic() < deadline:
            time_module.sleep(0.05)
        return condition()

    import time as time_module

    first_stop, second_stop = threading.Event(), threading.Event()
    first = threading.Thread(target=run_as_leader, args=(mail_app, first_stop, 0.1), daemon=True)
    first.start()
    assert wait_until(lambda: started() == 1)
    second = threading.Thread(target=run_as_leader, args=(mail_app, second_stop, 0.1), daemon=True)
    second.start()
    time_module.sleep(1.0)
    assert started() == 1  # the second waits
    first_stop.set()
    first.join(timeout=20)
    assert wait_until(lambda: started() == 2)
    db = mail_app.extensions["trajectories.db"]

    def beating() -> bool:
        with db.session() as s:  # a short transaction: on SQLite it holds the write lock
            age = age_seconds(s)
        return age is not None and age < 30

    assert wait_until(beating)
    second_stop.set()
    second.join(timeout=20)
    if second.is_alive():
        import faulthandler
        import sys

        faulthandler.dump_traceback(sys.stderr)
    assert not first.is_alive() and not second.is_alive()


def test_cancellation_reaches_only_those_who_had_the_invitation(mail_app, session, two_admitted,
                                                                smtp_sink):
    edition, anna, bert = two_admitted
    meeting = factories.meeting(session, edition)
    invite = moment(session, f"invite:session:{meeting.id}")
    fire(mail_app, invite.job_id, invite.due_at)
    schedule.cancel_meeting(session, meeting)
    # Two people join within the three-minute wait; their welcomes fire first.
    for email in ("cees@gemeente.example", "dirk@gemeente.example"):
        enrollment = people.enroll(session, edition, factories.participant(session, email=email))
        welcome = moment(session, f"welcome:enrollment:{enrollment.id}")
        fire(mail_app, welcome.job_id, welcome.due_at)
    cancel = moment(session, f"cancel:session:{meeting.id}")
    assert fire(mail_app, cancel.job_id, cancel.due_at) == "sent"
    drain(mail_app.extensions["trajectories.db"], mail_app.config["SETTINGS"])
    smtp_sink.wait_for(6)
    cancels = sorted(str(m["To"]) for m in smtp_sink.messages
                     if "METHOD:CANCEL" in m.as_string())
    assert cancels == ["anna@gemeente.example", "bert@gemeente.example"]
    assert smtp_sink.to("cees@gemeente.example")[0]["Subject"].startswith("Welkom")
    assert len(smtp_sink.to("cees@gemeente.example")) == 1  # the welcome, no session in it


def test_update_goes_to_the_invited_and_newcomers_get_the_current_invitation(mail_app, session,
                                                                               two_admitted):
    edition, anna, bert = two_admitted
    meeting = factories.meeting(session, edition)
    invite = moment(session, f"invite:session:{meeting.id}")
    fire(mail_app, invite.job_id, invite.due_at)
    schedule.reschedule_meeting(session, meeting, on_date=date(2030, 4, 14), start=time(13, 30),
                                end=time(15, 30))
    newcomer = factories.participant(session, email="cees@gemeente.example")
    enrollment = people.enroll(session, edition, newcomer)
    update = moment(session, f"update:session:{meeting.id}")
    assert fire(mail_app, update.job_id, update.due_at) == "sent"
    welcome = moment(session, f"welcome:enrollment:{enrollment.id}")
    fire(mail_app, welcome.job_id, welcome.due_at)
    rows = [(r.kind, r.to) for r in outbox(session) if r.kind in ("invitation", "update")]
    assert sorted(r for r in rows if r[0] == "update") == [
        ("update", "anna@gemeente.example"), ("update", "bert@gemeente.example")]
    # The newcomer gets the session as it is now, once, as an invitation (not a change).
    assert rows.count(("invitation", "cees@gemeente.example")) == 1
    assert ("update", "cees@gemeente.example") not in rows


def test_changing_mail_settings_replans_at_once(session, two_admitted):
    from trajectories.mail.services import set_mail_settings

    edition, *_ = two_admitted
    meeting = factories.meeting(session, edition)
    deadline = _deadline(session, edition)
    set_mail_settings(session, edition, hold=False, review_coaching=False, reminder_days=[3],
                      nudge_days=[5], send_hour=8, coaching_delay_hours=None)
    wanted = {m.job_id: m.due_at for m in moments(session, "")
              if m.status == "planned" and m.kind in ("reminder", "coaching", "nudge", "overdue")}
    assert wanted == {
        f"reminder:session:{meeting.id}:P3D": datetime(2030, 4, 10, 6, 0, tzinfo=UTC),  # 08:00 CEST
        f"nudge:deadline:{deadline.id}:P5D": datetime(2030, 4, 26, 6, 0, tzinfo=UTC),  # 08:00 CEST
    }


def test_welcome_unsubscribe_link_stops_welcomes_not_invitations(mail_app, session, two_admitted,
                                                                 smtp_sink):
    from trajectories.mail.preferences import mail_preferences

    edition, anna, bert = two_admitted
    factories.meeting(session, edition)
    newcomer = factories.participant(session, email="cees@gemeente.example")
    enrollment = people.enroll(session, edition, newcomer)
    welcome = moment(session, f"welcome:enrollment:{enrollment.id}")
    fire(mail_app, welcome.job_id, welcome.due_at)
    settings = mail_app.config["SETTINGS"]
    drain(mail_app.extensions["trajectories.db"], settings)
    smtp_sink.wait_for(2)
    [mail] = [m for m in smtp_sink.to("cees@gemeente.example") if m["Subject"].startswith("Welkom")]
    link = mail["List-Unsubscribe"].strip("<>")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in mail.get_body(("plain",)).get_content()
    page = mail_app.test_client().get(link.removeprefix(settings.base_url))
    assert "Welkomstmails" in page.get_data(as_text=True)
    assert mail_app.test_client().post(link.removeprefix(settings.base_url),
                                       data={"List-Unsubscribe": "One-Click"}).status_code == 204
    session.expire_all()
    preferences = mail_preferences(session, newcomer)
    session.commit()
    assert preferences["welcome"] is False and preferences["invitation"] is True


def test_a_fan_out_in_one_statement_sends_what_one_per_person_would(mail_app, session,
        two_admitted):
    """The shared text with name and link put in is the mail rendered for each person (the
    per-person way stays for templates that need more than the name, and for keys too long)."""
    from trajectories.catalogue.models import Track
    from trajectories.mail.fanout import fan_out
    from trajectories.mail.preferences import set_mail_preference
    from trajectories.people.models import Participant

    edition, anna, bert = two_admitted
    anna.name = "Anna & Zoë <Vries>"
    session.add(anna)
    cees = factories.participant(session, name="Cees", email="cees@gemeente.example")
    people.enroll(session, edition, cees)
    set_mail_preference(session, cees, "reminder", False)
    meeting = factories.meeting(session, edition, title="Aftrap")
    context = dict(edition=edition, track=session.get(Track, edition.track_id), meeting=meeting,
                   days=3, materials=[])
    ids = select(Participant.id).where(Participant.id.in_([anna.id, bert.id, cees.id]))
    with mail_app.app_context():
        shared = fan_out(session, mail_app.config["SETTINGS"], ids, template="reminder",
                         kind="reminder", dedupe_prefix="kort:", edition_id=edition.id, **context)
        each = fan_out(session, mail_app.config["SETTINGS"], ids, template="reminder",
                       kind="reminder", dedupe_prefix="lang" * 71 + ":", edition_id=edition.id,
                       **context)
    session.commit()
    assert (shared, each) == (2, 2)
    rows = outbox(session, "reminder")
    mails = {(r.dedupe_key[:4], r.to): row_content(session, r, mail_app.config["SETTINGS"])
             for r in rows}
    session.commit()
    assert [r.body_id is not None for r in rows] == [True, True, False, False]
    for person in (anna, bert):
        assert mails["kort", person.email] == mails["lang", person.email]
    assert "Dear Bert Jansen," in mails["kort", bert.email][1]
    assert "Beste Anna &amp; Zoë &lt;Vries&gt;," in mails["kort", anna.email][2]
