"""What the accounts' services announce: a password reset requested."""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core import events


@dataclass(frozen=True)
class PasswordResetRequested(events.Event):
    coordinator_id: int
