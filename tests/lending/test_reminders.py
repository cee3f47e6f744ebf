"""A loan's reminders are scheduler moments without an edition: planned at 9:00 two days before
the hand-over and the return day (organiser's zone), kept by the hourly re-plan of editions,
fired like any moment (late: skipped while recorded), removed when the loan is cancelled; the
edition pages of the plan are not disturbed by them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from tests import factories
from tests.lending.helpers import days, requested, world
from trajectories.lending import services as lending
from trajectories.scheduler import overview, plan
from trajectories.scheduler.jobs import process_moment
from trajectories.scheduler.models import MomentRun, MomentStatus, PlannedMoment


@pytest.fixture
def approved(app, session):
    with app.test_request_context():
        _, capsule = world(session)
        loan = requested(session, capsule, days(10), days(20))
        lending.approve(session, loan)
    return loan


def _moments(session, loan_id):
    rows = list(session.exec(select(PlannedMoment).where(
        PlannedMoment.subject == f"loan:{loan_id}").order_by(PlannedMoment.due_at)
        .execution_options(populate_existing=True)))
    session.commit()
    return rows


def test_planned_at_nine_two_days_before_in_the_organisers_zone(session, approved):
    handover, back = _moments(session, approved.id)
    assert (handover.kind, back.kind) == ("loan_handover", "loan_return")
    for moment, day in ((handover, days(8)), (back, days(18))):
        local = moment.due_at.astimezone(ZoneInfo("Europe/Amsterdam"))
        assert (local.date(), local.hour, moment.edition_id) == (day, 9, None)
        assert moment.useful_until - moment.due_at == timedelta(days=2)


def test_the_hourly_replan_of_editions_keeps_them_and_edition_pages_still_work(session,
                                                                               approved):
    edition = factories.edition(session)
    factories.meeting(session, edition)
    plan.plan_all(session)
    session.commit()
    assert [m.status for m in _moments(session, approved.id)] == [MomentStatus.PLANNED] * 2
    kinds = {line.kind for line in overview.planned(session, edition.id)}
    assert "reminder" in kinds and not any(kind.startswith("loan") for kind in kinds)
    assert overview.history(session, edition.id) == []


def test_a_late_firing_is_skipped_and_recorded(app, session, approved):
    handover, _ = _moments(session, approved.id)
    late = handover.useful_until + timedelta(minutes=1)
    assert process_moment(app, handover.job_id, now=late) == "skipped"
    [run] = session.exec(select(MomentRun)).all()
    assert (run.edition_id, run.skipped) == (None, "too_late")


def test_cancelling_removes_the_reminders_ahead(app, session, approved):
    with app.test_request_context():
        lending.cancel(session, approved, {"reason": "Transport lukt niet."})
    assert [m.status for m in _moments(session, approved.id)] == [MomentStatus.REMOVED] * 2


def test_a_loan_planned_too_late_for_its_reminder_skips_it(app, session):
    with app.test_request_context():
        _, capsule = world(session)
        loan = requested(session, capsule, days(1), days(5))
        lending.approve(session, loan)
    handover, back = _moments(session, loan.id)
    assert handover.status == MomentStatus.SKIPPED and back.status == MomentStatus.PLANNED
    assert handover.due_at < datetime.now(UTC)
