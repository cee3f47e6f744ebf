"""What the open interfaces' services announce."""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core.events import Event


@dataclass(frozen=True)
class EmbedOriginsChanged(Event):
    """The websites allowed to frame an organiser's embedded catalogue changed."""

    organiser_id: int
    origins: tuple[str, ...] = ()
