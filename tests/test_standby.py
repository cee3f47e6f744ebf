"""Two real `trajectories scheduler` processes on one database: one is active, the other stands
by; after kill -9 of the active one the standby takes over within 15 seconds, re-plans, and
sends on — without sending again what the dead one had handed to SMTP."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlmodel import select

from trajectories.mail.models import OutboxMessage
from trajectories.mail.outbox import queue_mail
from trajectories.models import Heartbeat

TRAJECTORIES = str(Path(sys.executable).with_name("trajectories"))
TAKEOVER_LIMIT = 15.0


def _queue(db, batch: str, count: int) -> None:
    with db.begin() as session:
        for number in range(count):
            queue_mail(session, to=f"p{number}@gemeente.example", kind="one_off",
                       subject=f"{batch} {number}", text="Tekst", dedupe_key=f"{batch}:{number}")


def _leader_pid(db) -> int | None:
    with db.session() as session:
        row = session.get(Heartbeat, "scheduler")
        return int(row.holder.rsplit(":", 1)[1]) if row else None


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_standby_takes_over_after_kill_9_and_sends_nothing_twice(db, smtp_sink, tmp_path):
    env = {**os.environ, "TRAJECTORIES_DATABASE_URL": str(db.url),
           "TRAJECTORIES_VAR_DIR": str(tmp_path), "TRAJECTORIES_SECRET_KEY": "s" * 32,
           "TRAJECTORIES_SMTP_PORT": str(smtp_sink.port)}
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    _queue(db, "voor", 50)

    def start(log: Path) -> subprocess.Popen:
        return subprocess.Popen([TRAJECTORIES, "scheduler"], env=env,
                                stdout=log.open("w"), stderr=subprocess.STDOUT)

    first = start(logs[0])
    second = None
    try:
        assert _wait(lambda: _leader_pid(db) == first.pid, 60), logs[0].read_text()
        assert _wait(lambda: len(smtp_sink.messages) >= 50, 60)
        second = start(logs[1])
        time.sleep(5)
        assert _leader_pid(db) == first.pid  # the second one waits
        assert "scheduler started" not in logs[1].read_text()

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        assert _wait(lambda: _leader_pid(db) == second.pid, TAKEOVER_LIMIT + 5)
        assert time.monotonic() - killed_at < TAKEOVER_LIMIT
        assert _wait(lambda: "scheduler reconciled" in logs[1].read_text(), 30)

        _queue(db, "na", 50)
        assert _wait(lambda: len(smtp_sink.messages) >= 100, 60)
        time.sleep(1)  # anything sent twice would arrive now
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)

    received = Counter(message["Message-ID"] for message in smtp_sink.messages)
    with db.session() as session:
        queued = set(session.exec(select(OutboxMessage.message_id)).all())
    assert set(received) == queued and len(queued) == 100
    assert set(received.values()) == {1}
