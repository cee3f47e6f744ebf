"""Scheduler takeover at national scale: two real `trajectories scheduler` processes on
PostgreSQL; the leader is killed (SIGKILL) right after a web process planned an invitation due
now, and the clock runs until the standby has handed that mail to SMTP. Target: <= 15 s.

The baseline is the same takeover, measured the same way in the same run, on a database with one
edition: what a takeover costs when there is nothing to re-plan.

    .venv/bin/python bench/takeover.py      # BENCH_NATIONAL_SCALE=0.1 for a tenth of the data set
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIN, bench, bench_app, free_port, fresh_database  # noqa: E402
from bench.mail import start_sink  # noqa: E402

DATABASE_URL = os.environ.get("TRAJECTORIES_BENCH_TAKEOVER_DATABASE_URL",
                              "postgresql://postgres@127.0.0.1:5432/traj_takeover_bench")
SCALE = float(os.environ.get("BENCH_NATIONAL_SCALE", "1"))


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _edition_with_people(database) -> int:
    """An edition with two admitted participants (rows written directly: no welcome mails)."""
    from sqlmodel import select

    from trajectories.catalogue.models import Edition, Organiser, Track
    from trajectories.people.models import Enrollment, EnrollmentStatus, Participant

    with database.session(actor="bench") as s:
        organiser = s.exec(select(Organiser)).first() or Organiser(
            slug="vng", name="VNG", country="NL", email="a@vng.example")
        s.add(organiser)
        s.flush()
        track = Track(organiser_id=organiser.id, slug="takeover", title="Takeover")
        s.add(track)
        s.flush()
        edition = Edition(track_id=track.id, slug="takeover", name="Takeover",
                          coordinator_email="coordinator@vng.example")
        people = [Participant(name=f"Overname {n}", email=f"overname{n}@gemeente.example")
                  for n in range(2)]
        s.add_all([edition, *people])
        s.flush()
        s.add_all([Enrollment(participant_id=p.id, edition_id=edition.id,
                              status=EnrollmentStatus.ADMITTED) for p in people])
        s.commit()
        return edition.id


def _invitation_due_now(database, edition_id: int) -> str:
    """A new session whose invitation is due now, as a web process plans it."""
    from datetime import date
    from datetime import time as clock_time

    from sqlmodel import select

    from trajectories.catalogue.models import Edition
    from trajectories.core.clock import utcnow
    from trajectories.schedule import services as schedule
    from trajectories.scheduler.models import PlannedMoment

    with database.session(actor="bench") as s:
        meeting = schedule.plan_meeting(s, s.get(Edition, edition_id),
                                        on_date=date.today() + timedelta(days=20),
                                        start=clock_time(10), end=clock_time(12), title="Extra")
        s.commit()
        job_id = f"invite:session:{meeting.id}"
        moment = s.exec(select(PlannedMoment).where(PlannedMoment.job_id == job_id)).one()
        moment.due_at, moment.useful_until = utcnow(), utcnow() + timedelta(days=1)
        moment.version += 1
        s.add(moment)
        s.commit()
        return job_id


def takeover_seconds(url: str, work: Path) -> float:
    """Seconds from the leader's SIGKILL until the standby sent the invitation due now."""
    from sqlmodel import select

    from trajectories.mail.models import MailStatus, OutboxMessage

    # The app wires the events to their handlers: the new session's invitation gets planned.
    database = bench_app(url, str(work)).extensions["trajectories.db"]
    edition_id = _edition_with_people(database)
    port = free_port()
    sink = start_sink(port)
    env = {**os.environ, "TRAJECTORIES_DATABASE_URL": url, "TRAJECTORIES_VAR_DIR": str(work),
           "TRAJECTORIES_SECRET_KEY": "s" * 32, "TRAJECTORIES_SMTP_HOST": "127.0.0.1",
           "TRAJECTORIES_SMTP_PORT": str(port)}
    logs = [work / "leader.log", work / "standby.log"]
    processes = []
    try:
        processes.append(subprocess.Popen([str(BIN / "trajectories"), "scheduler"], env=env,
                                          stdout=logs[0].open("w"), stderr=subprocess.STDOUT))
        assert _wait(lambda: "scheduler reconciled" in logs[0].read_text(), 600), \
            logs[0].read_text()[-3000:]
        processes.append(subprocess.Popen([str(BIN / "trajectories"), "scheduler"], env=env,
                                          stdout=logs[1].open("w"), stderr=subprocess.STDOUT))
        time.sleep(3)  # the standby is up and polling for the lock
        job_id = _invitation_due_now(database, edition_id)
        processes[0].send_signal(signal.SIGKILL)
        killed = time.monotonic()
        processes[0].wait(timeout=10)

        def sent() -> bool:
            with database.session() as s:
                return s.exec(select(OutboxMessage.id).where(
                    OutboxMessage.dedupe_key.startswith(f"{job_id}:"),
                    OutboxMessage.status == MailStatus.SENT)).first() is not None

        assert _wait(sent, 120), logs[1].read_text()[-3000:]
        return time.monotonic() - killed
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        sink.terminate()
        sink.wait(timeout=10)
        database.dispose()


def main() -> None:
    from trajectories.core.db import Database

    with tempfile.TemporaryDirectory() as small_dir:
        baseline = takeover_seconds(fresh_database(DATABASE_URL), Path(small_dir))
    from bench import national as data

    for name in ("ORGANISATIONS", "PARTICIPANTS", "EDITIONS"):
        setattr(data, name, max(10, int(getattr(data, name) * SCALE)))
    url = fresh_database(DATABASE_URL)
    database = Database(url)
    data.generate(database)
    database.dispose()
    with tempfile.TemporaryDirectory() as national_dir:
        seconds = takeover_seconds(url, Path(national_dir))
    bench("takeover.national.kill_to_due_mail_sent", seconds, "s", baseline)


if __name__ == "__main__":
    main()
