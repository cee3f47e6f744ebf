"""What the schedule's services announce: sessions planned, changed, moved or cancelled;
deadlines set, removed or extended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from trajectories.core.events import Event


# --- schedule ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MeetingPlanned(Event):
    meeting_id: int
    edition_id: int


@dataclass(frozen=True)
class MeetingChanged(Event):
    """Title, description, place or link changed; the time did not."""

    meeting_id: int
    edition_id: int


@dataclass(frozen=True)
class MeetingRescheduled(Event):
    meeting_id: int
    edition_id: int
    #: Its time before the move (ISO in the payload; start and end None: to be announced), so
    #: the update mail can say "from ... to ...".
    was_on_date: date | None = None
    was_starts_at: datetime | None = None
    was_ends_at: datetime | None = None


@dataclass(frozen=True)
class MeetingCancelled(Event):
    meeting_id: int
    edition_id: int


@dataclass(frozen=True)
class DeadlineSet(Event):
    """A deadline was created or its date, title or description changed."""

    deadline_id: int
    edition_id: int


@dataclass(frozen=True)
class DeadlineRemoved(Event):
    deadline_id: int
    edition_id: int
    #: Its title, for the audit log to name what is gone.
    title: str = ""


@dataclass(frozen=True)
class DeadlineExtended(Event):
    deadline_id: int
    edition_id: int
    participant_id: int
