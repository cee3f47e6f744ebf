"""Exactly one process holds the scheduler's leader lock; a dead holder's lock passes on."""

import os
import signal
import subprocess
import sys
import time

from trajectories.core.leader import LeaderLock

HOLDER = """
import sys, time
from trajectories.core.leader import LeaderLock
lock = LeaderLock(sys.argv[1])
assert lock.acquire()
print("leader", flush=True)
time.sleep(600)
"""


def test_second_lock_waits_until_the_holder_is_killed(database_url):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, database_url],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "leader"
        standby = LeaderLock(database_url)
        assert standby.acquire() is False
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        started = time.monotonic()
        assert standby.wait(poll_seconds=0.2, stop=lambda: time.monotonic() - started > 15)
        assert time.monotonic() - started < 15
        assert standby.still_held()
        standby.release()
        assert not standby.held
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_release_lets_another_take_over(database_url):
    first, second = LeaderLock(database_url), LeaderLock(database_url)
    assert first.acquire()
    assert second.acquire() is False
    first.release()
    assert second.acquire()
    second.release()
