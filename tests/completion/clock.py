"""The process's clock moved to a moment for a block (the app's TRAJECTORIES_CLOCK_START, set
in-process as tests/scheduler/test_scheduler_clock.py does): the views' `utcnow()` follows."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from trajectories.core import clock


def move_clock(moment: datetime) -> None:
    clock.configure_clock({clock.START_VARIABLE: moment.isoformat()})


@contextmanager
def clock_at(moment: datetime):
    move_clock(moment)
    try:
        yield
    finally:
        clock.configure_clock({})
