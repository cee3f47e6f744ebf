"""Nudges before the close go only to the municipalities that started a nomination and did not
submit it: the round's deadline is planned by the scheduler like any other."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from tests.award.world import OPEN, build
from tests.completion.clock import clock_at
from tests.coordinator_helpers import Browser
from trajectories.award import services as award
from trajectories.catalogue.models import Edition
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
        with app.app_context():  # its receipt renders in the app
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


def test_moving_the_close_moves_the_deadline_and_its_nudges_and_bad_input_changes_nothing(
        app, client, session):
    world = build(session)
    with clock_at(OPEN):
        award.start_nomination(session, world.round, world.anna)
    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    url = f"/beheer/prijs/{world.round.id}/wijzigen"
    form = {"title": "Prijs 2030", "intro": "", "opens_on": "2030-03-01",
            "closes_on": "2030-07-15"}
    # Bad input (a close before the opening, no title): the message, and nothing moves.
    for bad in ({"closes_on": "2030-02-01"}, {"title": ""}, {"opens_on": "gisteren"}):
        response = browser.post(url, {**form, **bad})
        assert response.status_code == 422
        assert "utrecht-alert--error" in response.get_data(as_text=True)
    deadline = award.deadline_of(session, world.round)
    session.refresh(deadline)
    assert deadline.due_date == date(2030, 6, 30)

    response = browser.post(url, form, follow_redirects=True)
    assert "De ronde is gewijzigd" in response.get_data(as_text=True)
    session.expire_all()
    deadline = award.deadline_of(session, world.round)
    assert deadline.due_date == date(2030, 7, 15)
    edition = session.get(Edition, world.round.edition_id)
    assert (edition.name, edition.registration_closes_at.date()) == ("Prijs 2030",
                                                                    date(2030, 7, 15))
    # The nudges follow the new close: a week and two days before 15 July.
    planned = _read(session, select(PlannedMoment).where(
        PlannedMoment.job_id.startswith(f"nudge:deadline:{deadline.id}:"),
        PlannedMoment.status == "planned").order_by(PlannedMoment.due_at))
    assert [m.due_at.date() for m in planned] == [date(2030, 7, 8), date(2030, 7, 13)]
