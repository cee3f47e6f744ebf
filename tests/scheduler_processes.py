"""Real `trajectories scheduler` processes for the crash and takeover tests: start them, kill
them (SIGKILL), and a fan-out of one moment to many recipients for them to be killed in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from tests import factories
from trajectories.core.clock import utcnow
from trajectories.core.models import Heartbeat
from trajectories.mail.models import OutboxMessage
from trajectories.people.models import Enrollment, EnrollmentStatus, Participant
from trajectories.scheduler.models import PlannedMoment

TRAJECTORIES = str(Path(sys.executable).with_name("trajectories"))
#: The promise: after a restart or a takeover every mail is out within this many seconds.
DELIVERY_LIMIT = 30.0


def wait(condition, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True


class Schedulers:
    """Starts `trajectories scheduler` processes on the test's database and SMTP sink."""

    def __init__(self, db, smtp_sink, tmp_path: Path):
        self.db = db
        self.tmp_path = tmp_path
        self.env = {**os.environ, "TRAJECTORIES_DATABASE_URL": str(db.url),
                    "TRAJECTORIES_VAR_DIR": str(tmp_path), "TRAJECTORIES_SECRET_KEY": "s" * 32,
                    "TRAJECTORIES_SMTP_HOST": "127.0.0.1",
                    "TRAJECTORIES_SMTP_PORT": str(smtp_sink.port)}
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self) -> subprocess.Popen:
        log = self.tmp_path / f"scheduler{len(self.logs)}.log"
        process = subprocess.Popen([TRAJECTORIES, "scheduler"], env=self.env,
                                   stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.processes.append(process)
        self.logs.append(log)
        return process

    def log(self, process: subprocess.Popen) -> str:
        return self.logs[self.processes.index(process)].read_text()

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def leader_pid(self) -> int | None:
        with self.db.session() as session:
            row = session.get(Heartbeat, "scheduler")
            return int(row.holder.split(":")[1]) if row else None

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def admit(session, edition, people: int) -> None:
    """`people` participants admitted to the edition (rows written directly: no welcome mails)."""
    persons = [Participant(name=f"Deelnemer {n}", email=f"d{n}@gemeente.example")
               for n in range(people)]
    session.add_all(persons)
    session.flush()
    session.add_all([Enrollment(participant_id=p.id, edition_id=edition.id,
                                status=EnrollmentStatus.ADMITTED) for p in persons])
    session.commit()


def admitted_edition(session, people: int):
    """An edition with `people` admitted participants (see `admit`)."""
    edition = factories.edition(session)
    admit(session, edition, people)
    return edition


def fan_out_now(session, edition) -> str:
    """A new session of the edition whose invitation (one mail per participant) is due now;
    returns the moment's job id. A running scheduler picks it up at its next sync."""
    meeting = factories.meeting(session, edition)
    session.commit()  # the invitation is planned after the commit
    job_id = f"invite:session:{meeting.id}"
    moment = session.exec(select(PlannedMoment).where(PlannedMoment.job_id == job_id)).one()
    moment.due_at, moment.useful_until = utcnow(), utcnow() + timedelta(days=1)
    moment.version += 1
    session.add(moment)
    session.commit()
    return job_id


class Deliveries:
    """What the SMTP sink received, by Message-ID (counted as they arrive: parsing every
    header again at each look would take the GIL from the sink's own thread)."""

    def __init__(self, smtp_sink):
        self.sink = smtp_sink
        self.seen = 0
        self._counts: Counter = Counter()

    def counts(self) -> Counter:
        with self.sink.lock:
            new = self.sink.messages[self.seen:]
            self.seen += len(new)
        self._counts.update(str(m["Message-ID"]) for m in new)
        return self._counts

    def duplicates(self) -> int:
        counts = self.counts()
        return sum(counts.values()) - len(counts)

    def distinct(self) -> int:
        return len(self.counts())


def queued_ids(db) -> set[str]:
    with db.session() as session:
        return set(session.exec(select(OutboxMessage.message_id)).all())
