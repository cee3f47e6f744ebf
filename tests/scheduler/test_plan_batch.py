"""The whole re-plan (scheduler start, takeover, hourly) in bulk: the same plan as the events
make subject by subject, in a handful of statements whatever the number of editions, and nothing
written when nothing changed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete, event, update
from sqlmodel import select

from tests import factories
from trajectories.mail.services import set_mail_settings
from trajectories.people import services as people
from trajectories.schedule import services as schedule
from trajectories.schedule.models import Meeting
from trajectories.scheduler.models import MomentStatus, PlannedMoment
from trajectories.scheduler.plan import PLANNED_KINDS, plan_all

NOW = datetime(2030, 3, 1, 10, tzinfo=UTC)


def _read(session, query):
    rows = list(session.exec(query.execution_options(populate_existing=True)))
    session.commit()
    return rows


def _plan(session) -> dict[str, tuple]:
    """The moments wanted (removed ones left out: a plan from scratch never had them)."""
    rows = _read(session, select(PlannedMoment).where(
        PlannedMoment.kind.in_(PLANNED_KINDS), PlannedMoment.status != MomentStatus.REMOVED))
    return {row.job_id: (row.due_at, row.useful_until, row.status, row.participant_id)
            for row in rows}


def _editions(session, count: int, first: int = 0) -> list:
    """Editions with a bit of everything: sessions (one cancelled, one to be announced),
    deadlines with an extension, own mail settings on some, a draft."""
    editions = []
    for n in range(first, first + count):
        edition = factories.edition(session, coordinator_email="coordinator@vng.example")
        factories.meeting(session, edition, on_date=date(2030, 4, 13 + n))
        cancelled = factories.meeting(session, edition, on_date=date(2030, 5, 4))
        schedule.cancel_meeting(session, cancelled)
        factories.meeting(session, edition, on_date=date(2030, 5, 18), start=None, end=None)
        deadline = schedule.set_deadline(session, edition, title="Lokale analyse",
                                         due_date=date(2030, 6, 1 + n))
        person = factories.participant(session)
        people.enroll(session, edition, person)
        schedule.extend_deadline(session, deadline, person, due_date=date(2030, 6, 20))
        if n % 2:
            set_mail_settings(session, edition, hold=False, review_coaching=False,
                              reminder_days=[3], nudge_days=[7, -1], send_hour=8)
        editions.append(edition)
    draft = factories.edition(session, draft=True)
    factories.meeting(session, draft, on_date=date(2030, 4, 20))
    return editions


def _statements(session, work) -> int:
    engine = session.get_bind()
    count = [0]

    def one(*_args):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", one)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", one)
    return count[0]


def test_full_replan_makes_the_plan_the_events_made(session):
    _editions(session, 3)
    by_events = _plan(session)
    assert by_events  # reminders, coaching, nudges (the extension's too), digests
    assert any(participant for *_, participant in by_events.values())
    session.exec(delete(PlannedMoment))
    session.commit()

    plan_all(session)  # now, as the events planned (the next digest is this week's)
    session.commit()
    assert _plan(session) == by_events


def test_full_replan_statements_do_not_grow_with_editions(session):
    _editions(session, 1)
    session.exec(delete(PlannedMoment))
    session.commit()
    one = _statements(session, lambda: plan_all(session, NOW))
    session.commit()
    _editions(session, 4, first=1)
    session.exec(delete(PlannedMoment))
    session.commit()
    five = _statements(session, lambda: plan_all(session, NOW))
    session.commit()
    assert five == one <= 13
    assert len(_plan(session)) >= 5 * 10


def test_full_replan_writes_nothing_when_nothing_changed(session):
    _editions(session, 2)
    plan_all(session, NOW)
    session.commit()
    before = {row.job_id: row.version for row in _read(session, select(PlannedMoment))}
    plan_all(session, NOW)
    session.commit()
    assert {row.job_id: row.version for row in _read(session, select(PlannedMoment))} == before


def test_full_replan_repairs_a_session_moved_without_its_event(session):
    """A change whose planning handler never ran (its process died after the commit): the
    next whole re-plan moves the reminders, and a fired one is planned again."""
    edition = factories.edition(session)
    meeting = factories.meeting(session, edition, on_date=date(2030, 4, 13))
    week = f"reminder:session:{meeting.id}:P7D"
    session.exec(update(PlannedMoment).where(PlannedMoment.job_id == week)
                 .values(status=MomentStatus.DONE))
    later = datetime(2030, 4, 27, 11, 30, tzinfo=UTC)
    session.exec(update(Meeting).where(Meeting.id == meeting.id).values(
        on_date=date(2030, 4, 27), starts_at=later, ends_at=later.replace(hour=13)))
    session.commit()

    plan_all(session, NOW)
    session.commit()
    [row] = _read(session, select(PlannedMoment).where(PlannedMoment.job_id == week))
    assert (row.due_at, row.status) == (datetime(2030, 4, 20, 7, tzinfo=UTC),
                                        MomentStatus.PLANNED)
    assert row.version > row.synced_version
