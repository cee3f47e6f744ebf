"""The scheduler's one drainer: a thread beside APScheduler that sends the outbox every
`drain_seconds`, and at once when a moment has queued mails.

One drain at a time, so a crash re-sends at most the one mail in flight. A scheduler on its own
clock waits (`DrainRequests.wait_done`) until what its moments queued is sent before its clock
moves on: the mails are dated at their moment.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from trajectories.mail.drain import drain

log = logging.getLogger(__name__)


def _drain_all(db, settings, keep_going: Callable[[], bool]) -> None:
    while keep_going() and drain(db, settings, batch=200, keep_going=keep_going).sent >= 200:
        pass


class DrainRequests:
    """Wakes the drainer when a moment queued mails, and lets the scheduler on its own clock
    wait until those are sent before the clock moves on (their Date is the moment's time)."""

    def __init__(self, stop_event: threading.Event):
        self._changed = threading.Condition()
        self._stop = stop_event
        self.asked = self.done = 0

    def ask(self) -> None:
        with self._changed:
            self.asked += 1
            self._changed.notify_all()

    def wake(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def take(self, seconds: float) -> int:
        """Wait up to `seconds` for a request (or the stop); returns the requests so far."""
        with self._changed:
            self._changed.wait_for(lambda: self.asked > self.done or self._stop.is_set(),
                                   seconds)
            return self.asked

    def finished(self, upto: int) -> None:
        with self._changed:
            self.done = max(self.done, upto)
            self._changed.notify_all()

    def wait_done(self) -> None:
        """Until every request so far is drained, or the scheduler stops."""
        with self._changed:
            # (A stop sets no condition: look again twice a second.)
            while not self._changed.wait_for(
                    lambda: self.done >= self.asked or self._stop.is_set(), 0.5):
                pass


def drainer(db, settings, stop_event: threading.Event, requests: DrainRequests,
             seconds: float) -> None:
    """The scheduler's one drain loop: every `seconds`, or at once when asked."""
    keep_going = lambda: not stop_event.is_set()  # noqa: E731
    upto = 0
    while not stop_event.is_set():
        try:
            _drain_all(db, settings, keep_going)
        except Exception:
            log.exception("outbox drain failed; trying again")
        # Every request made before this pass began had its mails committed: they are sent.
        requests.finished(upto)
        upto = requests.take(seconds)
    requests.finished(requests.take(0))  # stopped: release whoever waits for a drain
