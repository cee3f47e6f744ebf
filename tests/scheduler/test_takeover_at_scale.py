"""A takeover is ready in seconds whatever the size of the plan: two real `trajectories
scheduler` processes on PostgreSQL with a few hundred editions; the leader is killed (SIGKILL)
and the standby sends a moment that fell due during the takeover within 15 seconds, while its
whole re-plan runs beside (it never waits for it)."""

import time
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.scheduler_processes import (
    Deliveries,
    Schedulers,
    admitted_edition,
    fan_out_now,
    many_editions,
    wait,
)
from trajectories.scheduler.models import MomentStatus, PlannedMoment

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

EDITIONS = 300
READY_LIMIT = 15.0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # the lock is PostgreSQL's
def test_standby_sends_a_moment_due_during_the_takeover_within_15_seconds(
        db, session, smtp_sink, tmp_path):
    many_editions(session, EDITIONS)
    edition = admitted_edition(session, 1)
    schedulers, deliveries = Schedulers(db, smtp_sink, tmp_path), Deliveries(smtp_sink)
    try:
        first = schedulers.start()
        # The first leader plans every edition and fills the job store.
        assert wait(lambda: "scheduler reconciled" in schedulers.log(first), 300), \
            schedulers.log(first)
        with db.session() as check:
            planned = len(check.exec(select(PlannedMoment.id).where(
                PlannedMoment.status == MomentStatus.PLANNED)).all())
        assert planned > EDITIONS * 20
        second = schedulers.start()
        time.sleep(3)
        assert schedulers.leader_pid() == first.pid  # the second one waits

        # An invitation due now, planned by a web process just before the leader dies: it is in
        # no job store yet.
        job_id = fan_out_now(session, edition)
        schedulers.kill(first)
        killed_at = time.monotonic()
        print(f"killed the leader at {datetime.now(UTC):%H:%M:%S.%f}")
        assert wait(lambda: deliveries.distinct() >= 1, READY_LIMIT + 15), schedulers.log(second)
        ready = time.monotonic() - killed_at
        print(f"{planned} moments planned; the due invitation went out {ready:.1f} s after the "
              "kill")
    finally:
        schedulers.stop_all()
    assert schedulers.leader_pid() == second.pid
    assert ready <= READY_LIMIT
    assert "scheduler reconciled" in schedulers.log(second)
    with db.session() as check:
        moment = check.exec(select(PlannedMoment).where(PlannedMoment.job_id == job_id)).one()
        assert moment.status == MomentStatus.DONE
