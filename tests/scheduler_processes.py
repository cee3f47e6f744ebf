"""Real `trajectories scheduler` processes for the crash and takeover tests: start them, kill
them (SIGKILL), and a fan-out of one moment to many recipients for them to be killed in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from tests import factories
from trajectories.catalogue.models import Edition
from trajectories.core.clock import utcnow
from trajectories.core.models import Heartbeat
from trajectories.mail.models import OutboxMessage
from trajectories.people.models import Enrollment, EnrollmentStatus, Participant
from trajectories.schedule.models import Deadline, Meeting
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


def many_editions(session, count: int, sessions: int = 6, deadlines: int = 3) -> None:
    """`count` running editions (sessions and deadlines ahead) written directly, as a platform
    migrating its data in: nothing is planned for them until a scheduler re-plans."""
    track = factories.track(session)
    first = date.today() + timedelta(days=30)
    editions = [Edition(track_id=track.id, slug=f"bulk-{n}", name=f"Editie {n}",
                        coordinator_email="coordinator@vng.example") for n in range(count)]
    session.add_all(editions)
    session.flush()
    for n, edition in enumerate(editions):
        for number in range(sessions):
            day = first + timedelta(days=n % 60 + 14 * number)
            start = datetime(day.year, day.month, day.day, 11, 30, tzinfo=UTC)
            session.add(Meeting(edition_id=edition.id, title=f"Sessie {number + 1}", on_date=day,
                                starts_at=start, ends_at=start + timedelta(hours=2)))
        for number in range(deadlines):
            session.add(Deadline(edition_id=edition.id, title=f"Opdracht {number + 1}",
                                 due_date=first + timedelta(days=n % 60 + 30 * (number + 1))))
    session.commit()


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
