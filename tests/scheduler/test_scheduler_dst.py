"""Session reminders keep the local send hour across both daylight-saving changes, in Amsterdam
and in Brussels; history loaded as history sends nothing; a re-plan at a digest's own moment
keeps it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from tests import factories
from trajectories.catalogue.models import Edition
from trajectories.demo.loader import load_demo
from trajectories.mail import services as messages
from trajectories.mail.models import OutboxMessage
from trajectories.people import services as people
from trajectories.people.models import Enrollment, EnrollmentStatus, Participant
from trajectories.schedule.models import Meeting
from trajectories.scheduler.jobs import process_moment
from trajectories.scheduler.models import MomentStatus, PlannedMoment
from trajectories.scheduler.sync import reconcile


def _moment(session, job_id) -> PlannedMoment:
    row = session.exec(select(PlannedMoment).where(PlannedMoment.job_id == job_id)
                       .execution_options(populate_existing=True)).one()
    session.commit()
    return row


# A Thursday 13:30 session in the week after each change (2030: 31 March and 27 October).
CHANGES = {
    "march": date(2030, 4, 4),  # 7-day reminder still in winter time, 1-day in summer time
    "october": date(2030, 10, 31),  # 7-day reminder in summer time, 1-day in winter time
}


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "Europe/Brussels"])
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_reminders_go_at_the_send_hour_on_the_local_day_across_dst(mail_app, session, zone,
                                                                   change):
    edition = factories.edition(session, timezone=zone)
    anna = factories.participant(session, name="Anna de Vries", email="anna@gemeente.example")
    people.enroll(session, edition, anna)
    day = CHANGES[change]
    meeting = factories.meeting(session, edition, on_date=day, start=time(13, 30), end=time(15, 30))
    tz = ZoneInfo(zone)
    week, tomorrow = (_moment(session, f"reminder:session:{meeting.id}:{o}") for o in ("P7D", "P1D"))
    for row, days in ((week, 7), (tomorrow, 1)):
        local = row.due_at.astimezone(tz)
        assert (local.date(), local.time()) == (day - timedelta(days=days), time(9, 0)), row.job_id
    # One side of the change is an hour apart in UTC from the other.
    assert {week.due_at.astimezone(UTC).hour, tomorrow.due_at.astimezone(UTC).hour} == {7, 8}
    # Useful until the next reminder is due; the last one until the session starts.
    assert week.useful_until == tomorrow.due_at
    starts = datetime.combine(day, time(13, 30), tz)
    assert tomorrow.useful_until == starts

    assert process_moment(mail_app, week.job_id, now=week.due_at) == "sent"
    [mail] = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()
    session.commit()
    assert mail.subject == "Over 7 dagen: Sessie"
    # Late, but while useful: sent; after the session started: skipped.
    assert process_moment(mail_app, tomorrow.job_id, now=starts + timedelta(minutes=1)) == "skipped"


def test_reminders_follow_the_editions_send_hour(session):
    edition = factories.edition(session, timezone="Europe/Brussels")
    messages.set_mail_settings(session, edition, hold=False, review_coaching=False, send_hour=7)
    meeting = factories.meeting(session, edition, on_date=date(2030, 10, 31))
    local = _moment(session, f"reminder:session:{meeting.id}:P7D").due_at.astimezone(
        ZoneInfo("Europe/Brussels"))
    assert (local.date(), local.time()) == (date(2030, 10, 24), time(7, 0))


def _admitted(session, edition_ids) -> set[str]:
    return set(session.exec(select(Participant.email).join(
        Enrollment, Enrollment.participant_id == Participant.id).where(
        Enrollment.edition_id.in_(edition_ids), Enrollment.status == EnrollmentStatus.ADMITTED)))


def test_history_loaded_as_history_sends_nothing(mail_app, db, session):
    """The demo's 2021 pilot, the VVSG editions of 2019 and the 2016 meetings are over: loading them and
    starting the scheduler queues no welcome, invitation or reminder for them."""
    list(load_demo(db))
    past = [c.id for c in session.exec(select(Edition)) if max(
        (m.on_date for m in session.exec(select(Meeting).where(Meeting.edition_id == c.id))),
        default=date.max) < date.today()]  # (an edition without sessions: the award's round)
    session.commit()
    # The pilot 2021, two finished VVSG editions and the five regional meetings of 2016.
    assert len(past) == 8
    history = _admitted(session, past)
    assert "p.hendriks@tilburg.example" in history and "lucas.claes@kortrijk.example" in history
    session.commit()

    # What start-up does (the plan, reconciled), then every moment that is due fires.
    from apscheduler.schedulers.background import BackgroundScheduler

    from trajectories.scheduler.engine import configure

    scheduler = configure(BackgroundScheduler(), str(db.url))
    scheduler.start(paused=True)
    try:
        reconcile(scheduler, db)
    finally:
        scheduler.shutdown(wait=False)
    now = datetime.now(UTC) + timedelta(minutes=5)  # the welcome's and invitations' debounce
    due = session.exec(select(PlannedMoment.job_id).where(
        PlannedMoment.status == MomentStatus.PLANNED, PlannedMoment.due_at <= now)).all()
    session.commit()
    for job_id in due:
        process_moment(mail_app, job_id, now=now)
    queued = session.exec(select(OutboxMessage)).all()
    assert not [m for m in queued if m.edition_id in past]
    # Live editions' participants (some also took part in 2021) are welcomed as before.
    live = _admitted(session, [c.id for c in session.exec(select(Edition)) if c.id not in past])
    assert {m.to for m in queued if m.kind == "welcome"} == live
    notices = session.exec(select(PlannedMoment).where(
        PlannedMoment.edition_id.in_(past), PlannedMoment.kind.in_(("welcome", "invite")))).all()
    assert notices and {n.status for n in notices} == {MomentStatus.SKIPPED}
    assert {n.note for n in notices} == {"edition is over"}


def test_a_re_plan_at_the_digests_very_moment_keeps_it(mail_app, session):
    """The hourly reconciliation (or a sped-up clock standing at the moment) re-plans while a
    digest is due but not yet fired: the digest still goes, and the next one is planned after."""
    from trajectories.scheduler import plan

    edition = factories.edition(session, coordinator_email="coordinator@vng.example")
    factories.meeting(session, edition)
    [digest] = session.exec(select(PlannedMoment).where(
        PlannedMoment.kind == "digest", PlannedMoment.status == MomentStatus.PLANNED)).all()
    job_id, due = digest.job_id, digest.due_at
    session.commit()
    plan.plan_digest(session, edition.id, now=due)
    session.commit()
    assert _moment(session, job_id).status == MomentStatus.PLANNED
    assert process_moment(mail_app, job_id, now=due) == "sent"
    following = session.exec(select(PlannedMoment).where(
        PlannedMoment.kind == "digest", PlannedMoment.status == MomentStatus.PLANNED)).one()
    assert following.due_at == due + timedelta(days=7)
