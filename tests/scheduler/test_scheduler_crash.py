"""Killing the scheduler (kill -9) in the middle of a 1,000-mail fan-out, and a sender in the
middle of a drain: after a restart no mail is lost and none is sent twice, beyond the one in
flight when the sender died."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import func, select

from tests import factories
from trajectories.mail.models import MailStatus, OutboxMessage
from trajectories.scheduler.jobs import process_moment
from trajectories.scheduler.models import PlannedMoment

#: Real processes (see pyproject.toml's markers): `make test` runs these apart, after the rest.
pytestmark = pytest.mark.slow

PEOPLE = 1000

CHILD = """
import sys
from datetime import datetime
from trajectories.app import create_app
from trajectories.mail.drain import drain
from trajectories.scheduler.jobs import process_moment

url, var_dir, port, what, arg = sys.argv[1:6]
app = create_app({"database_url": url, "var_dir": var_dir, "secret_key": "s", "smtp_port": port})
print("started", flush=True)
if what == "fire":
    process_moment(app, arg, now=datetime.fromisoformat(sys.argv[6]))
else:
    while drain(app.extensions["trajectories.db"], app.config["SETTINGS"], batch=50).sent:
        pass
print("finished", flush=True)
"""


def _child(app_config, port, *args) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", CHILD, app_config["database_url"],
                                app_config["var_dir"], str(port), *args],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "started"
    return process


def _kill_after(process: subprocess.Popen, seconds: float) -> None:
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def test_kill_during_fan_out_and_drain_loses_none_duplicates_none(app, app_config, session,
                                                                  smtp_sink, mail_settings):
    from tests.scheduler_processes import admitted_edition

    edition = admitted_edition(session, PEOPLE)
    meeting = factories.meeting(session, edition)
    job = f"reminder:session:{meeting.id}:P1D"
    due = session.exec(select(PlannedMoment.due_at).where(PlannedMoment.job_id == job)).one()
    session.commit()

    # The scheduler dies while fanning out: the moment's transaction never commits.
    fan_out = _child(app_config, smtp_sink.port, "fire", job, due.isoformat())
    _kill_after(fan_out, 0.5)
    # Restarted, the moment is still planned and fires again (or was done, and is "gone").
    process_moment(app, job, now=due + timedelta(minutes=5))
    count = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    session.commit()
    assert count == PEOPLE
    assert process_moment(app, job, now=due + timedelta(minutes=6)) == "gone"

    # A sender dies in the middle of the drain.
    sender = _child(app_config, smtp_sink.port, "drain", "-")
    _kill_after(sender, 1.0)
    received_before = len(smtp_sink.messages)
    assert received_before < PEOPLE, "the sender finished before it was killed"
    # Restarted after the lease: what it left in `sending` goes again.
    from trajectories.mail.claims import LEASE
    from trajectories.mail.drain import drain

    later = due + LEASE + timedelta(minutes=1)
    while drain(app.extensions["trajectories.db"], mail_settings, batch=200, now=later).sent:
        pass
    received = Counter(str(m["Message-ID"]) for m in smtp_sink.wait_for(PEOPLE))
    statuses = dict(session.exec(select(OutboxMessage.status, func.count())
                                 .group_by(OutboxMessage.status)).all())
    assert statuses == {MailStatus.SENT: PEOPLE}
    assert len(received) == PEOPLE  # none lost
    assert sum(received.values()) - PEOPLE <= 1  # at most the one in flight twice


FAN_OUT = 500
KILLS = 3


def test_kill_9_of_a_real_scheduler_mid_fan_out_loses_none_and_repeats_at_most_one(
        db, session, smtp_sink, tmp_path):
    """`trajectories scheduler` killed (SIGKILL) at a random point of a 500-recipient fan-out or
    of its delivery, three times, each time restarted at once: no mail lost, at most the one in
    flight twice per kill, and every mail out within 30 s of the restart."""
    import random

    from tests import scheduler_processes as processes

    wait = processes.wait
    rng = random.Random()
    edition = processes.admitted_edition(session, FAN_OUT)
    schedulers = processes.Schedulers(db, smtp_sink, tmp_path)
    deliveries = processes.Deliveries(smtp_sink)
    figures = []
    try:
        process = None
        for kill in range(KILLS):
            expected = FAN_OUT * (kill + 1)
            processes.fan_out_now(session, edition)
            if kill == 0:
                # In the fan-out itself: the moment fires as the scheduler starts.
                process = schedulers.start()
                assert wait(lambda p=process: "scheduler started" in schedulers.log(p), 60)
                time.sleep(rng.uniform(0.0, 2.0))
            else:
                # In its delivery: after a random number of this moment's mails went out.
                point = FAN_OUT * kill + rng.randrange(1, FAN_OUT - 50)
                assert wait(lambda n=point: deliveries.distinct() >= n, 60), schedulers.log(process)
            before = deliveries.duplicates()
            schedulers.kill(process)
            killed_with = deliveries.distinct()
            process = schedulers.start()
            restarted = time.monotonic()
            assert wait(lambda n=expected: deliveries.distinct() >= n, processes.DELIVERY_LIMIT + 10), \
                schedulers.log(process)
            seconds = time.monotonic() - restarted
            time.sleep(0.5)  # anything sent twice more would arrive now
            figures.append((killed_with - FAN_OUT * kill, deliveries.duplicates() - before,
                            round(seconds, 1)))
            print(f"kill {kill + 1}: at {figures[-1][0]} of {FAN_OUT} delivered, "
                  f"duplicates {figures[-1][1]}, all out {figures[-1][2]} s after the restart")
    finally:
        schedulers.stop_all()
    assert deliveries.counts().keys() == processes.queued_ids(db)  # none lost, nothing else
    assert deliveries.distinct() == FAN_OUT * KILLS
    assert all(duplicates <= 1 for _, duplicates, _ in figures), figures
    assert all(seconds <= processes.DELIVERY_LIMIT for *_, seconds in figures), figures
