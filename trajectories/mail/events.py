"""What the mail services announce: an edition's mail settings changed, held mail released, a
failed mail retried, a one-off message queued.
"""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core import events


@dataclass(frozen=True)
class MailSettingsChanged(events.Event):
    edition_id: int
    hold: bool
    review_coaching: bool


@dataclass(frozen=True)
class MailReleased(events.Event):
    edition_id: int
    count: int


@dataclass(frozen=True)
class MailRetried(events.Event):
    edition_id: int
    message_id: int


@dataclass(frozen=True)
class OneOffMessageQueued(events.Event):
    edition_id: int
    count: int
