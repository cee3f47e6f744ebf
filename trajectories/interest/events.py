"""What the interest list's services announce."""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core.events import Event


@dataclass(frozen=True)
class InterestConfirmed(Event):
    """Someone confirmed "Houd me op de hoogte" for a track."""

    track_id: int
    participant_id: int


@dataclass(frozen=True)
class InterestLeft(Event):
    """Someone left a track's interest list (from the mail, from /mijn, or by expiry)."""

    track_id: int
    participant_id: int
