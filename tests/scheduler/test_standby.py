"""Two real `trajectories scheduler` processes on one database: one is active, the other stands
by; after kill -9 of the active one in the middle of a 500-recipient fan-out's delivery, the
standby takes over within 15 seconds and sends on: no mail lost, at most the one in flight
twice, all of them out within 30 seconds of the takeover. And a scheduler whose lock connection
is cut (as by a database restart) steps down and takes the lock again in the same process."""

import random
import time

import pytest
from sqlalchemy import text

from tests.scheduler_processes import (
    DELIVERY_LIMIT,
    Deliveries,
    Schedulers,
    admitted_edition,
    fan_out_now,
    queued_ids,
    wait,
)
from trajectories.core.leader import LOCK_KEY

#: Real processes (see pyproject.toml's markers): `make test` runs these apart, after the rest.
pytestmark = pytest.mark.slow

TAKEOVER_LIMIT = 15.0
FAN_OUT = 500


def test_standby_takes_over_after_kill_9_mid_fan_out_and_sends_nothing_twice(
        db, session, smtp_sink, tmp_path):
    edition = admitted_edition(session, FAN_OUT)
    schedulers, deliveries = Schedulers(db, smtp_sink, tmp_path), Deliveries(smtp_sink)
    try:
        first = schedulers.start()
        assert wait(lambda: schedulers.leader_pid() == first.pid, 60), schedulers.log(first)
        second = schedulers.start()
        time.sleep(3)
        assert schedulers.leader_pid() == first.pid  # the second one waits
        assert "scheduler started" not in schedulers.log(second)

        fan_out_now(session, edition)
        point = random.randrange(1, FAN_OUT - 50)
        assert wait(lambda: deliveries.distinct() >= point, 60), schedulers.log(first)
        schedulers.kill(first)
        killed_at = time.monotonic()
        assert wait(lambda: schedulers.leader_pid() == second.pid, TAKEOVER_LIMIT + 5)
        took_over = time.monotonic()
        assert took_over - killed_at < TAKEOVER_LIMIT
        assert wait(lambda: deliveries.distinct() >= FAN_OUT, DELIVERY_LIMIT + 10), \
            schedulers.log(second)
        delivered = time.monotonic() - took_over
        time.sleep(1)  # anything sent twice would arrive now
        print(f"killed at {point} of {FAN_OUT}; takeover {took_over - killed_at:.1f} s; all out "
              f"{delivered:.1f} s after it; duplicates {deliveries.duplicates()}")
    finally:
        schedulers.stop_all()
    assert deliveries.counts().keys() == queued_ids(db)
    assert deliveries.distinct() == FAN_OUT
    assert deliveries.duplicates() <= 1
    assert delivered <= DELIVERY_LIMIT


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # the lock is PostgreSQL's
def test_scheduler_whose_lock_connection_is_cut_takes_it_again_in_the_same_process(
        db, session, smtp_sink, tmp_path):
    """Cutting the lock's connection (pg_terminate_backend, what a database restart does to it):
    the running `trajectories scheduler` steps down, waits for the lock again and resumes within
    15 s, without a restart by systemd; mail queued meanwhile goes out."""
    edition = admitted_edition(session, 20)
    schedulers, deliveries = Schedulers(db, smtp_sink, tmp_path), Deliveries(smtp_sink)
    try:
        process = schedulers.start()
        assert wait(lambda: schedulers.leader_pid() == process.pid, 60), schedulers.log(process)
        assert wait(lambda: "scheduler reconciled" in schedulers.log(process), 30)
        with db.engine.begin() as conn:
            [lock_pid] = conn.execute(text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = :k "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
                {"k": LOCK_KEY}).scalars().all()
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": lock_pid}).scalar()
        cut = time.monotonic()
        assert wait(lambda: schedulers.log(process).count("scheduler started") == 2, 15), \
            schedulers.log(process)
        resumed = time.monotonic() - cut
        fan_out_now(session, edition)
        assert wait(lambda: deliveries.distinct() >= 20, 30), schedulers.log(process)
        assert process.poll() is None  # the same process
        assert "lost the leader lock" in schedulers.log(process)
        print(f"resumed {resumed:.1f} s after the lock connection was cut")
    finally:
        schedulers.stop_all()
    assert resumed < 15
    assert deliveries.duplicates() == 0
