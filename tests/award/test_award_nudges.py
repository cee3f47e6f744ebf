"""Nudges before the close go only to the municipalities that started a nomination and did not
submit it: the round's deadline is planned by the scheduler like any other."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.award.world import OPEN, build
from tests.completion.clock import clock_at
from trajectories.award import services as award
from trajectories.mail.models import OutboxMessage
from trajectories.scheduler.jobs import process_moment
from trajectories.scheduler.models import PlannedMoment


@pytest.fixture
def app(mail_app):
    return mail_app


def _read(session, query):
    rows = list(session.exec(query.execution_options(populate_existing=True)))
    session.commit()
    return rows


def test_nudges_only_to_those_who_started_and_did_not_submit(app, session):
    world = build(session)
    from tests import factories

    amersfoort = factories.municipality(session, name="Amersfoort", code="GM0307")
    carla = factories.participant(session, name="Carla", email="carla@amersfoort.example",
                                  organisation_id=amersfoort.id)  # never starts one
    with clock_at(OPEN):
        award.start_nomination(session, world.round, world.anna)  # starts, never submits
        zwolle = award.start_nomination(session, world.round, world.bert)
        award.submit_nomination(session, world.round, zwolle, world.bert, title="Zwolle",
                                text="Zwolle verbindt de doelen met de wijken.")
    deadline = award.deadline_of(session, world.round)
    prefix = f"nudge:deadline:{deadline.id}:"
    planned = _read(session, select(PlannedMoment).where(PlannedMoment.job_id.startswith(prefix))
                    .order_by(PlannedMoment.due_at))
    assert [m.job_id.removeprefix(prefix) for m in planned] == ["P7D", "P2D"]
    # No overdue nudge: after the close a nomination is refused anyway.
    assert _read(session, select(PlannedMoment).where(
        PlannedMoment.job_id.startswith(f"overdue:deadline:{deadline.id}"))) == []
    for moment in planned:
        process_moment(app, moment.job_id, now=moment.due_at)
    sent = _read(session, select(OutboxMessage).where(OutboxMessage.kind == "nudge"))
    assert sorted({m.to for m in sent}) == ["anna@utrecht.example"]
    assert carla.email not in {m.to for m in sent}
